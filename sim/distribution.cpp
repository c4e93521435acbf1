#include "sim/distribution.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>
#include <utility>

#include "sim/portable_exp.hpp"

namespace surgesim::sim {
namespace {

// Shortest text that reads back as the same double ("0.03", not "0.029999999999999999").
std::string fmt(double x) {
  char buf[32];
  const auto result = std::to_chars(buf, buf + sizeof buf, x);
  return std::string(buf, result.ptr);
}

[[noreturn]] void fail(const std::string& what, const std::string& rule, const std::string& found) {
  throw std::invalid_argument(what + " must be " + rule + ", found " + found);
}

void require_finite(const std::string& name, double v) {
  if (!std::isfinite(v)) fail(name, "a finite number", fmt(v));
}

void require_positive(const std::string& name, double v) {
  require_finite(name, v);
  if (!(v > 0.0)) fail(name, "> 0", fmt(v));
}

void require_non_negative(const std::string& name, double v) {
  require_finite(name, v);
  if (!(v >= 0.0)) fail(name, ">= 0", fmt(v));
}

std::string list(const std::vector<double>& xs) {
  std::string s = "[";
  for (std::size_t i = 0; i < xs.size(); ++i) s += (i ? ", " : "") + fmt(xs[i]);
  return s + "]";
}

}  // namespace

Distribution::Distribution() = default;

// Parameters that are each finite can still give moments that overflow (a lognormal with
// sigma = 30, a Weibull with shape = 0.001); reject those rather than report inf.
void Distribution::set_moments(double mean, double variance, const char* culprit,
                               double culprit_value) {
  if (!std::isfinite(mean) || !std::isfinite(variance)) {
    fail(culprit, "small enough that the mean and variance fit in a double", fmt(culprit_value));
  }
  mean_ = mean;
  variance_ = std::max(variance, 0.0);  // tgamma differences can round below 0
}

Distribution Distribution::constant(double value) {
  require_non_negative("value", value);
  Distribution d;
  d.kind_ = DistributionKind::constant;
  d.a_ = d.arg1_ = value;
  d.set_moments(value, 0.0, "value", value);
  return d;
}

Distribution Distribution::exponential(double mean) {
  require_positive("mean", mean);
  Distribution d;
  d.kind_ = DistributionKind::exponential;
  d.a_ = d.arg1_ = mean;
  d.set_moments(mean, mean * mean, "mean", mean);
  return d;
}

Distribution Distribution::uniform(double min, double max) {
  require_non_negative("min", min);
  require_non_negative("max", max);
  if (max < min) fail("max", ">= min (" + fmt(min) + ")", fmt(max));
  Distribution d;
  d.kind_ = DistributionKind::uniform;
  d.a_ = d.arg1_ = min;
  d.arg2_ = max;
  d.b_ = max - min;
  d.set_moments(min + 0.5 * d.b_, d.b_ * d.b_ / 12.0, "max", max);
  return d;
}

Distribution Distribution::lognormal_median_sigma(double median, double sigma) {
  require_positive("median", median);
  require_non_negative("sigma", sigma);
  Distribution d;
  d.kind_ = DistributionKind::lognormal;
  d.a_ = d.arg1_ = median;
  d.b_ = d.arg2_ = sigma;
  const double s2 = sigma * sigma;
  const double mean = median * std::exp(0.5 * s2);
  d.set_moments(mean, mean * mean * std::expm1(s2), "sigma", sigma);
  return d;
}

Distribution Distribution::lognormal_mean_cv(double mean, double cv) {
  require_positive("mean", mean);
  require_non_negative("cv", cv);
  Distribution d;
  d.kind_ = DistributionKind::lognormal;
  d.alt_form_ = true;
  d.arg1_ = mean;
  d.arg2_ = cv;
  const double s2 = std::log1p(cv * cv);  // E[X^2]/E[X]^2 = exp(sigma^2) = 1 + cv^2
  d.a_ = mean * std::exp(-0.5 * s2);
  d.b_ = std::sqrt(s2);
  d.set_moments(mean, (mean * cv) * (mean * cv), "cv", cv);
  return d;
}

Distribution Distribution::gamma_mean_cv(double mean, double cv) {
  require_positive("mean", mean);
  require_positive("cv", cv);
  const double shape = 1.0 / (cv * cv);
  if (!std::isfinite(shape) || !(shape > 0.0)) {
    fail("cv", "such that the shape 1/cv^2 is a positive finite double", fmt(cv));
  }
  Distribution d;
  d.kind_ = DistributionKind::gamma;
  d.arg1_ = mean;
  d.arg2_ = cv;
  // Marsaglia & Tsang (2000) need shape >= 1; for shape < 1 they sample shape + 1 and
  // multiply by U^(1/shape).
  const double boosted = shape < 1.0 ? shape + 1.0 : shape;
  d.a_ = boosted - 1.0 / 3.0;
  d.b_ = 1.0 / std::sqrt(9.0 * d.a_);
  d.c_ = mean / shape;
  d.e_ = shape < 1.0 ? 1.0 / shape : 0.0;
  d.set_moments(mean, (mean * cv) * (mean * cv), "cv", cv);
  return d;
}

Distribution Distribution::erlang(int k, double mean) {
  if (k < 1) fail("k", ">= 1", std::to_string(k));
  require_positive("mean", mean);
  Distribution d;
  d.kind_ = DistributionKind::erlang;
  d.k_ = k;
  d.arg1_ = mean;
  d.c_ = mean / k;
  d.a_ = k - 1.0 / 3.0;
  d.b_ = 1.0 / std::sqrt(9.0 * d.a_);
  d.set_moments(mean, mean * mean / k, "mean", mean);
  return d;
}

Distribution Distribution::weibull(double shape, double scale) {
  require_positive("shape", shape);
  require_positive("scale", scale);
  Distribution d;
  d.kind_ = DistributionKind::weibull;
  d.arg1_ = shape;
  d.a_ = d.arg2_ = scale;
  d.b_ = 1.0 / shape;
  const double g1 = std::tgamma(1.0 + 1.0 / shape);
  const double g2 = std::tgamma(1.0 + 2.0 / shape);
  d.set_moments(scale * g1, scale * scale * (g2 - g1 * g1), "shape", shape);
  return d;
}

Distribution Distribution::empirical(std::vector<double> values, std::vector<double> weights) {
  if (values.empty()) fail("values", "non-empty", "an empty list");
  for (std::size_t i = 0; i < values.size(); ++i) {
    require_non_negative("values[" + std::to_string(i) + "]", values[i]);
  }
  const bool weighted = !weights.empty();
  if (!weighted) {
    weights.assign(values.size(), 1.0);
  } else if (weights.size() != values.size()) {
    fail("the number of weights",
         "equal to the number of values (" + std::to_string(values.size()) + ")",
         std::to_string(weights.size()));
  }
  Distribution d;
  d.kind_ = DistributionKind::empirical;
  d.cumulative_.reserve(weights.size());
  double total = 0.0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    require_non_negative("weights[" + std::to_string(i) + "]", weights[i]);
    total += weights[i];
    d.cumulative_.push_back(total);
    if (weights[i] > 0.0) d.last_positive_ = i;
  }
  if (!std::isfinite(total)) fail("the sum of weights", "finite", fmt(total));
  if (!(total > 0.0)) fail("the sum of weights", "> 0", fmt(total));
  // Two passes: the variance from sum(w (v - mean)^2) does not cancel like E[X^2] - mean^2.
  double mean = 0.0;
  for (std::size_t i = 0; i < values.size(); ++i) mean += weights[i] * values[i];
  mean /= total;
  double variance = 0.0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    const double dev = values[i] - mean;
    variance += weights[i] * dev * dev;
  }
  variance /= total;
  d.set_moments(mean, variance, "the largest value",
                *std::max_element(values.begin(), values.end()));
  d.values_ = std::move(values);
  if (weighted) d.weights_ = std::move(weights);
  return d;
}

