#include "models/sessions/traffic_source.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace surgesim::models {
namespace {

// The x >= 0 with r * x + slope * x^2 / 2 = e, given that the piece holds at least e
// (so the discriminant is >= 0 up to rounding). This form has no cancellation for
// either sign of the slope and gives e / r when the slope is 0.
double linear_inverse(double r, double slope, double e) {
  const double discriminant = std::max(0.0, r * r + 2.0 * slope * e);
  return 2.0 * e / (r + std::sqrt(discriminant));
}

}  // namespace

TrafficSource::TrafficSource(const TrafficConfig& config, sim::RandomStream stream)
    : stream_(stream) {
  const RateFunction rate(config);
  base_ = rate.base_pieces();
  spikes_ = rate.spikes();
  pending_.assign(1 + spikes_.size(), -std::numeric_limits<Time>::infinity());
  inverse_scale_ = rate.scale() > 0.0 ? 1.0 / rate.scale() : 0.0;
  constant_ =
      spikes_.empty() && base_.size() == 1 && base_[0].slope == 0.0 && base_[0].to == sim::kForever;
}

Time TrafficSource::next_arrival(Time now) {
  if (inverse_scale_ == 0.0) return sim::kForever;
  if (constant_) {
    // base_after's last piece, the same operations in the same order.
    if (pending_[0] <= now) {
      const double e = stream_.exponential(1.0) * inverse_scale_;
      const double r = base_[0].rate_at_from;
      pending_[0] = r > 0.0 ? now + e / r : sim::kForever;
    }
    return pending_[0];
  }
  Time earliest = sim::kForever;
  for (std::size_t i = 0; i < pending_.size(); ++i) {
    if (pending_[i] <= now) {
      // Unit-rate exponential increment of the integrated (unscaled) rate.
      const double e = stream_.exponential(1.0) * inverse_scale_;
      pending_[i] = i == 0 ? base_after(now, e) : spike_after(spikes_[i - 1], now, e);
    }
    earliest = std::min(earliest, pending_[i]);
  }
  return earliest;
}

Time TrafficSource::base_after(Time t, double e) {
  while (base_[cursor_].to <= t) ++cursor_;
  while (base_[cursor_].from > t) --cursor_;  // only if a caller goes back in time
  for (;;) {
    const BasePiece& piece = base_[cursor_];
    const double r = piece.slope == 0.0 ? piece.rate_at_from
                                        : piece.rate_at_from + piece.slope * (t - piece.from);
    if (piece.to == sim::kForever) {  // the last piece is constant
      return r > 0.0 ? t + e / r : sim::kForever;
    }
    const Time length = piece.to - t;
    const double mass = length * (r + 0.5 * piece.slope * length);
    if (e < mass) return std::min(piece.to, t + linear_inverse(r, piece.slope, e));
    e -= mass;
    t = piece.to;
    ++cursor_;
  }
}

Time TrafficSource::spike_after(const Spike& spike, Time t, double e) {
  const Time start = spike.at - spike.rise;
  t = std::max(t, start);
  if (t < spike.at) {  // on the rise (rise > 0 here)
    const double slope = spike.peak / spike.rise;
    const double r = slope * (t - start);
    const Time length = spike.at - t;
    const double mass = length * (r + 0.5 * slope * length);
    if (e < mass) return std::min(spike.at, t + linear_inverse(r, slope, e));
    e -= mass;
    t = spike.at;
  }
  if (spike.decay <= 0.0) return sim::kForever;
  // What the decay still holds after t is finite: beyond it there are no more arrivals.
  const double remaining = spike.peak * spike.decay * std::exp(-(t - spike.at) / spike.decay);
  if (e >= remaining) return sim::kForever;
  return t - spike.decay * std::log1p(-e / remaining);
}

}  // namespace surgesim::models
