#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "sim/event_key.hpp"
#include "sim/large_array.hpp"

namespace surgesim::sim {

// A priority queue of EventKeys for large n: a ladder queue (after Tang, Goh and Thng,
// "Ladder queue: an O(1) priority queue structure for large-scale discrete event
// simulation", 2005). Three tiers, each holding only keys later than the tier before:
//
//   bottom  a small sorted array: the keys about to fire;
//   rungs   up to kMaxRungs levels of unsorted buckets, each level splitting one bucket of
//           the level above into finer ones; a bucket is split (or sent to the bottom)
//           only when the bottom runs dry and its turn comes;
//   top     one unsorted bucket for keys later than everything the rungs were built from.
//
// A push appends to one bucket (or the top) in O(1); each key is moved a few times on its
// way down, sequentially, so the cost per event stays flat as n grows, where a heap or
// tree pays one cache miss per level.
//
// NOTE: buckets split the integer time key, not the double: the key is exact and ordered
// for every double (negative, infinite), and a bucket is a power-of-two key range, found
// with a subtraction and a shift. Keys in one binade are evenly spaced in time, so within
// a simulation's horizon the buckets are as even as time buckets would be.
//
// Buckets are chains of fixed-size chunks from one pool, so nothing is allocated per key
// once the pool has grown to the high-water mark. Equal keys always share a bucket, so
// same-time ties reach the bottom together, where the sort orders them by the tie word.
class LadderQueue {
 public:
  void push(EventKey e) {
    e = in_registers(e);
    ++size_;
    Bucket* b = &top_;
    if (e.time > top_limit_) {
      top_low_ = std::min(top_low_, e.time);
      top_high_ = std::max(top_high_, e.time);
    } else {
      b = rung_bucket(e.time);
      if (b == nullptr) {
        push_bottom(e);
        return;
      }
    }
    // The bucket is appended to at the next push, not now: a push lands in one of
    // thousands of buckets, whose line has mostly left the cache since the last key it
    // took, and waiting for it stalled every push. Fetched now, it has arrived by then.
    __builtin_prefetch(b, 1);
    if (deferred_ != nullptr) append(*deferred_, in_registers(deferred_key_));
    deferred_ = b;
    deferred_key_ = e;
  }

  // The earliest key, or nullptr when empty. May move keys down from the rungs.
  const EventKey* front() {
    if (next_ == bottom_.size() && !refill()) return nullptr;
    return &bottom_[next_];
  }
  // Precondition: front() returned a key.
  void pop_front() {
    ++next_;
    --size_;
  }

  std::size_t size() const { return size_; }
  // The keys in the bottom, earliest first: the next ones out.
  std::span<const EventKey> bottom() const {
    return std::span<const EventKey>(bottom_).subspan(next_);
  }

  // Calls f(key) for every key held, in no particular order.
  template <class F>
  void for_each(F f) const {
    auto visit = [&](const Bucket& b) { each_key(b, f); };
    if (deferred_ != nullptr) f(deferred_key_);
    visit(top_);
    for (std::size_t k = 0; k < rung_count_; ++k) {
      const Rung& r = rungs_[k];
      for (std::size_t at = r.next; at < r.buckets.size(); ++at) visit(r.buckets[at]);
    }
    for (const EventKey& e : bottom()) f(e);
  }

  // Drops every key for which keep(key) is false; O(size), allocates nothing.
  template <class Keep>
  void retain(Keep keep) {
    settle();
    size_ = 0;
    auto filter = [&](Bucket& b) {
      drain(std::exchange(b, Bucket{}), [&](const EventKey& e) {
        if (keep(e)) append(b, e);
      });
      size_ += b.count;
    };
    filter(top_);
    for (std::size_t k = 0; k < rung_count_; ++k) {
      Rung& r = rungs_[k];
      for (std::size_t at = r.next; at < r.buckets.size(); ++at) filter(r.buckets[at]);
    }
    bottom_.erase(bottom_.begin(), bottom_.begin() + static_cast<std::ptrdiff_t>(next_));
    next_ = 0;
    std::erase_if(bottom_, [&](const EventKey& e) { return !keep(e); });
    size_ += bottom_.size();
  }

