#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <new>
#include <vector>

#include "sim/event_key.hpp"
#include "sim/ladder_queue.hpp"
#include "sim/large_array.hpp"
#include "sim/time.hpp"

namespace surgesim::sim {

// Anything that receives events. One virtual call per event: a plain dispatch on
// `tag` inside the target replaces a std::function per event.
class EventTarget {
 public:
  virtual void on_event(std::uint32_t tag, std::uint32_t arg) = 0;
  // Told of an event a few places ahead of the one firing, when the pending set is large
  // (10^5 events and more, most of them long untouched): the target may start fetching
  // the memory that event will touch, so that it is in the cache when the event fires.
  // Only a hint: it must change nothing, and it may name an event since cancelled.
  virtual void prefetch(std::uint32_t tag, std::uint32_t arg) const {
    (void)tag;
    (void)arg;
  }

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

// Pending-event set. Ties at the same time run by ascending `priority`, then in
// scheduling order (a sequence number), so runs are reproducible. Memory grows with the
// most events ever pending at once, never per event fired: slots are recycled.
//
// Two structures behind one interface, chosen by the number of events pending:
//
// Up to kLadderFrom pending, a 4-ary tournament (winner) tree over pooled slots. Every
// event slot is a leaf and each inner node holds the earliest entry below it, so
// schedule, pop and cancel all rewrite one leaf and replay the matches on its path to
// the root, O(log slots). The path is known from the slot number alone, so the loads run
// ahead: the best of a node's three siblings is found off the critical path, which is
// left with one branch-free compare per level. A heap's sift-down must finish each
// level's compares before it knows where to load next. pop() defers the replay of the
// leaf it empties: the next schedule() usually takes that very slot (the free list is
// LIFO), and one replay serves both.
//
// Above that, a ladder queue (sim/ladder_queue.hpp): O(1) amortised per event, where the
// tree's deepest levels miss the cache on every replay. It drops back to the tree below
// kTreeBelow (the gap keeps a size that wanders around one threshold from switching back
// and forth).
//
// NOTE: cancelling from the ladder is lazy: the slot is freed at once (handles go stale,
// the slot is reused), and its key, an orphan now that its slot no longer holds its
// sequence number, is dropped when it reaches the front. Patience timers and timeouts
// are mostly cancelled, so once orphans outnumber the pending events (by kOrphanSlack)
// one sweep drops them all: the ladder holds at most twice the events pending plus the
// slack, at O(1) amortised per cancel.
//
// Timers that are mostly cancelled (schedule_timer: timeouts, patience) wait in a
// nursery, a first-in-first-out list, until they have been pending a while, and only
// those still pending then go into the tree or the ladder, in time to fire in order.
//
// An entry is 16 bytes, the time as an order-preserving integer plus one word holding
// priority, sequence number and slot (sim/event_key.hpp), so comparing two is one
// 128-bit compare, and four siblings share a cache line.
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
    const std::uint64_t time = time_key(t);
    insert(Entry{time, order_of(priority, slot)});
    return EventHandle{slot, slots_[slot].generation};
  }

  // An event that will most likely be cancelled before it fires (a timeout, a shopper's
  // patience), scheduled for t, and `settled` (see below) a time from which it is no
  // longer likely to be. Fires exactly as schedule() would. `settled` must not decrease
  // from one call to the next (now + a constant does not).
  //
  // NOTE: most such timers are cancelled within a moment of being set (the answer
  // came), yet each would take a place in the tree or the ladder, and on the ladder leave
  // an orphan behind to move down its rungs and be swept: with a shopper's patience and
  // a service timeout per page (bench/sale-day.yaml's first three hours ran in 0.74x
  // the CPU time with both taken out of the scenario). A timer due at or after
  // `settled` waits in a nursery instead, a first-in-first-out list in the order the
  // timers were set, which is the order of their `settled` times; a cancel there is a
  // slot freed, no more. When the earliest pending event is due at or after the first
  // `settled` of the nursery, the timers from there are moved into the tree or the
  // ladder with their keys (the cancelled ones dropped), before that event fires: a
  // timer fires no earlier than its `settled`, so none is moved too late, and the firing
  // order is the same as if it had been scheduled directly.
  EventHandle schedule_timer(Time t, Time settled, EventTarget* target, std::uint32_t tag,
                             std::uint32_t arg = 0, std::uint8_t priority = kDefaultPriority) {
    const std::uint64_t time = time_key(t);
    const std::uint64_t moves_at = time_key(settled);
    if (time < moves_at) return schedule(t, target, tag, arg, priority);
    if (sequence_ >= sequence_limit_) renumber();
    if (nursery_.size() - nursery_head_ >= kNurseryMax) [[unlikely]]
      move_from_nursery(kMoveAll, 1);
    const std::uint32_t slot = acquire(target, tag, arg);
    const Entry e{time, order_of(priority, slot)};
    slots_[slot].link = nursery_link(e);
    if (nursery_head_ == nursery_.size()) nursery_due_ = moves_at;
    nursery_.push_back(Timer{e, moves_at});
    ++nursery_live_;
    return EventHandle{slot, slots_[slot].generation};
  }

