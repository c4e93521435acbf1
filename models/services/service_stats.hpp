#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/quantile_sketch.hpp"
#include "sim/time.hpp"
#include "sim/time_weighted.hpp"
#include "sim/welford.hpp"

namespace surgesim::models {

using Json = nlohmann::ordered_json;

// What one service records over a window (the statistics window [warmup, duration) or
// one time bucket).
struct ServiceStats {
  std::uint64_t arrivals = 0;   // reached the service, rejected ones included
  std::uint64_t started = 0;    // began their own work
  std::uint64_t waited = 0;     // started after waiting in the queue
  std::uint64_t completed = 0;  // answered with success
  std::uint64_t rejected = 0;
  std::uint64_t timeouts = 0;
  std::uint64_t abandoned = 0;        // left the queue because the shopper gave up
  std::uint64_t wasted = 0;           // finished after the shopper had given up
  std::uint64_t errors = 0;           // answered error, outage or pool_timeout
  std::uint64_t outages = 0;          // of which outage
  std::uint64_t pool_timeouts = 0;    // of which pool_timeout
  std::uint64_t declined = 0;         // payment declines (a business answer, not an error)
  std::uint64_t hits = 0;             // cache lookups that hit
  std::uint64_t misses = 0;           // cache lookups that went to the backend
  std::uint64_t rate_limited = 0;     // refused by the token bucket (also in rejected)
  std::uint64_t degraded = 0;         // answered success after a failed optional call
  std::uint64_t short_circuited = 0;  // call attempts refused by an open breaker
  sim::Welford wait;                  // arrival -> start of own work
  sim::Welford response;              // arrival -> successful response
  sim::QuantileSketch response_quantiles;
  sim::TimeWeighted busy;         // busy workers
  sim::TimeWeighted available;    // workers that could serve
  sim::TimeWeighted queue;        // requests waiting
  sim::TimeWeighted instances;    // instances serving
  sim::TimeWeighted provisioned;  // instances paid for: serving, booting, down or draining

  sim::QuantileSketch& sketch() { return response_quantiles; }
  // Forgets everything before t but keeps the current levels.
  void restart(sim::Time t);
  // Adds `later`, the statistics of the window that follows this one up to `end`.
  void absorb(const ServiceStats& later, sim::Time end);
  // absorb(later, end), then later.restart(end): the sketch moves across in one walk.
  void take(ServiceStats& later, sim::Time end);
  double utilization(sim::Time end) const;
  Json to_json(sim::Time end, double cost_per_instance_hour) const;
};

// Columns of a service's time series after "t_s" (see series_table.hpp).
const std::vector<std::string>& service_series_columns();
// One row of those columns for a bucket ending at `end`, written into `row` (whose
// storage is reused bucket after bucket).
void service_row(const ServiceStats& bucket, sim::Time end, std::vector<double>& row);

// JSON null for a statistic with no observations (e.g. a quantile of nothing).
Json number_or_null(double x);
// Mean, p50, p95, p99 of a sketch + Welford pair; NaN when empty.
struct LatencySummary {
  double mean, p50, p95, p99;
};
LatencySummary summarize_latency(const sim::Welford& w, const sim::QuantileSketch& q);

}  // namespace surgesim::models