  // Empties the queue; the memory stays for reuse.
  void clear();
  // Empties the queue and returns its memory.
  void release();
  void reserve(std::size_t n);

  // Memory held for keys, in bytes (chunks, bucket arrays, bottom): for tests and benches.
  std::size_t bytes() const;

 private:
  static constexpr std::uint32_t kNoChunk = 0xffffffffu;
  static constexpr std::size_t kChunkKeys = 16;      // 256 bytes per chunk
  static constexpr std::size_t kBottomMax = 48;      // a bucket this small goes to the bottom
  static constexpr std::size_t kKeysPerBucket = 32;  // what a new rung aims for
  // NOTE: a push appends to the part-filled chunk of its bucket; with at most 4096
  // buckets a rung, those chunks' lines stay in the L2 cache. Bigger rungs measured
  // slower at 10^6 pending events even though they need fewer rungs.
  static constexpr std::size_t kMaxBuckets = 4096;
  static constexpr std::size_t kMaxRungs = 8;
  static constexpr std::size_t kLookahead = 8;  // chunks prefetched ahead of a drain

  struct alignas(64) Chunk {
    EventKey keys[kChunkKeys];
  };
  // A chain of chunks: `head` is the one being filled, with count % kChunkKeys keys
  // (all kChunkKeys when that is 0 and count > 0); the chunks behind it are full.
  struct Bucket {
    std::uint32_t head = kNoChunk;
    std::uint32_t count = 0;
  };
  struct Rung {
    std::uint64_t base = 0;       // key of bucket 0's start
    std::uint32_t shift = 0;      // bucket i holds keys base + [i << shift, (i + 1) << shift)
    std::uint32_t next = 0;       // buckets before `next` went down (the last of them is split
                                  // into the rung below, or sits in the bottom)
    std::vector<Bucket> buckets;  // the last one also holds every key beyond it
  };

  // Keeps the bottom sorted: shifts the keys between the insertion point and the nearer
  // end of the bottom by one, into the room left by keys already taken if that is nearer.
  void push_bottom(const EventKey& e) {
    const auto first = bottom_.begin() + static_cast<std::ptrdiff_t>(next_);
    auto at = bottom_.end();
    if (at - first > 64) {
      at = std::upper_bound(first, at, e, before);
    } else {
      while (at != first && before(e, *(at - 1))) --at;  // new keys are mostly the latest
    }
    if (next_ > 0 && at - first < bottom_.end() - at) {
      --next_;
      std::move(first, at, first - 1);
      *(at - 1) = e;
    } else {
      bottom_.insert(at, e);
    }
  }

  // NOTE: a key is written as two 8-byte words (it arrives in two registers). Left to
  // itself, GCC copies it as one 16-byte value, and a 16-byte load of what two 8-byte
  // stores just wrote cannot be forwarded from them: it waits until every older store
  // has reached the cache, and the last push's store into a chunk line has mostly
  // missed (a third of the ladder's time in a whole sale day). An empty asm that claims
  // to change both words keeps them in registers, so every copy stays two words wide.
  static EventKey in_registers(EventKey e) {
    asm("" : "+r"(e.time), "+r"(e.order));
    return e;
  }

  // The rung bucket that takes a key no later than top_limit_, or nullptr for the bottom.
  Bucket* rung_bucket(std::uint64_t time) {
    for (std::size_t k = 0; k < rung_count_; ++k) {
      Rung& r = rungs_[k];
      if (time < r.base) break;  // below every rung from here on: the bottom's
      const std::size_t at =
          std::min<std::uint64_t>((time - r.base) >> r.shift, r.buckets.size() - 1);
      if (at >= r.next) return &r.buckets[at];
    }
    return nullptr;
  }

  // Appends the key whose append push() deferred; anything that reads or moves buckets
  // calls it first.
  void settle() {
    if (deferred_ == nullptr) return;
    append(*deferred_, in_registers(deferred_key_));
    deferred_ = nullptr;
  }

