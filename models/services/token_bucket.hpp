#pragma once

#include <algorithm>

#include "sim/time.hpp"

namespace surgesim::models {

// `rate_limit` of any service: a token bucket holding at most `burst` tokens (full at
// the start) and refilled at `rate` per second. Over any span of length T it lets at most
// burst + rate x T requests through, and under overload exactly that many.
struct RateLimitConfig {
  double rate = 0.0;   // tokens per second
  double burst = 1.0;  // the most tokens it holds (>= 1)
};

class TokenBucket {
 public:
  explicit TokenBucket(const RateLimitConfig& config)
      : rate_(config.rate), burst_(config.burst), tokens_(config.burst) {}

  // Takes a token if there is one at time `now` (non-decreasing between calls).
  bool take(sim::Time now) {
    tokens_ = std::min(burst_, tokens_ + rate_ * (now - last_));
    last_ = now;
    // The refill is a sum of many small products: a token that is whole but for
    // rounding counts as whole.
    if (tokens_ < 1.0 - 1e-9) return false;
    tokens_ = std::max(0.0, tokens_ - 1.0);
    return true;
  }

 private:
  double rate_;
  double burst_;
  double tokens_;
  sim::Time last_ = 0.0;
};

}  // namespace surgesim::models
