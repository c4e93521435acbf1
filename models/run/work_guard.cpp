#include "models/run/work_guard.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "models/analysis/call_graph.hpp"
#include "models/run/overload_guard.hpp"
#include "models/services/service_types.hpp"

namespace surgesim::models {

WorkGuard::WorkGuard(const Scenario& scenario,
                     const std::vector<std::unique_ptr<Service>>& services,
                     const WorkEstimate& estimate, std::string force_option)
    : scenario_(scenario),
      services_(services),
      traffic_(scenario.traffic),
      sessions_(traffic_.integral(scenario.run_from(), scenario.run_to())),
      events_(estimate.events),
      replications_(estimate.replications),
      requests_per_session_(estimate.service_requests_per_session),
      force_option_(std::move(force_option)) {}

double WorkGuard::share_seen(Time now) const {
  const Time from = scenario_.run_from(), to = scenario_.run_to();
  const double time = to > from ? (now - from) / (to - from) : 1.0;
  double share = std::clamp(time, 0.0, 1.0);
  if (sessions_ > 0.0) {
    share = std::max(share, traffic_.integral(from, now) / sessions_);
    share = std::max(share, 1.0 / std::max(sessions_, 1.0));
  }
  return std::clamp(share, 1e-12, 1.0);
}

void WorkGuard::check(Time now, std::uint64_t fired) {
  if (fired < kLeastEvents) return;
  const double share = share_seen(now);
  const auto events = static_cast<double>(fired);
  const double expected = events_ * share;
  if (events <= kFactor * expected) return;
  const double projected = events / share * replications_;
  if (projected / kEventsPerSecond <= kMostCpuSeconds) return;
  stop(now, events, expected, share);
}

void WorkGuard::stop(Time now, double fired, double expected, double share) const {
  const double projected = fired / share * replications_;
  throw Overloaded(fmt::format(
      "the run stopped at {} of simulated time: it would take over an hour on one core. "
      "With {:.3g}% of the run seen it had fired {} events, {:.3g}x the {} its estimate "
      "foresaw by then, so the whole run ({} replication{}) would fire about {} ({} at {} "
      "events/s){}{}. {} runs it anyway",
      run_time(now), 100.0 * share, format_count(fired), fired / std::max(expected, 1.0),
      format_count(expected), format_count(replications_), replications_ == 1.0 ? "" : "s",
      format_count(projected), format_seconds(projected / kEventsPerSecond),
      format_count(kEventsPerSecond), busiest_service(now), retries(), force_option_));
}

// The service whose requests most exceed what the estimate foresaw over its statistics
// window so far (which starts at the warm-up's end once that has passed).
std::string WorkGuard::busiest_service(Time now) const {
  if (requests_per_session_.size() != services_.size()) return "";
  const Time from =
      now >= scenario_.statistics_from() ? scenario_.statistics_from() : scenario_.run_from();
  const double sessions = std::max(traffic_.integral(from, now), 1.0);
  std::size_t busiest = services_.size();
  double most = 0.0, arrivals_of_busiest = 0.0;
  for (std::size_t s = 0; s < services_.size(); ++s) {
    const double arrivals = services_[s]->stats().so_far(
        [](const ServiceStats& st, Time) { return static_cast<double>(st.arrivals); }, now);
    const double ratio = arrivals / std::max(requests_per_session_[s] * sessions, 1.0);
    if (ratio > most) {
      most = ratio;
      busiest = s;
      arrivals_of_busiest = arrivals;
    }
  }
  if (busiest == services_.size() || most <= kFactor) return "";
  return fmt::format("; service {} received {} requests, {:.3g}x what its estimate foresaw",
                     services_[busiest]->name(), format_count(arrivals_of_busiest), most);
}

// Retries multiply requests when calls fail, and the estimate counts none: the settings
// that allow the most, and what one page can become through them.
std::string WorkGuard::retries() const {
  struct Retry {
    int max;
    std::string key;
  };
  std::vector<Retry> found;
  // Requests one request to a service can become when every call fails and is retried to
  // its max, callees first (the loader refuses call loops and unknown names).
  std::map<std::string, const ServiceConfig*> config;
  for (const ServiceConfig& service : scenario_.services) config[service.name] = &service;
  std::map<std::string, double> most;
  for (const std::string& name : topological_services(scenario_)) {
    const ServiceConfig& service = *config.at(name);
    double requests = 1.0;
    for (const Callee& edge : callees(service)) {
      if (edge.live()) requests += (1.0 + edge.options.retry.max) * most.at(edge.to);
    }
    most[name] = requests;
  }
  // The settings, in file order: journeys, then services' calls.
  double page_most = 0.0;
  for (const JourneyConfig& j : scenario_.journeys) {
    if (j.retry.max > 0) found.push_back({j.retry.max, "journeys." + j.name + ".retry.max"});
    for (const PageConfig& page : j.pages) {
      page_most = std::max(page_most, (1.0 + j.retry.max) * most.at(page.call));
    }
  }
  for (const ServiceConfig& service : scenario_.services) {
    for (const Callee& edge : callees(service)) {
      if (edge.options.retry.max <= 0) continue;
      found.push_back(
          {edge.options.retry.max, "services." + service.name + "." + edge.call() + ".retry.max"});
    }
  }
  if (found.empty()) return "";
  std::stable_sort(found.begin(), found.end(),
                   [](const Retry& a, const Retry& b) { return a.max > b.max; });
  std::string list;
  for (std::size_t i = 0; i < std::min<std::size_t>(found.size(), 3); ++i) {
    list += fmt::format("{}{} = {}", i == 0 ? "" : ", ", found[i].key, found[i].max);
  }
  if (found.size() > 3) list += fmt::format(" and {} more", found.size() - 3);
  return fmt::format(
      "; the estimate counts no retries, and when calls fail at once one page can become up "
      "to {} requests ({}): lower the retries' max, give them a backoff, or find why the "
      "calls fail",
      std::isfinite(page_most) ? format_count(page_most) : std::string("over 10^308"), list);
}

}  // namespace surgesim::models
