#pragma once

#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace surgesim::sim {

// Mergeable log-bucketed quantile sketch in the style of DDSketch (Masson,
// Rim & Lee, VLDB 2019), used for latency percentiles without storing samples.
//
// Guarantee: with relative accuracy alpha, every quantile reported is within
// alpha relative error of an exact order statistic of the data, namely the
// one selected by the rank convention below (|estimate - x| <= alpha * x).
// Values below kMinIndexable (1e-9) are counted as zero and reported as 0.
//
// Buckets are equal steps of a cheap stand-in for the logarithm (DDSketch's cubically
// interpolated mapping): the exponent of x plus a cubic in its significand that meets
// log2 at every power of two. A step of it spans at most 0.7 in ln x, where log2's step
// spans ln 2 = 0.693, so the steps are sized for that worst case: bucket (lo, hi] has
// hi/lo <= gamma = (1+alpha)/(1-alpha) and reports 2*lo*hi/(lo+hi), within alpha of
// both ends, with about 1% more buckets than exact logarithms would need. Recording a
// value costs a few multiplications instead of a call to log (the hot path records
// every response twice: statistics window and time bucket share one key).
// Counts live in a dense vector over [offset, offset+size) that grows with
// slack on demand, so once the value range has been seen, add() never
// allocates. The range is bounded by the indexable doubles (~73k buckets at
// alpha = 0.005), so memory stays bounded whatever the input.
//
// A bitmap beside the counts marks the non-zero buckets (one OR per add), and
// every non-zero bucket lies between the buckets of the exact min and max: reading,
// merging and clearing visit the marked buckets of that span only, so a sketch
// read and cleared every time bucket costs what the bucket recorded, not what the
// store grew to over the run.
class QuantileSketch {
 public:
  static constexpr double kMinIndexable = 1e-9;

  // relative_accuracy must be in [1e-6, 1); throws std::invalid_argument.
  explicit QuantileSketch(double relative_accuracy = 0.005);

  // A value with its bucket index computed: one index serves every sketch of the same
  // accuracy that records it (e.g. a statistics window and a time bucket).
  struct Key {
    double x;
    int index;
  };
  // x must be finite and >= 0 (throws std::invalid_argument otherwise).
  Key key(double x) const {
    // One range test rejects negatives, NaN and +inf together.
    if (!(x >= 0.0 && x <= std::numeric_limits<double>::max())) [[unlikely]]
      reject(x);
    return {x, x < kMinIndexable ? 0 : index(x)};
  }

  // Hot path: an index from the bits of x, an increment.
  void add(double x) { add(key(x)); }
  // The key must come from a sketch of the same accuracy.
  void add(Key k) {
    const double x = k.x;
    ++count_;
    // The extremes' bucket indices are kept beside them: every read, merge and clear
    // starts from the span they bound, and time buckets do that every bucket.
    if (x < min_) {
      min_ = x;
      min_key_ = k.index;
    }
    if (x > max_) {
      max_ = x;
      max_key_ = k.index;
    }
    if (x < kMinIndexable) {
      ++zero_count_;
      return;
    }
    const int i = k.index;
    // Unsigned wrap makes an index below offset_ fail the same bound check.
    auto slot = static_cast<std::size_t>(static_cast<std::ptrdiff_t>(i) -
                                         static_cast<std::ptrdiff_t>(offset_));
    if (slot >= counts_.size()) [[unlikely]]
      slot = grow_to(i);
    ++counts_[slot];
    occupied_[slot / 64] |= std::uint64_t{1} << (slot % 64);
  }

  // Exact: the result has the same bucket counts as a sketch of the union.
  // Both sketches must have the same accuracy (std::invalid_argument).
  void merge(const QuantileSketch& other);

  // merge(other), then other.clear(), in one walk over other's buckets.
  void take(QuantileSketch& other);

  // Forget all data but keep the bucket storage for reuse.
  void clear();

  std::uint64_t count() const { return count_; }

