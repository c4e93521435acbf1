#pragma once

#include <vector>

#include "models/scenario.hpp"

namespace surgesim::models {

// One piece of the base rate: lambda(t) = rate_at_from + slope * (t - from) on
// [from, to). The first piece starts at -infinity and the last one ends at +infinity
// (both with slope 0).
struct BasePiece {
  Time from = 0.0;
  Time to = 0.0;
  double rate_at_from = 0.0;
  double slope = 0.0;
};

// The session rate lambda(t) = scale * (base(t) + sum of spikes(t)) of the scenario reference's
// `traffic`, in sessions per second:
// - base `rate`: constant;
// - base `profile`: linear between points, constant before the first and after the last;
// - base `csv`: constant from each row to the next and the last row's rate after it; 0
//   before the first row (when the first row's t is > 0, the shop is closed until then);
// - a spike rises linearly from 0 at `at - rise` to `peak` at `at`, then decays as
//   peak * exp(-(t - at) / decay) (decay 0: nothing after `at`).
// At a csv step lambda takes the new row's rate (right-continuous).
class RateFunction {
 public:
  explicit RateFunction(const TrafficConfig& config);

  double rate(Time t) const;
  // Exact (closed-form) integral of lambda over [a, b]; negative when b < a.
  double integral(Time a, Time b) const;
  // The supremum of lambda over [a, b] (left limits at csv steps included), so that it
  // bounds lambda everywhere in the interval.
  double peak(Time a, Time b) const { return peak_at(a, b).rate; }
  // The same and the first time lambda reaches it (or approaches it, at a csv step down).
  struct Peak {
    double rate;
    Time t;
  };
  Peak peak_at(Time a, Time b) const;

  // The unscaled base as pieces, and the spikes (unscaled): the traffic source draws
  // each of them as its own Poisson process.
  const std::vector<BasePiece>& base_pieces() const { return base_; }
  const std::vector<Spike>& spikes() const { return spikes_; }
  double scale() const { return scale_; }

 private:
  double base_rate(Time t) const;
  double base_integral_to(Time t) const;  // integral of the base over [0, t] (signed)
  double spikes_left_limit(Time t) const;

  std::vector<BasePiece> base_;
  std::vector<double> cumulative_;  // integral of the base over [0, base_[i].from]
  std::vector<Spike> spikes_;
  std::vector<Time> breakpoints_;  // sorted: every kink or jump of lambda
  double scale_ = 1.0;
};

// Unscaled value of one spike at t (right-continuous at `at`).
double spike_rate(const Spike& spike, Time t);
// Unscaled integral of one spike over [a, b], a <= b.
double spike_integral(const Spike& spike, Time a, Time b);

}  // namespace surgesim::models
