#include "models/services/circuit_breaker.hpp"

namespace surgesim::models {

CircuitBreaker::State CircuitBreaker::state(sim::Time now) const {
  if (state_ == State::open && now >= opened_t_ + config_.open_for) return State::half_open;
  return state_;
}

CircuitBreaker::Admission CircuitBreaker::admit(sim::Time now) {
  switch (state(now)) {
    case State::closed:
      return Admission::pass;
    case State::open:
      return Admission::refuse;
    case State::half_open:
      break;
  }
  state_ = State::half_open;
  if (trial_in_flight_) return Admission::refuse;
  trial_in_flight_ = true;
  return Admission::trial;
}

void CircuitBreaker::ended(sim::Time now, bool failed, bool trial) {
  if (trial) {
    trial_in_flight_ = false;
    if (failed) {
      open(now);
    } else {
      state_ = State::closed;
      head_ = count_ = failures_ = 0;
    }
    return;
  }
  if (state_ != State::closed) return;
  forget_before(now - config_.window);
  if (count_ == ends_.size()) {  // full: unroll the ring into a larger one
    std::vector<End> larger;
    larger.reserve(ends_.empty() ? 16 : 2 * ends_.size());
    for (std::size_t i = 0; i < count_; ++i) larger.push_back(ends_[(head_ + i) % ends_.size()]);
    larger.resize(larger.capacity());
    ends_ = std::move(larger);
    head_ = 0;
  }
  ends_[(head_ + count_) % ends_.size()] = {now, failed};
  ++count_;
  failures_ += failed ? 1 : 0;
  // failures / count >= failure_rate, without the rounding of a division.
  if (count_ >= config_.min_calls &&
      static_cast<double>(failures_) >= config_.failure_rate * static_cast<double>(count_) - 1e-9) {
    open(now);
  }
}

// Ends at or before `t` fall out of the window (it holds the ends within the last
// `window`, the current instant included).
void CircuitBreaker::forget_before(sim::Time t) {
  while (count_ > 0 && ends_[head_].t <= t) {
    failures_ -= ends_[head_].failed ? 1 : 0;
    head_ = (head_ + 1) % ends_.size();
    --count_;
  }
}

void CircuitBreaker::open(sim::Time now) {
  state_ = State::open;
  opened_t_ = now;
}

}  // namespace surgesim::models
