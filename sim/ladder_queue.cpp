#include "sim/ladder_queue.hpp"

#include <algorithm>
#include <bit>
#include <cassert>

namespace surgesim::sim {

// Runs only when the bottom is empty: takes the earliest non-empty bucket of the lowest
// rung (rebuilding the rungs from the top when they are used up) and either sends it to
// the bottom or splits it into a new rung below.
bool LadderQueue::refill() {
  assert(next_ == bottom_.size());
  settle();
  for (;;) {
    if (rung_count_ == 0) {
      if (top_.count == 0) return false;
      const Bucket all = std::exchange(top_, Bucket{});
      const std::uint64_t low = std::exchange(top_low_, ~std::uint64_t{0});
      const std::uint64_t high = std::exchange(top_high_, 0);
      top_limit_ = high;
      if (all.count > kBottomMax && low != high) {
        open_rung(all, low, high);
        continue;
      }
      to_bottom(all);
      return true;
    }
    Rung& r = rungs_[rung_count_ - 1];
    const std::size_t n = r.buckets.size();
    while (r.next < n && r.buckets[r.next].count == 0) ++r.next;
    if (r.next == n) {
      --rung_count_;
      continue;
    }
    const Bucket b = std::exchange(r.buckets[r.next++], Bucket{});
    if (b.count > kBottomMax && rung_count_ < kMaxRungs) {
      std::uint64_t low = ~std::uint64_t{0};
      std::uint64_t high = 0;
      each_key(b, [&](const EventKey& e) {
        low = std::min(low, e.time);
        high = std::max(high, e.time);
      });
      // Keys all equal cannot be split: the bottom orders them by their tie word.
      if (low != high) {
        open_rung(b, low, high);
        continue;
      }
    }
    to_bottom(b);
    return true;
  }
}

// Spreads the keys of `b`, all within [low, high] (low < high), over a new lowest rung
// of about b.count / kKeysPerBucket buckets, at least two, so low and high part ways.
void LadderQueue::open_rung(const Bucket& b, std::uint64_t low, std::uint64_t high) {
  Rung& r = rungs_[rung_count_++];
  const std::uint64_t range = high - low;
  const std::size_t wanted =
      std::bit_ceil(std::clamp<std::size_t>(b.count / kKeysPerBucket, 2, kMaxBuckets));
  const int bits = std::countr_zero(wanted);
  const int width = std::bit_width(range);
  r.shift = static_cast<std::uint32_t>(width > bits ? width - bits : 0);
  r.base = low;
  r.next = 0;
  r.buckets.assign(static_cast<std::size_t>(range >> r.shift) + 1, Bucket{});
  drain(b, [&](const EventKey& e) { append(r.buckets[(e.time - low) >> r.shift], e); });
}

void LadderQueue::to_bottom(const Bucket& b) {
  moved_.clear();
  std::uint64_t low = ~std::uint64_t{0};
  std::uint64_t high = 0;
  drain(b, [&](const EventKey& e) {
    moved_.push_back(e);
    low = std::min(low, e.time);
    high = std::max(high, e.time);
  });
  sort_into_bottom(low, high);
}

// Sorts moved_, whose times lie in [low, high], into the (empty) bottom: a counting sort
// on the time into about twice as many bins as keys, then an insertion sort that only
// has to order keys sharing a bin. O(keys) and few mispredicted branches, where a
// comparison sort or a heap costs one per comparison. Keys all at one time (or too many
// to be worth binning) get a plain sort.
void LadderQueue::sort_into_bottom(std::uint64_t low, std::uint64_t high) {
  const std::size_t n = moved_.size();
  bottom_.resize(n);
  next_ = 0;
  if (low == high || n > 4 * kBottomMax || n < 4) {
    std::copy(moved_.begin(), moved_.end(), bottom_.begin());
    std::sort(bottom_.begin(), bottom_.end(),
              [](const EventKey& a, const EventKey& b) { return before(a, b); });
    return;
  }
  const int bits = std::bit_width(2 * n - 1);  // 2n <= bins < 4n
  const int width = std::bit_width(high - low);
  const int shift = width > bits ? width - bits : 0;
  bins_.assign(std::size_t{1} << bits, 0);
  for (const EventKey& e : moved_) ++bins_[(e.time - low) >> shift];
  std::uint32_t start = 0;
  for (std::uint32_t& bin : bins_) start += std::exchange(bin, start);
  for (const EventKey& e : moved_) bottom_[bins_[(e.time - low) >> shift]++] = e;
  for (std::size_t i = 1; i < n; ++i) {
    if (!before(bottom_[i], bottom_[i - 1])) continue;
    const EventKey e = bottom_[i];
    std::size_t j = i;
    do {
      bottom_[j] = bottom_[j - 1];
    } while (--j > 0 && before(e, bottom_[j - 1]));
    bottom_[j] = e;
  }
}

void LadderQueue::clear() {
  deferred_ = nullptr;
  top_limit_ = 0;
  top_ = Bucket{};
  top_low_ = ~std::uint64_t{0};
  top_high_ = 0;
  rung_count_ = 0;
  bottom_.clear();
  next_ = 0;
  chunks_.clear();
  chunk_next_.clear();
  free_chunk_ = kNoChunk;
  size_ = 0;
}

void LadderQueue::release() {
  clear();
  for (Rung& r : rungs_) std::vector<Bucket>().swap(r.buckets);
  std::vector<EventKey>().swap(bottom_);
  std::vector<EventKey>().swap(moved_);
  std::vector<std::uint32_t>().swap(bins_);
  decltype(chunks_)().swap(chunks_);
  std::vector<std::uint32_t>().swap(chunk_next_);
}

void LadderQueue::reserve(std::size_t n) {
  // Every key in a chunk, plus a part-filled chunk for each bucket of a first rung.
  const std::size_t chunks = n / kChunkKeys + n / kKeysPerBucket + 1;
  chunks_.reserve(chunks);
  chunk_next_.reserve(chunks);
  rungs_[0].buckets.reserve(
      std::bit_ceil(std::clamp<std::size_t>(n / kKeysPerBucket, 2, kMaxBuckets)));
  bottom_.reserve(2 * kBottomMax);
  moved_.reserve(2 * kBottomMax);
  bins_.reserve(8 * kBottomMax);
}

std::size_t LadderQueue::bytes() const {
  std::size_t total = chunks_.capacity() * sizeof(Chunk) +
                      chunk_next_.capacity() * sizeof(std::uint32_t) +
                      (bottom_.capacity() + moved_.capacity()) * sizeof(EventKey) +
                      bins_.capacity() * sizeof(std::uint32_t);
  for (const Rung& r : rungs_) total += r.buckets.capacity() * sizeof(Bucket);
  return total;
}

}  // namespace surgesim::sim
