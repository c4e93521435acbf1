#include "sim/quantile_sketch.hpp"

#include <algorithm>
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
  log_gamma_ = std::log(gamma_);
  inv_log_gamma_ = 1.0 / log_gamma_;
  min_index_ = index(kMinIndexable);
  max_index_ = index(std::numeric_limits<double>::max());
}

void QuantileSketch::reject(double x) {
  throw std::invalid_argument("QuantileSketch::add: value must be finite and >= 0, got " +
                              std::to_string(x));
}

double QuantileSketch::value(int i) const {
  return 2.0 * std::exp(static_cast<double>(i) * log_gamma_) / (gamma_ + 1.0);
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
}

void QuantileSketch::merge(const QuantileSketch& other) {
  if (other.alpha_ != alpha_)
    throw std::invalid_argument("QuantileSketch::merge: relative accuracies differ");
  if (other.count_ == 0) return;

  // Only the occupied part of other's store needs to fit into ours.
  const auto& oc = other.counts_;
  const Span span = other.occupied();
  const auto end = oc.begin() + static_cast<std::ptrdiff_t>(span.last);
  const auto first = std::find_if(oc.begin() + static_cast<std::ptrdiff_t>(span.first), end,
                                  [](std::uint64_t c) { return c != 0; });
  if (first != end) {
    const int lo = other.offset_ + static_cast<int>(first - oc.begin());
    const int hi = other.offset_ + static_cast<int>(span.last) - 1;  // max_'s bucket
    cover(lo, hi);  // no-op for self-merge, so oc stays valid
    for (int i = lo; i <= hi; ++i)
      counts_[static_cast<std::size_t>(i - offset_)] +=
          oc[static_cast<std::size_t>(i - other.offset_)];
  }
  zero_count_ += other.zero_count_;
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

void QuantileSketch::clear() {
  const Span span = occupied();
  std::fill(counts_.begin() + static_cast<std::ptrdiff_t>(span.first),
            counts_.begin() + static_cast<std::ptrdiff_t>(span.last), 0);
  zero_count_ = 0;
  count_ = 0;
  min_ = std::numeric_limits<double>::infinity();
  max_ = -std::numeric_limits<double>::infinity();
}

QuantileSketch::Span QuantileSketch::occupied() const {
  // Nothing outside the zero count (an empty sketch included): max_ < kMinIndexable.
  if (count_ == zero_count_) return {0, 0};
  // Values below kMinIndexable were counted as zero, so min_ need not name a bucket.
  const int lo = min_ < kMinIndexable ? offset_ : index(min_);
  return {static_cast<std::size_t>(lo - offset_),
          static_cast<std::size_t>(index(max_) - offset_) + 1};
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
  const Span span = occupied();
  std::size_t k = span.first;
  std::uint64_t seen = zero_count_;
  for (std::size_t i = 0; i < n; ++i) {
    const double rank = qs[i] * static_cast<double>(count_ - 1);
    // The extreme order statistics are known exactly; the buckets are not.
    if (rank < 1.0) {
      out[i] = min_;
    } else if (rank >= static_cast<double>(count_ - 1)) {
      out[i] = max_;
    } else {
      out[i] = at_rank(rank, k, seen, span.last);
    }
  }
}

// The first bucket whose cumulative count exceeds rank. `seen` counts the zero bucket and
// slots [first, k); ranks come ascending, so each call resumes where the last one stopped
// (without passing the answer's slot, which may answer the next rank too).
double QuantileSketch::at_rank(double rank, std::size_t& k, std::uint64_t& seen,
                               std::size_t last) const {
  if (static_cast<double>(seen) > rank) return std::clamp(0.0, min_, max_);
  for (; k < last; ++k) {
    if (static_cast<double>(seen + counts_[k]) > rank)
      return std::clamp(value(offset_ + static_cast<int>(k)), min_, max_);
    seen += counts_[k];
  }
  return max_;  // unreachable: seen reaches count_ > rank
}

double QuantileSketch::min() const {
  return count_ == 0 ? kNaN : min_;
}
double QuantileSketch::max() const {
  return count_ == 0 ? kNaN : max_;
}

}  // namespace surgesim::sim