  // Removes a pending event and clears the handle; a stale or empty handle is a no-op.
  bool cancel(EventHandle& handle) {
    // Most timers cancelled were never set (no patience, no timeout): one test.
    if (handle.empty()) return false;
    const bool pending = is_pending(handle);
    if (pending) {
      if (slots_[handle.slot].link & kInNursery) {
        // Dropped when the nursery moves it: its slot no longer links to it.
        release(handle.slot);
        --nursery_live_;
      } else if (on_ladder_) {
        forget(handle.slot);
      } else {
        settle();
        vacate(handle.slot);
      }
    }
    handle = EventHandle{};
    return pending;
  }

  bool is_pending(EventHandle handle) const {
    // A free slot's generation was bumped on release, so it never matches.
    return handle.slot < slots_.size() && slots_[handle.slot].generation == handle.generation;
  }

  bool empty() const { return size() == 0; }
  std::size_t size() const { return size_ + nursery_live_; }
  // The time of the earliest pending event, kForever if none. Reads the whole nursery:
  // for tests and diagnostics, not for every event.
  Time next_time() const {
    const Entry* front = nullptr;
    if (on_ladder_) {
      front = ladder_front();
    } else {
      settle();
      if (size_ > 0) front = &tree_[kRoot];
    }
    std::uint64_t earliest = front == nullptr ? ~std::uint64_t{0} : front->time;
    bool any = front != nullptr;
    for (std::size_t i = nursery_head_; i < nursery_.size(); ++i) {
      const Entry& e = nursery_[i].key;
      if (slots_[slot_of(e)].link != nursery_link(e)) continue;  // cancelled
      earliest = std::min(earliest, e.time);
      any = true;
    }
    return any ? time_of(earliest) : kForever;
  }
  // Slots allocated, pending or free: the high-water mark of pending events.
  std::size_t capacity() const { return slots_.size(); }

  // Precondition: !empty().
  Fired pop() {
    Fired fired{};
    pop_before(~std::uint64_t{0}, fired);  // later than every event's time key
    return fired;
  }

  // The event loop's test and pop in one: takes the earliest event into `fired` if it is
  // due before `end` (a time_key), else returns false. Comparing keys spares converting
  // the time back for the test; an empty tree's root is kVacant, later than every end.
  // Timers in the nursery due to move at or before the earliest event move first.
  bool pop_before(std::uint64_t end, Fired& fired) {
    for (;;) {
      if (on_ladder_) [[unlikely]] {
        const Entry* front = ladder_front();
        if ((front == nullptr || front->time >= nursery_due_) &&
            move_from_nursery(front == nullptr ? kMoveAll : front->time))
          continue;
        if (front == nullptr || front->time >= end) return false;
        fired = pop_ladder(*front);
        return true;
      }
      settle();
      // One compare on the path of every event: neither the end nor the nursery is due.
      if (const std::uint64_t root = tree_[kRoot].time; root >= std::min(end, nursery_due_))
          [[unlikely]] {
        if (root >= nursery_due_ && move_from_nursery(root)) continue;
        if (root >= end) return false;
      }
      fired = pop_tree();
      return true;
    }
  }

  void clear();
  void reserve(std::size_t n);

  // Above this many events pending the ladder takes over from the tree; below
  // kTreeBelow the tree takes over again.
  // NOTE: measured with the hold model: the tree is faster up to about 3,000 pending,
  // the ladder from there on (and 3.5x faster at 10^6).
  static constexpr std::size_t kLadderFrom = 4096;
  static constexpr std::size_t kTreeBelow = kLadderFrom / 4;

 private:
  friend struct EventQueueTesting;

