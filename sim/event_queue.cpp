#include "sim/event_queue.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace surgesim::sim {

std::uint32_t EventQueue::grow(EventTarget* target, std::uint32_t tag, std::uint32_t arg) {
  if (slots_.size() >= kMaxSlots) {
    throw std::length_error("EventQueue: more than 2^26 events pending at once");
  }
  slots_.push_back(Slot{target, tag, arg, kNoSlot, 0});
  if (slots_.size() > leaves_) resize_tree(std::max<std::size_t>(16, 2 * leaves_));
  return static_cast<std::uint32_t>(slots_.size() - 1);
}

void EventQueue::resize_tree(std::size_t leaves) {
  decltype(tree_) tree(2 * leaves, kVacant);
  std::copy(tree_.begin() + static_cast<std::ptrdiff_t>(leaves_), tree_.end(),
            tree.begin() + static_cast<std::ptrdiff_t>(leaves));
  tree_ = std::move(tree);
  leaves_ = leaves;
  rebuild();
}

// Replays every match, bottom up: O(leaves). Only for growing, renumbering, clearing.
void EventQueue::rebuild() const {
  for (std::size_t node = leaves_ - 1; node >= 1; --node) {
    const Entry& a = tree_[2 * node];
    const Entry& b = tree_[2 * node + 1];
    tree_[node] = before(b, a) ? b : a;
  }
  stale_ = kNoSlot;
}

// Before the sequence field overflows, give the pending entries the sequence numbers
// 0..n-1 in their firing order. That keeps every comparison's outcome, so FIFO ties
// survive. Runs once per 2^30 events scheduled.
void EventQueue::renumber() {
  std::vector<Entry> pending;
  pending.reserve(size_);
  for (std::size_t leaf = leaves_; leaf < tree_.size(); ++leaf) {
    if (before(tree_[leaf], kVacant)) pending.push_back(tree_[leaf]);
  }
  std::sort(pending.begin(), pending.end(), before);
  constexpr std::uint64_t kSequenceMask = (kSequenceLimit - 1) << kSlotBits;
  for (std::size_t rank = 0; rank < pending.size(); ++rank) {
    Entry e = pending[rank];
    e.order = (e.order & ~kSequenceMask) | (std::uint64_t{rank} << kSlotBits);
    tree_[leaves_ + slot_of(e)] = e;
  }
  sequence_ = pending.size();
  rebuild();
}

void EventQueue::clear() {
  for (std::uint32_t slot = 0; slot < slots_.size(); ++slot) {
    if (before(tree_[leaves_ + slot], kVacant)) vacate(slot);
  }
  rebuild();
}

void EventQueue::reserve(std::size_t n) {
  slots_.reserve(n);
  if (n > leaves_) resize_tree(std::bit_ceil(n));
}

}  // namespace surgesim::sim
