#include "models/sessions/traffic_rate.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace surgesim::models {
namespace {

constexpr Time kInfinity = std::numeric_limits<Time>::infinity();

std::vector<BasePiece> build_base(const TrafficConfig& config) {
  std::vector<BasePiece> pieces;
  switch (config.base) {
    case TrafficConfig::Base::rate:
      pieces.push_back({-kInfinity, kInfinity, config.rate, 0.0});
      break;
    case TrafficConfig::Base::profile: {
      const auto& p = config.profile;
      pieces.push_back({-kInfinity, p.front().at, p.front().rate, 0.0});
      for (std::size_t i = 0; i + 1 < p.size(); ++i) {
        const double slope = (p[i + 1].rate - p[i].rate) / (p[i + 1].at - p[i].at);
        pieces.push_back({p[i].at, p[i + 1].at, p[i].rate, slope});
      }
      pieces.push_back({p.back().at, kInfinity, p.back().rate, 0.0});
      break;
    }
    case TrafficConfig::Base::csv: {
      const auto& s = config.steps;
      pieces.push_back({-kInfinity, s.front().at, 0.0, 0.0});
      for (std::size_t i = 0; i + 1 < s.size(); ++i) {
        pieces.push_back({s[i].at, s[i + 1].at, s[i].rate, 0.0});
      }
      pieces.push_back({s.back().at, kInfinity, s.back().rate, 0.0});
      break;
    }
  }
  return pieces;
}

// The piece's formula at t (also its left limit at its end). Slope 0 is special-cased
// because the first piece starts at -infinity (0 * inf would be NaN).
double piece_value(const BasePiece& piece, Time t) {
  return piece.slope == 0.0 ? piece.rate_at_from
                            : piece.rate_at_from + piece.slope * (t - piece.from);
}

// r * x that is 0 when r is 0, also for an infinite x (a rate of 0 forever).
double constant_integral(double r, Time x) {
  return r == 0.0 ? 0.0 : r * x;
}

// Integral of a piece's formula over [from, t] (t may be +infinity on the last piece).
double piece_integral_to(const BasePiece& piece, Time t) {
  const Time x = t - piece.from;
  if (piece.slope == 0.0) return constant_integral(piece.rate_at_from, x);
  return x * (piece.rate_at_from + 0.5 * piece.slope * x);
}

}  // namespace

double spike_rate(const Spike& spike, Time t) {
  if (t == spike.at) return spike.peak;
  if (t < spike.at) {
    const Time start = spike.at - spike.rise;
    return spike.rise > 0.0 && t >= start ? spike.peak * (t - start) / spike.rise : 0.0;
  }
  return spike.decay > 0.0 ? spike.peak * std::exp(-(t - spike.at) / spike.decay) : 0.0;
}

double spike_integral(const Spike& spike, Time a, Time b) {
  double total = 0.0;
  if (spike.rise > 0.0) {
    const Time start = spike.at - spike.rise;
    const Time lo = std::max(a, start);
    const Time hi = std::min(b, spike.at);
    if (hi > lo) total += spike.peak / (2.0 * spike.rise) * (hi - lo) * (hi + lo - 2.0 * start);
  }
  if (spike.decay > 0.0) {
    const Time lo = std::max(a, spike.at);
    if (b > lo) {
      total += spike.peak * spike.decay * std::exp(-(lo - spike.at) / spike.decay) *
               -std::expm1(-(b - lo) / spike.decay);
    }
  }
  return total;
}

RateFunction::RateFunction(const TrafficConfig& config)
    : base_(build_base(config)), spikes_(config.spikes), scale_(config.scale) {
  // cumulative_[i] = integral of the base over [0, base_[i].from] for the finite
  // starts; the first piece is handled in base_integral_to.
  cumulative_.assign(base_.size(), 0.0);
  if (base_.size() > 1) {
    // The first piece's constant covers [0, first start] (signed if the start is < 0).
    cumulative_[1] = constant_integral(base_[0].rate_at_from, base_[1].from);
    for (std::size_t i = 1; i + 1 < base_.size(); ++i) {
      cumulative_[i + 1] = cumulative_[i] + piece_integral_to(base_[i], base_[i].to);
    }
  }
  for (std::size_t i = 1; i < base_.size(); ++i) breakpoints_.push_back(base_[i].from);
  for (const Spike& s : spikes_) {
    if (s.rise > 0.0) breakpoints_.push_back(s.at - s.rise);
    breakpoints_.push_back(s.at);
  }
  std::sort(breakpoints_.begin(), breakpoints_.end());
}

double RateFunction::base_rate(Time t) const {
  const auto it = std::upper_bound(base_.begin() + 1, base_.end(), t,
                                   [](Time x, const BasePiece& p) { return x < p.from; });
  return piece_value(*(it - 1), t);
}

double RateFunction::base_integral_to(Time t) const {
  const auto it = std::upper_bound(base_.begin() + 1, base_.end(), t,
                                   [](Time x, const BasePiece& p) { return x < p.from; });
  const auto i = static_cast<std::size_t>(it - base_.begin()) - 1;
  if (i == 0) return constant_integral(base_[0].rate_at_from, t);
  return cumulative_[i] + piece_integral_to(base_[i], t);
}

double RateFunction::spikes_left_limit(Time t) const {
  double sum = 0.0;
  for (const Spike& s : spikes_) {
    if (!(t == s.at && s.rise == 0.0)) sum += spike_rate(s, t);
  }
  return sum;
}

double RateFunction::rate(Time t) const {
  double sum = base_rate(t);
  for (const Spike& s : spikes_) sum += spike_rate(s, t);
  return scale_ * sum;
}

double RateFunction::integral(Time a, Time b) const {
  if (b < a) return -integral(b, a);
  double sum = base_integral_to(b) - base_integral_to(a);
  for (const Spike& s : spikes_) sum += spike_integral(s, a, b);
  return scale_ * sum;
}

RateFunction::Peak RateFunction::peak_at(Time a, Time b) const {
  if (b < a) std::swap(a, b);
  // Between two consecutive breakpoints the base is linear and every spike is linear,
  // a decaying exponential or 0, so lambda is convex there and its supremum is at an
  // end: the value at the start (lambda is right-continuous) or the left limit at the
  // end. The candidates are visited in time order, so ties keep the first.
  const auto left_limit = [this](Time t) {
    const auto it = std::lower_bound(base_.begin() + 1, base_.end(), t,
                                     [](const BasePiece& p, Time x) { return p.from < x; });
    return scale_ * (piece_value(*(it - 1), t) + spikes_left_limit(t));
  };
  Peak best{rate(a), a};
  const auto consider = [&best](double r, Time t) {
    if (r > best.rate) best = {r, t};
  };
  const auto first = std::upper_bound(breakpoints_.begin(), breakpoints_.end(), a);
  for (auto it = first; it != breakpoints_.end() && *it < b; ++it) {
    consider(left_limit(*it), *it);
    consider(rate(*it), *it);
  }
  if (b > a) consider(left_limit(b), b);
  consider(rate(b), b);
  return best;
}

}  // namespace surgesim::models
