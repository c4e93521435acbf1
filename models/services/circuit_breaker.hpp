#pragma once

#include <cstdint>
#include <vector>

#include "models/services/call_options.hpp"

namespace surgesim::models {

// The circuit breaker of one caller -> callee edge (docs/scenario.md, "Call options").
// Closed, it counts the attempts that reached the callee and ended within the last
// `window` and opens when at least `min_calls` ended and a fraction >= `failure_rate`
// failed, judged whenever one ends. Open, it refuses every attempt for `open_for`; then
// it is half-open: one trial attempt goes through (the others are refused while it is in
// flight), and its success closes the breaker with an empty window, its failure opens it
// again. Ends of attempts that were let through before it opened change nothing until
// it is closed again.
class CircuitBreaker {
 public:
  enum class State : std::uint8_t { closed, open, half_open };
  enum class Admission : std::uint8_t { pass, trial, refuse };

  explicit CircuitBreaker(const BreakerConfig& config) : config_(config) {}

  // Whether an attempt made at `now` may reach the callee (times never decrease).
  Admission admit(sim::Time now);
  // An attempt that reached the callee ended (`failed`: any failure but a decline);
  // `trial`: it was the half-open trial.
  void ended(sim::Time now, bool failed, bool trial);
  // The trial's answer will never come (its caller died): the next attempt is the trial.
  void trial_lost() { trial_in_flight_ = false; }
  // The state at `now`: an open breaker whose `open_for` has passed is half-open.
  State state(sim::Time now) const;

 private:
  struct End {
    sim::Time t;
    bool failed;
  };
  void open(sim::Time now);
  void forget_before(sim::Time t);

  BreakerConfig config_;
  State state_ = State::closed;
  sim::Time opened_t_ = 0.0;
  bool trial_in_flight_ = false;
  // Ends within the window, oldest first: a ring over `ends_` that grows to the most
  // ends a window has held and is reused after that (no allocation in steady state).
  std::vector<End> ends_;
  std::size_t head_ = 0;
  std::size_t count_ = 0;
  std::size_t failures_ = 0;
};

}  // namespace surgesim::models
