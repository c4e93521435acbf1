#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>

#include "sim/quantile_sketch.hpp"
#include "sim/time.hpp"
#include "sim/time_weighted.hpp"
#include "sim/welford.hpp"

namespace surgesim::models {

using Json = nlohmann::ordered_json;

// What one service records over the statistics window [warmup, duration).
struct ServiceStats {
  std::uint64_t arrivals = 0;   // reached the service, rejected ones included
  std::uint64_t started = 0;    // began their own work
  std::uint64_t waited = 0;     // started after waiting in the queue
  std::uint64_t completed = 0;  // answered with success
  std::uint64_t rejected = 0;
  std::uint64_t timeouts = 0;
  std::uint64_t abandoned = 0;  // left the queue because the shopper gave up
  std::uint64_t wasted = 0;     // finished after the shopper had given up
  std::uint64_t errors = 0;
  sim::Welford wait;      // arrival -> start of own work
  sim::Welford response;  // arrival -> successful response
  sim::QuantileSketch response_quantiles;
  sim::TimeWeighted busy;       // busy workers
  sim::TimeWeighted available;  // workers that could serve
  sim::TimeWeighted queue;      // requests waiting
  sim::TimeWeighted instances;

  // Forgets everything before t (end of warm-up) but keeps the current levels.
  void restart(sim::Time t);
  Json to_json(sim::Time end) const;
};

// JSON null for a statistic with no observations (e.g. a quantile of nothing).
Json number_or_null(double x);

}  // namespace surgesim::models
