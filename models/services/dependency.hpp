#pragma once

#include <cstdint>
#include <optional>

#include "models/services/call_options.hpp"
#include "models/services/circuit_breaker.hpp"
#include "sim/event_queue.hpp"
#include "sim/random_stream.hpp"

namespace surgesim::models {

class Service;

// One caller -> callee edge at run time (an entry of a pool's `calls`, a cache's miss):
// the call's options, its circuit breaker, and the target of the timers of attempts
// waiting out a retry backoff. The caller's Service drives it (Service::call).
class Dependency final : public sim::EventTarget {
 public:
  Dependency(Service& caller, std::uint32_t callee, double p, const CallOptions& options,
             sim::RandomStream jitter);

  std::uint32_t callee() const { return callee_; }
  double p() const { return p_; }  // the probability a request makes the call
  bool optional() const { return optional_; }
  const RetryConfig& retry() const { return retry_; }
  CircuitBreaker* breaker() { return breaker_ ? &*breaker_ : nullptr; }
  // The wait before retry k (0-based), jitter drawn from the edge's own stream.
  sim::Time backoff(int k);

  // A backoff is over: the caller's request `arg` makes its next attempt.
  void on_event(std::uint32_t tag, std::uint32_t arg) override;

 private:
  Service* caller_;
  std::uint32_t callee_;
  double p_;
  bool optional_;
  RetryConfig retry_;
  std::optional<CircuitBreaker> breaker_;
  sim::RandomStream jitter_;
};

}  // namespace surgesim::models
