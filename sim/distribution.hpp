#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "sim/random_stream.hpp"

namespace surgesim::sim {

enum class DistributionKind {
  constant,
  exponential,
  uniform,
  lognormal,
  gamma,
  erlang,
  weibull,
  empirical
};

// A non-negative random variate (a duration or an amount of money). A small value type:
// factories validate once and precompute sampler constants and the exact moments, so
// sample() is a switch with no allocation and mean()/variance() are lookups.
//
// Factories throw std::invalid_argument with a message naming the parameter, the rule
// and the value found (e.g. "mean must be > 0, found -1"); the scenario loader shows it
// to users after the file position and key path. NaN and infinities are always rejected.
class Distribution {
 public:
  Distribution();  // constant 0

  static Distribution constant(double value);           // value >= 0
  static Distribution exponential(double mean);         // mean > 0
  static Distribution uniform(double min, double max);  // 0 <= min <= max
  // exp(N(log median, sigma^2)); median > 0, sigma >= 0.
  static Distribution lognormal_median_sigma(double median, double sigma);
  // The lognormal with this mean and coefficient of variation; mean > 0, cv >= 0 (cv = 0
  // is the constant `mean`).
  static Distribution lognormal_mean_cv(double mean, double cv);
  // Shape 1/cv^2, scale mean*cv^2; mean > 0, cv > 0. cv = 1 is exponential.
  static Distribution gamma_mean_cv(double mean, double cv);
  // Sum of k exponentials of mean mean/k; k >= 1, mean > 0.
  static Distribution erlang(int k, double mean);
  // P(X > x) = exp(-(x/scale)^shape); shape > 0, scale > 0.
  static Distribution weibull(double shape, double scale);
  // Discrete: value i with probability weights[i] / sum(weights); equal weights if none
  // are given. values non-empty and >= 0; weights as many as values, >= 0, sum > 0.
  static Distribution empirical(std::vector<double> values, std::vector<double> weights = {});

  // The two kinds on every hot path (constant think times, exponential work) inline.
  double sample(RandomStream& rng) const {
    if (kind_ == DistributionKind::constant) return a_;
    if (kind_ == DistributionKind::exponential) return rng.exponential(a_);
    return sample_other(rng);
  }

  DistributionKind kind() const { return kind_; }
  double mean() const { return mean_; }
  double variance() const { return variance_; }
  // Squared coefficient of variation, variance/mean^2 (0 if mean == 0).
  double scv() const { return mean_ == 0.0 ? 0.0 : variance_ / (mean_ * mean_); }
  // e.g. "exponential(mean=0.03)", in the parameters the distribution was built from.
  std::string describe() const;

 private:
  // Every kind, out of line; sample() answers constant and exponential before calling
  // it, and the switch keeps them so that it is right on its own.
  double sample_other(RandomStream& rng) const;
  double sample_gamma(RandomStream& rng) const;
  double sample_empirical(RandomStream& rng) const;
  void set_moments(double mean, double variance, const char* culprit, double culprit_value);

  DistributionKind kind_ = DistributionKind::constant;
  // Sums of at most this many exponentials beat Marsaglia-Tsang (one normal, one
  // uniform and sometimes two logs) for Erlang sampling.
  static constexpr int kErlangDirectMax = 4;

  // The factory's arguments, for describe(); which ones depends on kind_. alt_form_:
  // a lognormal built from (mean, cv) rather than (median, sigma).
  double arg1_ = 0.0;
  double arg2_ = 0.0;
  bool alt_form_ = false;
  // Sampler constants:
  //   constant: a_ = value.          exponential: a_ = mean.
  //   uniform: a_ = min, b_ = max - min.
  //   lognormal: a_ = median, b_ = sigma.
  //   gamma, erlang (k > kErlangDirectMax): Marsaglia-Tsang for shape s' (s' = s, or
  //     s + 1 if s < 1) with a_ = d = s' - 1/3, b_ = 1/sqrt(9d), c_ = scale, and
  //     e_ = 1/s if s < 1 (the U^(1/s) boost), else 0.
  //   erlang (k <= kErlangDirectMax): c_ = mean/k.
  //   weibull: a_ = scale, b_ = 1/shape.
  double a_ = 0.0;
  double b_ = 0.0;
  double c_ = 0.0;
  double e_ = 0.0;
  int k_ = 0;
  double mean_ = 0.0;
  double variance_ = 0.0;
  // Empirical only: the values, the running sums of their weights, and the weights as
  // given (empty if none were; kept for describe()).
  std::vector<double> values_;
  std::vector<double> cumulative_;
  std::vector<double> weights_;
  std::size_t last_positive_ = 0;  // last index with weight > 0
};

}  // namespace surgesim::sim
