#include "models/report/estimate_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "models/report/table.hpp"
#include "models/yaml/clock.hpp"

namespace surgesim::models {
namespace {

std::string duration_text(double seconds) {
  if (std::isinf(seconds)) return "unbounded";
  if (seconds < 1.0) return fmt::format("{:.1f} ms", 1e3 * seconds);
  return fmt::format("{:.2f} s", seconds);
}

std::string servers_text(int servers) {
  return servers > 0 ? std::to_string(servers) : "unlimited";
}

std::string utilization_text(const ServiceEstimate& s) {
  if (s.servers == 0) return "-";
  if (std::isinf(s.utilization) || std::isnan(s.utilization)) return "saturated";
  return fmt::format("{:.1f}%", 100.0 * s.utilization);
}

std::string notes(const ServiceEstimate& s) {
  std::string out = s.saturated ? "SATURATED" : "";
  if (s.type == "payment_gateway" && s.blocking >= 5e-5) {  // shows as at least 0.01%
    out += fmt::format("{}{:.2f}% rejected at a cap", out.empty() ? "" : "; ", 100.0 * s.blocking);
  }
  if (s.rate_limited > 0.0) {
    out += fmt::format("{}{:.1f}/s refused by the rate limit", out.empty() ? "" : "; ",
                       s.rate_limited);
  }
  return out;
}

// ", first reached at 00:10 (10m from time 0)": when the traffic peaks is what a planner
// looks up next. Nothing for a rate given from outside (NaN).
std::string peak_time_text(const Scenario& scenario, double t) {
  if (std::isnan(t)) return "";
  const auto clock = [&] {
    const bool seconds = std::fmod(scenario.start->seconds_of_day + t, 60.0) != 0.0;
    return clock_text(*scenario.start, t, seconds);
  };
  if (t == scenario.run_from()) {
    return scenario.start ? ", from the start (" + clock() + ")" : ", from the start";
  }
  const std::string offset = span_text(t) + " from time 0";
  if (!scenario.start) return ", first reached " + offset;
  return ", first reached at " + clock() + " (" + offset + ")";
}

}  // namespace

std::string estimate_report(const Scenario& scenario, const AnalyticEstimate& estimate) {
  std::string out = fmt::format(
      "Analytic estimate at the peak rate of {:.6g} sessions/s{}\n"
      "(M/M/c per service with the Allen-Cunneen correction, Erlang B per payment provider;\n"
      "ignores shoppers who give up or retry)\n",
      estimate.session_rate, peak_time_text(scenario, estimate.session_rate_t));
  TextTable t({"service", "type", "requests/s", "servers", "load (Erl)", "util", "P(wait)",
               "mean wait", "response", "notes"},
              2);
  bool any_saturated = false;
  for (const ServiceEstimate& s : estimate.services) {
    any_saturated = any_saturated || s.saturated;
    const bool queues = s.servers > 0;
    // A gateway's slots are its providers', listed below it.
    const bool gateway = s.type == "payment_gateway";
    t.add({s.name, s.type, fmt::format("{:.1f}", s.arrival_rate),
           gateway ? "-" : servers_text(s.servers), fmt::format("{:.1f}", s.offered_load),
           utilization_text(s), queues ? fmt::format("{:.3f}", s.p_wait) : "-",
           queues ? duration_text(s.mean_wait) : "-", duration_text(s.mean_response), notes(s)});
    for (const ProviderEstimate& p : s.providers) {
      const bool saturated = p.servers > 0 && p.offered_load >= p.servers;
      t.add(
          {"  " + s.name + "/" + p.name, "provider", fmt::format("{:.1f}", p.arrival_rate),
           servers_text(p.servers), fmt::format("{:.1f}", p.offered_load),
           p.servers > 0 ? fmt::format("{:.1f}%", 100.0 * p.utilization) : "-", "-", "-",
           duration_text(p.mean_response),
           fmt::format("{}{:.2f}% rejected", saturated ? "SATURATED; " : "", 100.0 * p.blocking)});
    }
  }
  out += t.render();
  // What the estimate leaves out, once per note, in the order of the table of types.
  std::vector<const ServiceConfig*> by_type;
  for (const ServiceConfig& service : scenario.services) by_type.push_back(&service);
  std::stable_sort(by_type.begin(), by_type.end(),
                   [](const auto* a, const auto* b) { return a->type.index() < b->type.index(); });
  std::vector<std::string> notes;
  for (const ServiceConfig* service : by_type) {
    const std::string note = estimate_note(*service);
    if (!note.empty() && std::find(notes.begin(), notes.end(), note) == notes.end()) {
      notes.push_back(note);
      out += note + "\n";
    }
  }
  if (const auto& room = estimate.waiting_room) {
    out += fmt::format(
        "Waiting room (Erlang-A over sessions{}): {:.1f} sessions/s of {} on average against "
        "{} places ({:.1f} Erl); P(wait) {:.3f}, P(leave) {:.3f}, mean wait {}, {:.1f} "
        "waiting and {:.1f} active; the services above see the {:.1f} sessions/s it admits\n",
        room->exact ? "" : ", an approximation: sessions or patience are not exponential",
        room->arrival_rate, duration_text(room->mean_session), room->max_active, room->offered_load,
        room->p_wait, room->p_leave, duration_text(room->mean_wait), room->mean_waiting,
        room->mean_active, room->admitted_rate);
  }
  if (any_saturated) {
    out +=
        "SATURATED services cannot keep up: their queues grow until shoppers give up,\n"
        "requests time out or the queue rejects them; pools that call them saturate too,\n"
        "as their workers wait on the answers.\n";
  }
  return out;
}

}  // namespace surgesim::models