  // Pops the tree's root; its replay is settled.
  Fired pop_tree() {
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

  using Entry = EventKey;
  static constexpr Entry kVacant = kVacantKey;  // loses to all
  static std::uint32_t slot_of(const Entry& e) {
    return static_cast<std::uint32_t>(e.order & kSlotMask);
  }

  std::uint64_t order_of(std::uint8_t priority, std::uint32_t slot) {
    return (std::uint64_t{priority} << kPriorityShift) | (sequence_++ << kSlotBits) | slot;
  }

  // Puts a key whose slot is taken into the tree or the ladder.
  void insert(const Entry& e) {
    const std::uint32_t slot = slot_of(e);
    // One compare serves both the switch to the ladder and, once there (tree_max_ = 0),
    // every schedule on it, so the tree's path gains a single branch.
    if (++size_ > tree_max_) [[unlikely]] {
      schedule_large(e);
    } else {
      tree_[first_leaf_ + slot] = e;
      if (stale_ != slot) settle();
      stale_ = kNoSlot;
      replay(slot);
    }
  }

  // On the ladder, a pending slot's link holds its entry's sequence number with the top
  // bit set, which no free slot's link (a slot number or kNoSlot) equals: an entry whose
  // slot does not link back to it is an orphan. Sequence numbers are unique until
  // renumber(), which drops the orphans.
  static constexpr std::uint32_t kLive = 0x80000000u;
  // A pending slot whose key waits in the nursery links to its sequence number with this
  // bit set instead (a sequence number has 30 bits), which neither a free slot's link, nor
  // a ladder's, nor a tree slot's (0) has.
  static constexpr std::uint32_t kInNursery = 0x40000000u;
  static std::uint32_t nursery_link(const Entry& e) { return live_link(e) ^ (kLive | kInNursery); }
  static std::uint32_t live_link(const Entry& e) {
    return kLive | static_cast<std::uint32_t>((e.order >> kSlotBits) & (kSequenceLimit - 1));
  }

  // 24 bytes of data on a 32-byte boundary: a slot is one cache line to fetch, never two,
  // which with 10^5 or more events pending (every pop a miss) pays for the padding.
  //
  // NOTE: why the ladder's keys do not carry the target, tag and argument, so that a pop
  // would read no slot: tried with the generation and link in an 8-byte array of their
  // own (all a ladder pop touches per slot then), it gave the same results and took 1.055x
  // the CPU time with 720,000 sessions in flight (bench/in-flight.yaml at 10x, 16 paired
  // runs) and 1.07x for the sale day's first 3 hours (6 pairs). The ladder moves each
  // key three or four times, and 32 bytes a key instead of 16 cost more than the slot
  // misses saved, which fetch_bottom_slots mostly hides.
  struct alignas(32) Slot {
    EventTarget* target;
    std::uint32_t tag;
    std::uint32_t arg;
    std::uint32_t generation;
    std::uint32_t link;  // free: the next free slot; pending on the ladder: live_link()
  };

  std::uint32_t acquire(EventTarget* target, std::uint32_t tag, std::uint32_t arg) {
    if (free_head_ == kNoSlot) return grow(target, tag, arg);
    const std::uint32_t slot = free_head_;
    Slot& s = slots_[slot];
    free_head_ = s.link;
    s.link = 0;
    s.target = target;
    s.tag = tag;
    s.arg = arg;
    return slot;
  }

  // Frees a pending slot; its leaf is emptied now, the path above it replayed later.
  void vacate(std::uint32_t slot) {
    Slot& s = slots_[slot];
    ++s.generation;  // makes outstanding handles stale
    s.link = free_head_;
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

  // On the ladder: frees a pending slot and leaves its key behind as an orphan.
  void forget(std::uint32_t slot) {
    release(slot);
    --size_;
    if (++orphans_ > size_ + kOrphanSlack) [[unlikely]]
      sweep_orphans();
    if (size_ < tree_below_) [[unlikely]]
      to_tree();
  }

  void release(std::uint32_t slot) {
    Slot& s = slots_[slot];
    ++s.generation;  // makes outstanding handles stale
    s.link = free_head_;
    free_head_ = slot;
  }

  bool is_orphan(const Entry& e) const { return slots_[slot_of(e)].link != live_link(e); }

  // The ladder's earliest pending entry, dropping the orphans before it. Its rare paths
  // (refill, switch, scheduling) live out of line, so the tree's inline paths stay compact.
  const Entry* ladder_front() const {
    if (ladder_.bottom().empty()) [[unlikely]]
      fetch_bottom_slots();
    const Entry* front = ladder_.front();
    while (front != nullptr && is_orphan(*front)) {
      ladder_.pop_front();
      --orphans_;
      front = ladder_.front();
    }
    return front;
  }
  // Pops `top`, the ladder's front (from ladder_front()).
  Fired pop_ladder(const Entry& front) {
    const Entry top = front;
    ladder_.pop_front();
    if (const auto ahead = ladder_.bottom(); size_ > kHintFrom && ahead.size() > kHintAhead) {
      const Slot& next = slots_[slot_of(ahead[kHintAhead])];  // fetched with the bottom
      next.target->prefetch(next.tag, next.arg);
    }
    const std::uint32_t slot = slot_of(top);
    const Slot& s = slots_[slot];
    const Fired fired{time_of(top.time), s.target, s.tag, s.arg};
    release(slot);
    --size_;
    if (size_ < tree_below_) [[unlikely]]
      to_tree();
    return fired;
  }
  void fetch_bottom_slots() const;
  void schedule_large(Entry e);

  // How far ahead of the event firing its target is told to prefetch: far enough for a
  // cache miss to resolve while the events between fire.
  static constexpr std::size_t kHintAhead = 4;
  // NOTE: measured with sessions in flight (bench/in-flight.yaml): at ~540,000 pending
  // the hint made the run 6% faster, at ~54,000 (whose sessions fit the cache) 8% slower.
  // From 65,536 instead, the sale day (bench/sale-day.yaml) ran 1.8% faster but ~68,000
  // sessions in flight 5% slower.
  static constexpr std::size_t kHintFrom = std::size_t{1} << 17;
  // Orphans tolerated beyond the events pending before a sweep.
  static constexpr std::size_t kOrphanSlack = 1024;

  std::uint32_t grow(EventTarget* target, std::uint32_t tag, std::uint32_t arg);
  void to_ladder();
  void to_tree();
  void sweep_orphans();
  std::vector<Entry> pending_entries() const;
  void resize_tree(std::size_t leaves);
  void rebuild() const;
  void renumber();

  // Mutable: the deferred replay may run inside next_time().
  mutable std::vector<Entry, LargeArray<Entry>> tree_ =
      std::vector<Entry, LargeArray<Entry>>(kRoot + 1, kVacant);  // four siblings a line
  std::size_t leaves_ = 1;          // of the perfect tree; a power of 4
  std::size_t first_leaf_ = kRoot;  // index of slot 0's leaf
  std::vector<Slot, LargeArray<Slot>> slots_;
  std::size_t size_ = 0;  // events in the tree or on the ladder (not in the nursery)
  mutable std::uint32_t stale_ = kNoSlot;  // the leaf whose path awaits its replay
  std::uint32_t free_head_ = kNoSlot;      // free slots form a list through their link
  std::uint64_t sequence_ = 0;
  std::uint64_t sequence_limit_ = kSequenceLimit;  // lowered by tests only

  // The nursery (see schedule_timer): timers from nursery_head_ on, in the order they
  // were set; nursery_due_ is the first one's `settled` time key, all ones when empty.
  struct Timer {
    Entry key;
    std::uint64_t moves_at;
  };
  // Moves the nursery's timers whose `settled` time key is at most `limit`, the first
  // `most` at most, into the tree or the ladder (the cancelled ones dropped); returns
  // whether there were any.
  bool move_from_nursery(std::uint64_t limit, std::size_t most = ~std::size_t{0});
  static constexpr std::uint64_t kMoveAll = ~std::uint64_t{0};
  // NOTE: a bound on the nursery's memory whatever the rate of timers: beyond it the
  // earliest set moves early, which is always allowed.
  static constexpr std::size_t kNurseryMax = std::size_t{1} << 16;
  std::vector<Timer> nursery_;
  std::size_t nursery_head_ = 0;
  std::size_t nursery_live_ = 0;  // timers in the nursery not cancelled
  std::uint64_t nursery_due_ = ~std::uint64_t{0};

  // Mutable: next_time() drops the orphans at the front.
  mutable LadderQueue ladder_;
  mutable std::size_t orphans_ = 0;  // keys on the ladder whose event was cancelled
  bool on_ladder_ = false;
  std::size_t ladder_from_ = kLadderFrom;  // lowered by tests only
  std::size_t tree_max_ = kLadderFrom;     // ladder_from_ on the tree, 0 on the ladder
  std::size_t tree_below_ = kTreeBelow;    // lowered by tests only
};

}  // namespace surgesim::sim