  // Rank convention (DDSketch's default "lower" quantile): with n values
  // sorted as x_0 <= ... <= x_{n-1}, estimates x_k for k = floor(q*(n-1)),
  // i.e. the smallest value whose cumulative count exceeds q*(n-1). x_0 and
  // x_{n-1} are returned exactly (min/max); other estimates are clamped to
  // [min, max], which can only move them closer to x_k.
  // q must be in [0, 1] (std::invalid_argument); NaN if empty.
  double quantile(double q) const;
  // quantile(qs[k]) for every k, in one pass over the buckets; qs must be ascending.
  void quantiles(const double* qs, double* out, std::size_t n) const;

  double relative_accuracy() const { return alpha_; }
  // Exact extremes of the data; NaN if empty.
  double min() const;
  double max() const;

 private:
  // The stand-in for log2(x) (x a positive normal double with exponent e and significand
  // 1 + s): approx_log2(x) = e + P(s). A bucket index is ceil(approx_log2(x) * m), m =
  // multiplier_, evaluated as (mA s + mB) s^2 + (mC s + m e): its chain of dependent
  // operations is half of Horner's, and every response recorded waits for it before its
  // count can go up.
  static double approx_exp2(double y);  // the inverse of approx_log2
  int index(double x) const {
    const auto bits = std::bit_cast<std::uint64_t>(x);
    const auto exponent = static_cast<int>((bits >> 52) & 0x7ff) - 1023;
    const double s =
        std::bit_cast<double>((bits & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL) - 1.0;
    const double y = (scaled_[0] * s + scaled_[1]) * (s * s) +
                     (scaled_[2] * s + multiplier_ * static_cast<double>(exponent));
    return ceil_int(y);
  }
  // std::ceil for the index range: truncation is the ceiling of a negative y already, and
  // one more than it for a positive y with a fraction. Portable x86-64 builds have no
  // rounding instruction (SSE4.1), so std::ceil there is a dozen dependent instructions
  // on every response recorded.
  static int ceil_int(double y) {
    const int t = static_cast<int>(y);
    return t + (static_cast<double>(t) < y ? 1 : 0);
  }
  double bucket_value(int i) const;  // what bucket i reports
  // P(s) = A s^3 + B s^2 + C s: P(0) = 0, P(1) = 1, increasing on [0, 1].
  static constexpr double kCubicA = 6.0 / 35.0;
  static constexpr double kCubicB = -3.0 / 5.0;
  static constexpr double kCubicC = 10.0 / 7.0;
  [[noreturn]] static void reject(double x);
  std::size_t grow_to(int i);
  void cover(int lo, int hi);
  // merge()'s walk; with `emptied` (= &other), other's buckets are zeroed as they are read.
  void add_counts(const QuantileSketch& other, QuantileSketch* emptied);
  void reset_summary();  // count, zero count and extremes of an empty sketch
  // Slots [first, last) of counts_ that hold every non-zero count (empty when none).
  struct Span {
    std::size_t first, last;
  };
  Span occupied() const;
  // Calls visit(slot) for every non-zero slot, ascending, until it returns true.
  template <class Visit>
  void for_each_occupied(Visit&& visit) const;

  double alpha_;
  double gamma_;
  double multiplier_;  // buckets per unit of approx_log2
  double scaled_[3];   // multiplier_ times the cubic's A, B and C
  int min_index_;      // index of kMinIndexable
  int max_index_;      // index of the largest finite double
  int offset_ = 0;     // bucket index of counts_[0]
  std::vector<std::uint64_t> counts_;
  std::vector<std::uint64_t> occupied_;  // bit k of word k / 64: counts_[k] != 0
  std::vector<double> values_;           // bucket_value of each slot of counts_
  std::uint64_t zero_count_ = 0;
  std::uint64_t count_ = 0;
  double min_ = std::numeric_limits<double>::infinity();
  double max_ = -std::numeric_limits<double>::infinity();
  int min_key_ = 0;  // index(min_), when min_ >= kMinIndexable
  int max_key_ = 0;  // index(max_), when max_ >= kMinIndexable
};

}  // namespace surgesim::sim