double Distribution::sample_other(RandomStream& rng) const {
  switch (kind_) {
    case DistributionKind::constant:
      return a_;
    case DistributionKind::exponential:
      return rng.exponential(a_);
    case DistributionKind::uniform:
      return a_ + b_ * rng.uniform01();
    case DistributionKind::lognormal:
      // Draws even when sigma = 0, so what-ifs over sigma stay in step on this stream.
      return a_ * portable_exp(b_ * rng.normal());
    case DistributionKind::gamma:
      return sample_gamma(rng);
    case DistributionKind::erlang:
      if (k_ <= kErlangDirectMax) {
        // One log of a product instead of k logs; with k <= 4 uniforms >= 2^-53 the
        // product cannot underflow.
        double product = rng.uniform_open01();
        for (int i = 1; i < k_; ++i) product *= rng.uniform_open01();
        return -c_ * std::log(product);
      }
      return sample_gamma(rng);
    case DistributionKind::weibull:
      return a_ * std::pow(-std::log(rng.uniform_open01()), b_);
    case DistributionKind::empirical:
      return sample_empirical(rng);
  }
  return 0.0;  // unreachable: every kind returns above
}

// Marsaglia & Tsang (2000), "A simple method for generating gamma variables".
double Distribution::sample_gamma(RandomStream& rng) const {
  const double d = a_;
  const double c = b_;
  for (;;) {
    double x = 0.0;
    double v = 0.0;
    do {
      x = rng.normal();
      v = 1.0 + c * x;
    } while (v <= 0.0);
    v = v * v * v;
    const double u = rng.uniform_open01();
    const double x2 = x * x;
    if (u < 1.0 - 0.0331 * x2 * x2 || std::log(u) < 0.5 * x2 + d * (1.0 - v + std::log(v))) {
      double g = d * v * c_;
      if (e_ > 0.0) g *= std::pow(rng.uniform_open01(), e_);
      return g;
    }
  }
}

