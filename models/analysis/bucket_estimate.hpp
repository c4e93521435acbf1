#pragma once

#include <vector>

#include "models/analysis/analytic_estimate.hpp"
#include "models/scenario.hpp"
#include "models/series_table.hpp"

// The analytic estimate over time: one estimate per time bucket, at the session rate
// averaged over that bucket, so that a surge shows when each tier runs out of room
// (what `surgesim check --format json` prints and Python's surgesim.estimate returns).
namespace surgesim::models {

struct BucketEstimate {
  double t_s = 0.0;           // the bucket's start, seconds from the start of the run
  double width_s = 0.0;       // the bucket's width (the last one may be partial)
  AnalyticEstimate estimate;  // at lambda averaged over [t_s, t_s + width_s)
};

// A bucket of the scenario's `bucket` width from 0 to its duration, warm-up included.
std::vector<BucketEstimate> estimate_buckets(const Scenario& scenario);

// One row per bucket x service, in scenario order within a bucket:
// {t_s, service, lambda (requests/s), rho (utilisation; null where nothing queues),
//  p_wait, mean_wait_s, mean_response_s, instances_needed (the count of the service's
//  unit — pool instances, database connections, cache workers — that keeps it at most
//  at its autoscale target or 80% busy; null where nothing sizes it), unstable (it
//  cannot keep up, itself or through a callee: p_wait, waits and responses are then
//  null, never an invented number), type, servers, offered_load (Erlang), blocking
//  (payment gateways), p_leave (the waiting room: the share of arrivals whose patience
//  runs out; null for services), session_rate (sessions/s in the bucket)}. With a waiting room, a
//  row "waiting_room" (type "waiting_room") follows the services of each bucket.
Json estimate_rows(const std::vector<BucketEstimate>& buckets);

}  // namespace surgesim::models
