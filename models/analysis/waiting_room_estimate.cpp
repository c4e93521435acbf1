#include "models/analysis/waiting_room_estimate.hpp"

#include <cmath>
#include <map>
#include <string>

#include "models/analysis/analytic_estimate.hpp"
#include "models/services/service_types.hpp"
#include "sim/queueing_theory.hpp"

namespace surgesim::models {
namespace {

bool exponential(const Distribution& d) {
  using sim::DistributionKind;
  if (d.kind() == DistributionKind::exponential) return true;
  return (d.kind() == DistributionKind::gamma || d.kind() == DistributionKind::erlang) &&
         std::abs(d.scv() - 1.0) < 1e-12;
}

}  // namespace

WaitingRoomEstimate estimate_waiting_room(const Scenario& scenario,
                                          const AnalyticEstimate& services, double arrival_rate) {
  const WaitingRoomConfig& room = *scenario.waiting_room;
  std::map<std::string, const ServiceEstimate*> by_name;
  for (const ServiceEstimate& s : services.services) by_name[s.name] = &s;
  std::map<std::string, const ServiceConfig*> configs;
  for (const ServiceConfig& s : scenario.services) configs[s.name] = &s;

  WaitingRoomEstimate e;
  e.arrival_rate = arrival_rate;
  e.max_active = room.max_active;
  e.exact = !room.patience || exponential(*room.patience);
  // A session's length: at each visit a page's response, then (unless it exits) the think.
  for (std::size_t j = 0; j < scenario.journeys.size(); ++j) {
    const JourneyConfig& journey = scenario.journeys[j];
    double length = 0.0;
    for (std::size_t p = 0; p < journey.pages.size(); ++p) {
      const PageConfig& page = journey.pages[p];
      double exit = 0.0;
      for (const auto& [target, prob] : page.next) exit += target == kExit ? prob : 0.0;
      const double think = page.think.value_or(journey.think).mean();
      const ServiceEstimate& s = *by_name.at(page.call);
      length += services.visits[j][p] * (s.mean_response + (1.0 - exit) * think);
      // Exponential only if the page is the whole session and served without queueing
      // by exponential work of its own.
      const ServiceConfig& config = *configs.at(page.call);
      const auto* pool = std::get_if<ServerPoolConfig>(&config.type);
      e.exact = e.exact && journey.pages.size() == 1 && exit == 1.0 && think == 0.0 &&
                pool != nullptr && pool->calls.empty() && exponential(pool->service) &&
                s.mean_wait < 1e-9 * s.mean_service;
    }
    e.mean_session += journey.share * length;
  }
  e.offered_load = e.arrival_rate * e.mean_session;
  const double theta = room.patience ? 1.0 / room.patience->mean() : 0.0;
  if (!(e.mean_session > 0.0) || std::isinf(e.mean_session) || e.arrival_rate <= 0.0) {
    e.saturated = std::isinf(e.mean_session);
    e.mean_active = e.saturated ? static_cast<double>(room.max_active) : 0.0;
    e.admitted_rate = e.arrival_rate;  // nothing to judge the room by
    return e;
  }
  const double c = static_cast<double>(room.max_active);
  // Far more places than the load can fill (beyond ten standard deviations of a
  // Poisson number of sessions): nobody waits, and Erlang-A's chain would be needlessly
  // long.
  if (c > e.offered_load + 10.0 * std::sqrt(e.offered_load) + 100.0) {
    e.mean_active = e.offered_load;
    e.admitted_rate = e.arrival_rate;
    return e;
  }
  if (theta == 0.0 && e.offered_load >= c) {
    e.saturated = true;
    e.p_wait = 1.0;
    e.mean_wait = sim::kForever;
    e.mean_waiting = sim::kForever;
    e.mean_active = c;
    e.admitted_rate = c / e.mean_session;
    return e;
  }
  const auto q = sim::theory::erlang_a(e.arrival_rate, 1.0 / e.mean_session,
                                       static_cast<int>(room.max_active), theta);
  e.p_wait = q.p_wait;
  e.p_leave = q.p_abandon;
  e.mean_wait = q.mean_wait;
  e.mean_waiting = q.mean_queue;
  e.mean_active = q.utilization * c;
  e.admitted_rate = q.throughput;
  return e;
}

}  // namespace surgesim::models
