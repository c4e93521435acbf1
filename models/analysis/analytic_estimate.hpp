#pragma once

#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "models/analysis/waiting_room_estimate.hpp"
#include "models/scenario.hpp"
#include "models/services/service_estimate.hpp"

namespace surgesim::models {

// What queueing theory predicts for each service at the scenario's peak session rate,
// before simulating. Visits per session come from each journey's Markov chain (sparse:
// journey_chain.hpp); request rates then flow down the call graph (calls x p, cache
// misses x (1 - hit ratio), each service's capped at its rate limit); response times come
// back up it, callees first: a pool's worker is held for its own work plus the response
// of every call it makes. Each tier is an M/M/c queue
// with the Allen-Cunneen correction for the variability of its service time (Erlang B
// for payment providers, which turn payments beyond their concurrency away).
// Shoppers who give up or retry, timeouts, outages, crashes, cold caches and database
// contention are ignored, so it is an estimate: good for sizing at a glance and for
// spotting a tier that cannot keep up.

struct AnalyticEstimate {
  double session_rate = 0.0;  // the peak session rate the estimate is for
  // When the traffic first reaches that rate, in seconds from time 0 (NaN when the rate
  // was given: estimate_at).
  double session_rate_t = std::numeric_limits<double>::quiet_NaN();
  // Expected page views per session, per journey, in page order.
  std::vector<std::vector<double>> visits;
  std::vector<ServiceEstimate> services;  // in scenario order
  // With a waiting room: Erlang-A over sessions; the services are then estimated at the
  // rate of admitted sessions.
  std::optional<WaitingRoomEstimate> waiting_room;
};

// Requires a valid scenario (as the loader returns): no call cycles, no unknown names.
AnalyticEstimate estimate(const Scenario& scenario);
// The same at a given session rate (sessions per second) instead of the peak.
AnalyticEstimate estimate_at(const Scenario& scenario, double session_rate);

}  // namespace surgesim::models
