#pragma once

#include <cmath>
#include <cstdint>
#include <optional>

#include "sim/time.hpp"

// Options of a call between services (an entry of a pool's `calls`, a cache's `miss`)
// and of a journey's page retries: docs/scenario.md, "Call options".
namespace surgesim::models {

// After a failure, try again at most `max` times; retry k (k = 0, 1, ...) waits
// backoff x multiplier^k, scaled by a uniform factor in [1 - jitter, 1].
struct RetryConfig {
  int max = 0;
  sim::Time backoff = 0.0;
  double multiplier = 1.0;
  double jitter = 0.0;  // in [0, 1]

  // The wait before retry k; `u` is uniform in [0, 1) (unused without jitter).
  sim::Time delay(int k, double u) const {
    return backoff * std::pow(multiplier, k) * (1.0 - jitter * u);
  }
};

// A circuit breaker on a caller -> callee edge (see circuit_breaker.hpp).
struct BreakerConfig {
  double failure_rate = 0.5;  // in (0, 1]
  sim::Time window = 0.0;     // > 0
  std::uint32_t min_calls = 1;
  sim::Time open_for = 0.0;  // > 0
};

struct CallOptions {
  bool optional = false;  // a failed call leaves the caller answering success, degraded
  RetryConfig retry;
  std::optional<BreakerConfig> breaker;
};

}  // namespace surgesim::models
