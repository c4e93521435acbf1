#include "sim/quantile_sketch.hpp"

#include <algorithm>
#include <bit>
#include <iterator>
#include <stdexcept>
#include <string>

namespace surgesim::sim {

namespace {
// Headroom when the store first allocates or grows; larger growths add half
// the new span so a drifting range costs amortised O(1) per add.
constexpr int kMinSlack = 64;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

QuantileSketch::QuantileSketch(double relative_accuracy) : alpha_(relative_accuracy) {
  // Below 1e-6 the dense store gets impractically large and int indices
  // could overflow near the largest doubles.
  if (!(relative_accuracy >= 1e-6 && relative_accuracy < 1.0))
    throw std::invalid_argument("QuantileSketch: relative_accuracy must be in [1e-6, 1)");
  gamma_ = (1.0 + alpha_) / (1.0 - alpha_);
  // d(ln x)/d(approx_log2) = 1 / ((1 + s) P'(s)) is largest at s = 0, where it is
  // 1 / C = 0.7: a bucket 1/multiplier_ wide in approx_log2 spans at most ln(gamma).
  multiplier_ = (1.0 / kCubicC) / std::log(gamma_);
  scaled_[0] = multiplier_ * kCubicA;
  scaled_[1] = multiplier_ * kCubicB;
  scaled_[2] = multiplier_ * kCubicC;
  min_index_ = index(kMinIndexable);
  max_index_ = index(std::numeric_limits<double>::max());
}

void QuantileSketch::reject(double x) {
  throw std::invalid_argument("QuantileSketch::add: value must be finite and >= 0, got " +
                              std::to_string(x));
}

double QuantileSketch::approx_exp2(double y) {
  const double exponent = std::floor(y);
  const double f = y - exponent;
  // The root in [0, 1] of P(s) = f by Newton's method. P is increasing and concave there
  // with s <= P(s) <= C s, so the root lies in [f / C, f]; from f / C every step stays
  // below the root and moves towards it, and six steps reach the last bit (the error
  // squares each step from below 0.3). Cheaper than Cardano's cube and square roots:
  // reading a quantile costs two of these, and time buckets read several per bucket.
  constexpr double a = kCubicA, b = kCubicB, c = kCubicC;
  double s = f / c;
  for (int k = 0; k < 6; ++k)
    s -= (((a * s + b) * s + c) * s - f) / ((3.0 * a * s + 2.0 * b) * s + c);
  return std::ldexp(1.0 + std::clamp(s, 0.0, 1.0), static_cast<int>(exponent));
}

double QuantileSketch::bucket_value(int i) const {
  const double lo = approx_exp2(static_cast<double>(i - 1) / multiplier_);
  const double hi = approx_exp2(static_cast<double>(i) / multiplier_);
  return 2.0 * lo * hi / (lo + hi);
}

std::size_t QuantileSketch::grow_to(int i) {
  cover(i, i);
  return static_cast<std::size_t>(i - offset_);
}

// Ensure bucket indices [lo, hi] are addressable, keeping existing counts.
void QuantileSketch::cover(int lo, int hi) {
  const int cur_lo = offset_;
  const int cur_hi = offset_ + static_cast<int>(counts_.size()) - 1;
  if (!counts_.empty() && lo >= cur_lo && hi <= cur_hi) return;

  int new_lo = counts_.empty() ? lo : std::min(lo, cur_lo);
  int new_hi = counts_.empty() ? hi : std::max(hi, cur_hi);
  const int slack = std::max(kMinSlack, (new_hi - new_lo + 1) / 2);
  if (counts_.empty() || new_lo < cur_lo) new_lo = std::max(min_index_, new_lo - slack);
  if (counts_.empty() || new_hi > cur_hi) new_hi = std::min(max_index_, new_hi + slack);

  std::vector<std::uint64_t> grown(static_cast<std::size_t>(new_hi - new_lo + 1), 0);
  if (!counts_.empty())
    std::copy(counts_.begin(), counts_.end(), grown.begin() + (cur_lo - new_lo));
  counts_.swap(grown);
  offset_ = new_lo;
  // Reading a quantile reports its bucket's value; time buckets read a dozen per bucket,
  // so each slot's value is computed once, when the store first covers it.
  std::vector<double> values(counts_.size());
  const std::size_t kept = values_.size();
  const std::size_t shift = kept == 0 ? 0 : static_cast<std::size_t>(cur_lo - new_lo);
  for (std::size_t k = 0; k < values.size(); ++k) {
    values[k] = k >= shift && k - shift < kept ? values_[k - shift]
                                               : bucket_value(offset_ + static_cast<int>(k));
  }
  values_.swap(values);
  occupied_.assign((counts_.size() + 63) / 64, 0);
  for (std::size_t k = 0; k < counts_.size(); ++k) {
    if (counts_[k] != 0) occupied_[k / 64] |= std::uint64_t{1} << (k % 64);
  }
}

template <class Visit>
void QuantileSketch::for_each_occupied(Visit&& visit) const {
  const Span span = occupied();
  if (span.first == span.last) return;
  for (std::size_t w = span.first / 64; w <= (span.last - 1) / 64; ++w) {
    for (std::uint64_t bits = occupied_[w]; bits != 0; bits &= bits - 1) {
      if (visit(w * 64 + static_cast<std::size_t>(std::countr_zero(bits)))) return;
    }
  }
}

void QuantileSketch::merge(const QuantileSketch& other) {
  add_counts(other, nullptr);
}

void QuantileSketch::take(QuantileSketch& other) {
  add_counts(other, &other);
  other.reset_summary();
}

void QuantileSketch::add_counts(const QuantileSketch& other, QuantileSketch* emptied) {
  if (other.alpha_ != alpha_)
    throw std::invalid_argument("QuantileSketch::merge: relative accuracies differ");
  if (other.count_ == 0) return;

  // Only the occupied part of other's store needs to fit into ours. The span starts at
  // the least value's bucket, which is occupied unless that value was counted as zero.
  const Span span = other.occupied();
  if (span.first != span.last) {
    std::size_t first = span.first;
    if (other.min_ < kMinIndexable) {
      first = span.last;
      other.for_each_occupied([&](std::size_t k) {
        first = k;
        return true;
      });
    }
    cover(other.offset_ + static_cast<int>(first),
          other.offset_ + static_cast<int>(span.last) - 1);  // no-op for self-merge
    const int shift = other.offset_ - offset_;
    other.for_each_occupied([&](std::size_t k) {
      const auto slot = static_cast<std::size_t>(static_cast<int>(k) + shift);
      counts_[slot] += other.counts_[k];
      occupied_[slot / 64] |= std::uint64_t{1} << (slot % 64);
      // Emptied in the same walk: a time bucket's sketch goes into the total and starts
      // over at every bucket's end, and a second walk to clear it cost as much again.
      if (emptied != nullptr) {
        emptied->counts_[k] = 0;
        emptied->occupied_[k / 64] = 0;
      }
      return false;
    });
  }
  zero_count_ += other.zero_count_;
  count_ += other.count_;
  if (other.min_ < min_) {
    min_ = other.min_;
    min_key_ = other.min_key_;
  }
  if (other.max_ > max_) {
    max_ = other.max_;
    max_key_ = other.max_key_;
  }
}

void QuantileSketch::clear() {
  for_each_occupied([&](std::size_t k) {
    counts_[k] = 0;
    occupied_[k / 64] = 0;
    return false;
  });
  reset_summary();
}

void QuantileSketch::reset_summary() {
  zero_count_ = 0;
  count_ = 0;
  min_ = std::numeric_limits<double>::infinity();
  max_ = -std::numeric_limits<double>::infinity();
}

QuantileSketch::Span QuantileSketch::occupied() const {
  // Nothing outside the zero count (an empty sketch included): max_ < kMinIndexable.
  if (count_ == zero_count_) return {0, 0};
  // Values below kMinIndexable were counted as zero, so min_ need not name a bucket.
  const int lo = min_ < kMinIndexable ? offset_ : min_key_;
  return {static_cast<std::size_t>(lo - offset_), static_cast<std::size_t>(max_key_ - offset_) + 1};
}

double QuantileSketch::quantile(double q) const {
  double out;
  quantiles(&q, &out, 1);
  return out;
}

void QuantileSketch::quantiles(const double* qs, double* out, std::size_t n) const {
  for (std::size_t i = 0; i < n; ++i) {
    if (!(qs[i] >= 0.0 && qs[i] <= 1.0))
      throw std::invalid_argument("QuantileSketch::quantile: q must be in [0, 1]");
    if (i > 0 && qs[i] < qs[i - 1])
      throw std::invalid_argument("QuantileSketch::quantiles: q must be ascending");
  }
  if (count_ == 0) {
    std::fill(out, out + n, kNaN);
    return;
  }
  // Ranks the exact extremes or the zero bucket answer are settled first. The others
  // (ascending, like qs) are met by walking the non-zero buckets, the lower half of the
  // ranks upwards from the least bucket, the upper half downwards from the greatest: tail
  // quantiles sit a few buckets below the max.
  std::size_t pending[8];
  double ranks[8];
  std::size_t waiting = 0, upper = 0;  // pending[upper, waiting) walk downwards
  const double middle = 0.5 * static_cast<double>(count_ - 1);
  for (std::size_t i = 0; i < n; ++i) {
    const double rank = qs[i] * static_cast<double>(count_ - 1);
    if (rank < 1.0) {
      out[i] = min_;
    } else if (rank >= static_cast<double>(count_ - 1)) {
      out[i] = max_;
    } else if (static_cast<double>(zero_count_) > rank) {
      out[i] = std::clamp(0.0, min_, max_);
    } else if (waiting < std::size(pending)) {
      if (rank <= middle) upper = waiting + 1;
      pending[waiting] = i;
      ranks[waiting++] = rank;
    } else {
      quantiles(&qs[i], &out[i], 1);  // beyond one walk's worth: a walk of its own
    }
  }
  const auto estimate = [&](std::size_t k) { return std::clamp(values_[k], min_, max_); };
  // Upwards: the first bucket whose cumulative count (zero bucket included) exceeds rank.
  std::size_t next = 0;
  if (upper > 0) {
    std::uint64_t seen = zero_count_;
    for_each_occupied([&](std::size_t k) {
      seen += counts_[k];
      for (; next<upper&& static_cast<double>(seen)> ranks[next]; ++next)
        out[pending[next]] = estimate(k);
      return next == upper;
    });
  }
  for (; next < upper; ++next) out[pending[next]] = max_;  // unreachable: seen reaches count_
  if (upper == waiting) return;
  // Downwards: the same bucket, found as the first one down whose count below (the
  // cumulative count of the next non-zero bucket down) no longer exceeds rank; below the
  // least bucket lies the zero bucket, which exceeds no rank walked.
  const Span span = occupied();
  std::size_t last = waiting;
  std::uint64_t above = 0;
  for (std::size_t w = (span.last - 1) / 64 + 1; w-- > span.first / 64 && last > upper;) {
    for (std::uint64_t bits = occupied_[w]; bits != 0 && last > upper;) {
      const int b = 63 - std::countl_zero(bits);
      bits &= ~(std::uint64_t{1} << b);
      const std::size_t k = w * 64 + static_cast<std::size_t>(b);
      above += counts_[k];
      for (; last > upper && !(static_cast<double>(count_ - above) > ranks[last - 1]); --last)
        out[pending[last - 1]] = estimate(k);
    }
  }
  for (; last > upper; --last) out[pending[last - 1]] = max_;  // unreachable, as above
}

double QuantileSketch::min() const {
  return count_ == 0 ? kNaN : min_;
}
double QuantileSketch::max() const {
  return count_ == 0 ? kNaN : max_;
}

}  // namespace surgesim::sim
