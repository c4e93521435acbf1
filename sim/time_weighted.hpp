#pragma once

#include <cassert>

namespace surgesim::sim {

// Time-average of a piecewise-constant quantity (queue length, busy workers):
// integrates value dt exactly between change points instead of sampling.
class TimeWeighted {
 public:
  explicit TimeWeighted(double start_t = 0.0, double value = 0.0)
      : start_(start_t), last_t_(start_t), value_(value) {}

  // The value changes at t; t must be non-decreasing across calls.
  void set(double t, double value) {
    advance(t);
    value_ = value;
  }

  // value += delta at t.
  void add(double t, double delta) {
    advance(t);
    value_ += delta;
  }

  // Forget the area before t but keep the current value, e.g. at the end of
  // warm-up, so the transient does not bias the steady-state average.
  void restart(double t) {
    advance(t);
    start_ = t;
    area_ = 0.0;
  }

  // Appends `later`, a window of the same quantity that starts at or after this one's
  // last change and runs to `end`: its area is added and its level becomes the current.
  void absorb(const TimeWeighted& later, double end) {
    advance(later.start_);
    area_ += later.area(end);
    last_t_ = end;
    value_ = later.value_;
  }

  double value() const { return value_; }

  // Integral of the value from the (re)start to end_t (end_t >= last change).
  double area(double end_t) const {
    assert(end_t >= last_t_);
    return area_ + value_ * (end_t - last_t_);
  }

  // area / (end_t - start); the current value if the window has zero length.
  double mean(double end_t) const {
    const double len = end_t - start_;
    return len > 0.0 ? area(end_t) / len : value_;
  }

 private:
  void advance(double t) {
    assert(t >= last_t_);
    area_ += value_ * (t - last_t_);
    last_t_ = t;
  }

  double start_;
  double last_t_;
  double value_;
  double area_ = 0.0;
};

}  // namespace surgesim::sim
