#include "models/services/dependency.hpp"

#include "models/services/service.hpp"

namespace surgesim::models {

Dependency::Dependency(Service& caller, std::uint32_t callee, double p, const CallOptions& options,
                       sim::RandomStream jitter)
    : caller_(&caller),
      callee_(callee),
      p_(p),
      optional_(options.optional),
      retry_(options.retry),
      jitter_(jitter) {
  if (options.breaker) breaker_.emplace(*options.breaker);
}

sim::Time Dependency::backoff(int k) {
  // No draw without jitter, so adding retries elsewhere never shifts this stream.
  return retry_.delay(k, retry_.jitter > 0.0 ? jitter_.uniform01() : 0.0);
}

void Dependency::on_event(std::uint32_t, std::uint32_t arg) {
  caller_->attempt_call(arg);
}

}  // namespace surgesim::models
