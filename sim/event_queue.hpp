#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <new>
#include <vector>

#include "sim/time.hpp"

namespace surgesim::sim {

// Anything that receives events. One virtual call per event: a plain dispatch on
// `tag` inside the target replaces a std::function per event.
class EventTarget {
 public:
  virtual void on_event(std::uint32_t tag, std::uint32_t arg) = 0;

 protected:
  ~EventTarget() = default;
};

// Refers to a scheduled event; stale after the event fired or was cancelled
// (slots are reused, the generation tells them apart).
struct EventHandle {
  static constexpr std::uint32_t kNone = 0xffffffffu;
  std::uint32_t slot = kNone;
  std::uint32_t generation = 0;
  bool empty() const { return slot == kNone; }
};

// Pending-event set: a 4-ary tournament (winner) tree over pooled slots. Ties at the
// same time run by ascending `priority`, then in scheduling order (a sequence number),
// so runs are reproducible. Memory grows with the most events ever pending at once,
// never per event fired: slots are recycled, and the tree has one leaf per slot.
//
// Why a tournament tree rather than a heap: every event slot is a leaf and each inner
// node holds the earliest entry below it, so schedule, pop and cancel all rewrite one
// leaf and replay the matches on its path to the root, O(log slots). The path is known
// from the slot number alone, so the loads run ahead: the best of a node's three
// siblings is found off the critical path, which is left with one branch-free compare
// per level. A heap's sift-down must finish each level's compares before it knows
// where to load next. pop() defers the replay of the leaf it empties: the next
// schedule() usually takes that very slot (the free list is LIFO), and one replay
// serves both.
//
// An entry is 16 bytes, the time as an order-preserving integer plus one word holding
// priority, sequence number and slot, so comparing two is one 128-bit compare, and
// four siblings share a cache line.
class EventQueue {
 public:
  static constexpr std::uint8_t kDefaultPriority = 128;

  struct Fired {
    Time t;
    EventTarget* target;
    std::uint32_t tag;
    std::uint32_t arg;
  };

  EventHandle schedule(Time t, EventTarget* target, std::uint32_t tag, std::uint32_t arg = 0,
                       std::uint8_t priority = kDefaultPriority) {
    if (sequence_ >= sequence_limit_) renumber();
    const std::uint32_t slot = acquire(target, tag, arg);
    tree_[first_leaf_ + slot] = Entry{time_key(t), (std::uint64_t{priority} << kPriorityShift) |
                                                       (sequence_++ << kSlotBits) | slot};
    ++size_;
    if (stale_ != slot) settle();
    stale_ = kNoSlot;
    replay(slot);
    return EventHandle{slot, slots_[slot].generation};
  }

  // Removes a pending event and clears the handle; a stale or empty handle is a no-op.
  bool cancel(EventHandle& handle) {
    const bool pending = is_pending(handle);
    if (pending) {
      settle();
      vacate(handle.slot);
    }
    handle = EventHandle{};
    return pending;
  }

  bool is_pending(EventHandle handle) const {
    // A free slot's generation was bumped on release, so it never matches.
    return handle.slot < slots_.size() && slots_[handle.slot].generation == handle.generation;
  }

  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }
  Time next_time() const {
    settle();
    return empty() ? kForever : time_of(tree_[kRoot].time);
  }
  // Slots allocated, pending or free: the high-water mark of pending events.
  std::size_t capacity() const { return slots_.size(); }

  // Precondition: !empty().
  Fired pop() {
    settle();
    const Entry top = tree_[kRoot];
    const std::uint32_t slot = slot_of(top);
    const Slot& s = slots_[slot];
    const Fired fired{time_of(top.time), s.target, s.tag, s.arg};
    vacate(slot);
    // The next schedule() most likely replays this leaf's path: in a big tree, start
    // fetching it while the event is dispatched.
    if (first_leaf_ > kPrefetchAbove) {
      for (std::size_t node = first_leaf_ + slot; node > kRoot; node = parent(node)) {
        __builtin_prefetch(&tree_[node & ~std::size_t{3}], 1);
      }
    }
    return fired;
  }

  void clear();
  void reserve(std::size_t n);

 private:
  friend struct EventQueueTesting;

  // Entry::order = priority (8 bits) | sequence (30 bits) | slot (26 bits). The
  // sequence is renumbered before it overflows (renumber()); the slot field bounds the
  // events pending at once (~67 M; the all-ones slot is never used, so no entry can
  // equal kVacant).
  static constexpr int kSlotBits = 26;
  static constexpr int kPriorityShift = 56;
  static constexpr std::uint64_t kSlotMask = (std::uint64_t{1} << kSlotBits) - 1;
  static constexpr std::uint64_t kMaxSlots = kSlotMask;
  static constexpr std::uint64_t kSequenceLimit = std::uint64_t{1} << (kPriorityShift - kSlotBits);
  static constexpr std::uint32_t kNoSlot = 0xffffffffu;

  struct Entry {
    std::uint64_t time;   // time_key(t)
    std::uint64_t order;  // ties: priority, then sequence; the slot rides along
  };
  static constexpr Entry kVacant{~std::uint64_t{0}, ~std::uint64_t{0}};  // loses to all

  using Key = unsigned __int128;
  static Key key(const Entry& e) { return (Key{e.time} << 64) | e.order; }
  static bool before(const Entry& a, const Entry& b) { return key(a) < key(b); }
  static std::uint32_t slot_of(const Entry& e) {
    return static_cast<std::uint32_t>(e.order & kSlotMask);
  }