double Distribution::sample_empirical(RandomStream& rng) const {
  const double u = rng.uniform01() * cumulative_.back();
  // First running sum above u; zero-weight entries never are, as their sum equals the
  // previous one. Clamp for u * total rounding up to total.
  const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), u);
  const auto i = std::min(static_cast<std::size_t>(it - cumulative_.begin()), last_positive_);
  return values_[i];
}

std::string Distribution::describe() const {
  switch (kind_) {
    case DistributionKind::constant:
      return "constant(value=" + fmt(arg1_) + ")";
    case DistributionKind::exponential:
      return "exponential(mean=" + fmt(arg1_) + ")";
    case DistributionKind::uniform:
      return "uniform(min=" + fmt(arg1_) + ", max=" + fmt(arg2_) + ")";
    case DistributionKind::lognormal:
      return alt_form_ ? "lognormal(mean=" + fmt(arg1_) + ", cv=" + fmt(arg2_) + ")"
                       : "lognormal(median=" + fmt(arg1_) + ", sigma=" + fmt(arg2_) + ")";
    case DistributionKind::gamma:
      return "gamma(mean=" + fmt(arg1_) + ", cv=" + fmt(arg2_) + ")";
    case DistributionKind::erlang:
      return "erlang(k=" + std::to_string(k_) + ", mean=" + fmt(arg1_) + ")";
    case DistributionKind::weibull:
      return "weibull(shape=" + fmt(arg1_) + ", scale=" + fmt(arg2_) + ")";
    case DistributionKind::empirical: {
      constexpr std::size_t kMaxListed = 8;  // beyond this a summary reads better
      if (values_.size() > kMaxListed) {
        return "empirical(n=" + std::to_string(values_.size()) + ", mean=" + fmt(mean_) + ")";
      }
      std::string s = "empirical(values=" + list(values_);
      if (!weights_.empty()) s += ", weights=" + list(weights_);
      return s + ")";
    }
  }
  return "";  // unreachable: every kind returns above
}

}  // namespace surgesim::sim
