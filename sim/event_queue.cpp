#include "sim/event_queue.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace surgesim::sim {
namespace {

std::size_t round_up4(std::size_t n) {
  return (n + 3) & ~std::size_t{3};
}

}  // namespace

std::uint32_t EventQueue::grow(EventTarget* target, std::uint32_t tag, std::uint32_t arg) {
  if (slots_.size() >= kMaxSlots) {
    throw std::length_error("EventQueue: more than 2^26 - 1 events pending at once");
  }
  slots_.push_back(Slot{target, tag, arg, 0, 0});  // link: as acquire() leaves it
  if (on_ladder_) {
    // The tree is rebuilt for all slots when it takes over again.
  } else if (slots_.size() > leaves_) {
    // One level more, and no minimum: with at most four events pending (a single server's
    // next arrival and service) every change replays a single level.
    resize_tree(4 * leaves_);
  } else if (first_leaf_ + slots_.size() > tree_.size()) {
    tree_.resize(first_leaf_ + round_up4(slots_.size()), kVacant);  // whole sibling groups
  }
  return static_cast<std::uint32_t>(slots_.size() - 1);
}

void EventQueue::resize_tree(std::size_t leaves) {
  const std::size_t first_leaf = kRoot + (leaves - 1) / 3;
  decltype(tree_) tree(first_leaf + round_up4(slots_.size()), kVacant);
  const std::size_t kept = std::min(slots_.size(), tree_.size() - first_leaf_);
  std::copy_n(tree_.begin() + static_cast<std::ptrdiff_t>(first_leaf_), kept,
              tree.begin() + static_cast<std::ptrdiff_t>(first_leaf));
  tree_ = std::move(tree);
  leaves_ = leaves;
  first_leaf_ = first_leaf;
  rebuild();
}

// Replays every match, bottom up: O(slots). Only for growing, renumbering, clearing.
void EventQueue::rebuild() const {
  auto at = [this](std::size_t node) { return node < tree_.size() ? tree_[node] : kVacant; };
  for (std::size_t node = first_leaf_; node-- > kRoot;) {
    const std::size_t child = 4 * node - 8;
    Entry best = at(child);
    for (std::size_t c = child + 1; c < child + 4; ++c) take_earlier(best, at(c));
    tree_[node] = best;
  }
  stale_ = kNoSlot;
}

// The ladder is about to move a bucket of entries to its bottom: fetch their slots,
// scattered over a big array, all at once rather than one cache miss per pop.
void EventQueue::fetch_bottom_slots() const {
  ladder_.front();
  for (const Entry& e : ladder_.bottom()) {
    const Slot* s = &slots_[slot_of(e)];
    __builtin_prefetch(s);  // one line: slots are 32 bytes on a 32-byte boundary
  }
}

// A schedule that found size_ > tree_max_: on the ladder already, or about to move there.
void EventQueue::schedule_large(Entry e) {
  if (!on_ladder_) {
    tree_[first_leaf_ + slot_of(e)] = e;  // to_ladder() reads the leaves only
    to_ladder();
    return;
  }
  slots_[slot_of(e)].link = live_link(e);
  ladder_.push(e);
}

// Moves every pending entry from the tree to the ladder and frees the tree.
void EventQueue::to_ladder() {
  settle();
  for (std::uint32_t slot = 0; slot < slots_.size(); ++slot) {
    const Entry& e = tree_[first_leaf_ + slot];
    if (!before(e, kVacant)) continue;
    slots_[slot].link = live_link(e);
    ladder_.push(e);
  }
  decltype(tree_)(kRoot + 1, kVacant).swap(tree_);
  leaves_ = 1;
  first_leaf_ = kRoot;
  on_ladder_ = true;
  tree_max_ = 0;
}

// Moves every pending entry from the ladder back to a tree over all slots, and frees the
// ladder's memory.
void EventQueue::to_tree() {
  const std::vector<Entry> pending = pending_entries();
  ladder_.release();
  orphans_ = 0;
  on_ladder_ = false;
  tree_max_ = ladder_from_;
  std::size_t leaves = 1;
  while (leaves < slots_.size()) leaves *= 4;
  leaves_ = leaves;
  first_leaf_ = kRoot + (leaves - 1) / 3;
  decltype(tree_)(first_leaf_ + round_up4(slots_.size()), kVacant).swap(tree_);
  for (const Entry& e : pending) tree_[first_leaf_ + slot_of(e)] = e;
  rebuild();
}