  void append(Bucket& b, const EventKey& e) {
    const std::size_t fill = b.count % kChunkKeys;
    if (fill == 0) b.head = new_chunk(b.head);
    chunks_[b.head].keys[fill] = e;
    ++b.count;
  }

  std::uint32_t new_chunk(std::uint32_t next) {
    std::uint32_t c = free_chunk_;
    if (c == kNoChunk) {
      c = static_cast<std::uint32_t>(chunks_.size());
      chunks_.emplace_back();
      chunk_next_.push_back(next);
    } else {
      free_chunk_ = chunk_next_[c];
      chunk_next_[c] = next;
    }
    return c;
  }

  // Calls f(key) for each key of `b`, then frees its chunks. f may append to any bucket:
  // a chunk is freed only once all its keys are read.
  template <class F>
  void drain(const Bucket& b, F f) {
    std::size_t in_chunk = b.count % kChunkKeys == 0 ? kChunkKeys : b.count % kChunkKeys;
    std::uint32_t ahead = b.count == 0 ? kNoChunk : b.head;
    for (std::size_t i = 0; i < kLookahead && ahead != kNoChunk; ++i) ahead = fetch(ahead);
    for (std::uint32_t c = b.count == 0 ? kNoChunk : b.head; c != kNoChunk;) {
      if (ahead != kNoChunk) ahead = fetch(ahead);
      for (std::size_t i = 0; i < in_chunk; ++i) f(EventKey{chunks_[c].keys[i]});
      const std::uint32_t next = chunk_next_[c];
      chunk_next_[c] = free_chunk_;
      free_chunk_ = c;
      c = next;
      in_chunk = kChunkKeys;
    }
  }

  // A chain's chunks lie anywhere in the pool and were written long ago: prefetch a few
  // ahead of the reader (the links are a small array, mostly in cache), so that reading
  // a chain is not one cache miss after another. Returns the chunk after `c`.
  std::uint32_t fetch(std::uint32_t c) const {
    const char* p = reinterpret_cast<const char*>(&chunks_[c]);
    for (std::size_t line = 0; line < sizeof(Chunk); line += 64) __builtin_prefetch(p + line);
    return chunk_next_[c];
  }

  template <class F>
  void each_key(const Bucket& b, F&& f) const {
    std::size_t in_chunk = b.count % kChunkKeys == 0 ? kChunkKeys : b.count % kChunkKeys;
    for (std::uint32_t c = b.count == 0 ? kNoChunk : b.head; c != kNoChunk; c = chunk_next_[c]) {
      for (std::size_t i = 0; i < in_chunk; ++i) f(chunks_[c].keys[i]);
      in_chunk = kChunkKeys;
    }
  }

  bool refill();
  void open_rung(const Bucket& b, std::uint64_t low, std::uint64_t high);
  void to_bottom(const Bucket& b);
  void sort_into_bottom(std::uint64_t low, std::uint64_t high);

  // Keys above top_limit_ go to the top; the rungs and the bottom hold none above it.
  // Zero sends (almost) everything to the top while the rungs are empty.
  std::uint64_t top_limit_ = 0;
  Bucket top_;
  std::uint64_t top_low_ = ~std::uint64_t{0};
  std::uint64_t top_high_ = 0;
  std::array<Rung, kMaxRungs> rungs_;
  std::size_t rung_count_ = 0;
  std::vector<EventKey> bottom_;  // sorted; the keys before next_ are taken
  std::size_t next_ = 0;
  std::vector<EventKey> moved_;      // scratch for sorting a bucket into the bottom
  std::vector<std::uint32_t> bins_;  // scratch, ditto
  std::vector<Chunk, LargeArray<Chunk>> chunks_;
  std::vector<std::uint32_t> chunk_next_;  // the chain behind a chunk, or the free list
  std::uint32_t free_chunk_ = kNoChunk;
  std::size_t size_ = 0;
  Bucket* deferred_ = nullptr;  // the bucket that takes deferred_key_ at the next push
  EventKey deferred_key_{};
};

}  // namespace surgesim::sim
