#include "models/report/estimate_report.hpp"

#include <fmt/format.h>

#include <cmath>

#include "models/report/table.hpp"

namespace surgesim::models {

std::string estimate_report(const Scenario& scenario, const AnalyticEstimate& estimate) {
  std::string out = fmt::format(
      "Analytic estimate at {:.6g} sessions/s (M/M/c per service with the Allen-Cunneen\n"
      "correction; ignores shoppers who give up or retry)\n",
      scenario.traffic.rate);
  TextTable t({"service", "requests/s", "servers", "load (Erl)", "util", "P(wait)", "mean wait"});
  for (const ServiceEstimate& s : estimate.services) {
    const bool overloaded = s.utilization >= 1.0;
    t.add({s.name, fmt::format("{:.1f}", s.arrival_rate), std::to_string(s.servers),
           fmt::format("{:.1f}", s.offered_load), fmt::format("{:.1f}%", 100.0 * s.utilization),
           fmt::format("{:.3f}", s.p_wait),
           overloaded ? "overloaded" : fmt::format("{:.3g} ms", 1e3 * s.mean_wait)});
  }
  out += t.render();
  bool any_overloaded = false;
  for (const ServiceEstimate& s : estimate.services) any_overloaded |= s.utilization >= 1.0;
  if (any_overloaded) {
    out +=
        "Overloaded services cannot keep up: their queues grow until shoppers give up,\n"
        "requests time out or the queue rejects them.\n";
  }
  return out;
}

}  // namespace surgesim::models