  // Doubles as unsigned integers in the same order: non-negative ones get the sign bit
  // set, negative ones are inverted. Adding 0.0 turns -0.0 into +0.0, equal as doubles.
  static constexpr std::uint64_t kSign = std::uint64_t{1} << 63;
  static std::uint64_t time_key(Time t) {
    const auto bits = std::bit_cast<std::uint64_t>(t + 0.0);
    return bits ^ (static_cast<std::uint64_t>(static_cast<std::int64_t>(bits) >> 63) | kSign);
  }
  static Time time_of(std::uint64_t key) {
    const auto negative = static_cast<std::uint64_t>(static_cast<std::int64_t>(~key) >> 63);
    return std::bit_cast<Time>(key ^ (negative | kSign));
  }

  struct Slot {
    EventTarget* target;
    std::uint32_t tag;
    std::uint32_t arg;
    std::uint32_t next_free;
    std::uint32_t generation;
  };

  // Keeps four siblings on one cache line (see kRoot).
  template <class T>
  struct CacheAligned {
    using value_type = T;
    static constexpr std::align_val_t kAlign{64};
    CacheAligned() = default;
    template <class U>
    CacheAligned(const CacheAligned<U>&) {}
    T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), kAlign)); }
    void deallocate(T* p, std::size_t) { ::operator delete(p, kAlign); }
    bool operator==(const CacheAligned&) const { return true; }
  };

  std::uint32_t acquire(EventTarget* target, std::uint32_t tag, std::uint32_t arg) {
    if (free_head_ == kNoSlot) return grow(target, tag, arg);
    const std::uint32_t slot = free_head_;
    Slot& s = slots_[slot];
    free_head_ = s.next_free;
    s.target = target;
    s.tag = tag;
    s.arg = arg;
    return slot;
  }

  // Frees a pending slot; its leaf is emptied now, the path above it replayed later.
  void vacate(std::uint32_t slot) {
    Slot& s = slots_[slot];
    ++s.generation;  // makes outstanding handles stale
    s.next_free = free_head_;
    free_head_ = slot;
    tree_[first_leaf_ + slot] = kVacant;
    --size_;
    stale_ = slot;
  }

  void settle() const {
    if (stale_ == kNoSlot) return;
    replay(stale_);
    stale_ = kNoSlot;
  }

  // Physical layout: three unused entries, then the root at index 3, so that the four
  // children of node p, at 4p-8 .. 4p-5, start on a cache line. The leaves, one per
  // slot, come last: a perfect tree over `leaves_` (a power of 4) leaves of which only
  // the first slots_.size(), rounded up to a multiple of 4, are stored.
  static constexpr std::size_t kRoot = 3;
  static constexpr std::size_t kPrefetchAbove = 4096;  // inner nodes: 64 KB, about L1
  static std::size_t parent(std::size_t p) { return p / 4 + 2; }

  // w = the earlier of w and e, branch-free: which one wins is a coin flip that the
  // branch predictor cannot learn. GCC compiles ?: here into a branch, hence the asm.
  static void take_earlier(Entry& w, const Entry& e) {
#if defined(__x86_64__)
    std::uint64_t scratch;
    asm("mov %[et], %[s]\n\t"
        "cmp %[wo], %[eo]\n\t"  // CF = (e.time, e.order) < (w.time, w.order) ...
        "sbb %[wt], %[s]\n\t"   // ... as one 128-bit subtraction
        "cmovb %[et], %[wt]\n\t"
        "cmovb %[eo], %[wo]"
        : [wt] "+r"(w.time), [wo] "+r"(w.order), [s] "=&r"(scratch)
        : [et] "r"(e.time), [eo] "r"(e.order)
        : "cc");
#else
    const std::uint64_t take = 0 - static_cast<std::uint64_t>(before(e, w));
    w.time ^= (w.time ^ e.time) & take;
    w.order ^= (w.order ^ e.order) & take;
#endif
  }

  // Recomputes the winners on the path from a leaf to the root.
  void replay(std::uint32_t slot) const {
    Entry* t = tree_.data();
    std::size_t node = first_leaf_ + slot;
    Entry w = t[node];
    while (node > kRoot) {
      // The best of the three siblings does not depend on w: it is found while the
      // previous level's compare is in flight.
      Entry siblings = t[node ^ 1];
      take_earlier(siblings, t[node ^ 2]);
      take_earlier(siblings, t[node ^ 3]);
      take_earlier(w, siblings);
      node = parent(node);
      t[node] = w;
    }
    // The next pop() reads the winner's slot.
    if (slot_of(w) < slots_.size()) __builtin_prefetch(&slots_[slot_of(w)]);
  }

  std::uint32_t grow(EventTarget* target, std::uint32_t tag, std::uint32_t arg);
  void resize_tree(std::size_t leaves);
  void rebuild() const;
  void renumber();

  // Mutable: the deferred replay may run inside next_time().
  mutable std::vector<Entry, CacheAligned<Entry>> tree_ =
      std::vector<Entry, CacheAligned<Entry>>(kRoot + 1, kVacant);
  std::size_t leaves_ = 1;          // of the perfect tree; a power of 4
  std::size_t first_leaf_ = kRoot;  // index of slot 0's leaf
  std::vector<Slot> slots_;
  std::size_t size_ = 0;
  mutable std::uint32_t stale_ = kNoSlot;  // the leaf whose path awaits its replay
  std::uint32_t free_head_ = kNoSlot;      // free slots form a list through next_free
  std::uint64_t sequence_ = 0;
  std::uint64_t sequence_limit_ = kSequenceLimit;  // lowered by tests only
};

}  // namespace surgesim::sim
