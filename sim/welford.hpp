#pragma once

#include <cstdint>

namespace surgesim::sim {

// Streaming mean/variance (Welford 1962). Numerically stable where the naive
// sum/sum-of-squares formula cancels catastrophically, and mergeable (Chan et
// al. 1979) so per-replication or per-thread accumulators can be combined.
class Welford {
 public:
  void add(double x) {
    ++n_;
    const double delta = x - mean_;
    mean_ += delta / static_cast<double>(n_);
    m2_ += delta * (x - mean_);
  }

  void merge(const Welford& other) {
    if (other.n_ == 0) return;
    if (n_ == 0) {
      *this = other;
      return;
    }
    const double na = static_cast<double>(n_);
    const double nb = static_cast<double>(other.n_);
    const double n = na + nb;
    const double delta = other.mean_ - mean_;
    mean_ += delta * (nb / n);
    m2_ += other.m2_ + delta * delta * (na * nb / n);
    n_ += other.n_;
  }

  std::uint64_t count() const { return n_; }
  // 0 if empty.
  double mean() const { return mean_; }
  // Sample (n-1) variance; 0 if n < 2.
  double variance() const { return n_ < 2 ? 0.0 : m2_ / static_cast<double>(n_ - 1); }

 private:
  std::uint64_t n_ = 0;
  double mean_ = 0.0;
  double m2_ = 0.0;  // sum of squared deviations from the running mean
};

}  // namespace surgesim::sim