bool EventQueue::move_from_nursery(std::uint64_t limit, std::size_t most) {
  constexpr std::size_t kAhead = 4;  // slots fetched ahead: set a while ago, mostly reused
  const std::size_t first = nursery_head_;
  std::size_t i = first;
  const std::size_t end = std::min(nursery_.size(), first + std::min(most, nursery_.size()));
  for (; i < end && nursery_[i].moves_at <= limit; ++i) {
    if (i + kAhead < nursery_.size()) {
      __builtin_prefetch(&slots_[slot_of(nursery_[i + kAhead].key)]);
    }
    const Entry key = nursery_[i].key;
    Slot& s = slots_[slot_of(key)];
    if (s.link != nursery_link(key)) continue;  // cancelled
    s.link = 0;
    --nursery_live_;
    insert(key);
  }
  nursery_head_ = i;
  if (nursery_head_ == nursery_.size()) {
    nursery_.clear();
    nursery_head_ = 0;
  } else if (nursery_head_ >= 1024 && nursery_head_ >= nursery_.size() / 2) {
    // Timers arrive as they leave: the list is kept compact at O(1) amortised.
    nursery_.erase(nursery_.begin(), nursery_.begin() + static_cast<std::ptrdiff_t>(nursery_head_));
    nursery_head_ = 0;
  }
  nursery_due_ =
      nursery_head_ == nursery_.size() ? ~std::uint64_t{0} : nursery_[nursery_head_].moves_at;
  return i > first;
}

void EventQueue::sweep_orphans() {
  ladder_.retain([this](const Entry& e) { return !is_orphan(e); });
  orphans_ = 0;
}

// The pending entries, in no particular order.
std::vector<EventQueue::Entry> EventQueue::pending_entries() const {
  std::vector<Entry> pending;
  pending.reserve(size_);
  if (on_ladder_) {
    ladder_.for_each([&](const Entry& e) {
      if (!is_orphan(e)) pending.push_back(e);
    });
  } else {
    for (std::size_t leaf = first_leaf_; leaf < tree_.size(); ++leaf) {
      if (before(tree_[leaf], kVacant)) pending.push_back(tree_[leaf]);
    }
  }
  return pending;
}

// Before the sequence field overflows, give the pending entries the sequence numbers
// 0..n-1 in their firing order. That keeps every comparison's outcome, so FIFO ties
// survive. Runs once per 2^30 events scheduled.
void EventQueue::renumber() {
  move_from_nursery(kMoveAll);  // its keys are renumbered too
  std::vector<Entry> pending = pending_entries();
  std::sort(pending.begin(), pending.end(), before);
  constexpr std::uint64_t kSequenceMask = (kSequenceLimit - 1) << kSlotBits;
  for (std::size_t rank = 0; rank < pending.size(); ++rank) {
    Entry& e = pending[rank];
    e.order = (e.order & ~kSequenceMask) | (std::uint64_t{rank} << kSlotBits);
  }
  sequence_ = pending.size();
  if (on_ladder_) {
    // The orphans go too: a new sequence number must not match an orphan's.
    ladder_.clear();
    orphans_ = 0;
    for (const Entry& e : pending) {
      slots_[slot_of(e)].link = live_link(e);
      ladder_.push(e);
    }
  } else {
    for (const Entry& e : pending) tree_[first_leaf_ + slot_of(e)] = e;
    rebuild();
  }
}

void EventQueue::clear() {
  move_from_nursery(kMoveAll);
  if (on_ladder_) {
    for (const Entry& e : pending_entries()) release(slot_of(e));
    size_ = 0;
    to_tree();
    return;
  }
  for (std::uint32_t slot = 0; slot < slots_.size(); ++slot) {
    if (before(tree_[first_leaf_ + slot], kVacant)) vacate(slot);
  }
  rebuild();
}

void EventQueue::reserve(std::size_t n) {
  slots_.reserve(n);
  if (n > ladder_from_) {
    ladder_.reserve(n);
    return;
  }
  std::size_t leaves = leaves_;
  while (leaves < n) leaves *= 4;
  if (leaves != leaves_ && !on_ladder_) resize_tree(leaves);
  if (!on_ladder_) tree_.reserve(first_leaf_ + round_up4(n));
}

}  // namespace surgesim::sim
