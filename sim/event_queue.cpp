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
  slots_.push_back(Slot{target, tag, arg, kNoSlot, 0});
  if (slots_.size() > leaves_) {
    resize_tree(std::max<std::size_t>(16, 4 * leaves_));  // one level more
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

// Before the sequence field overflows, give the pending entries the sequence numbers
// 0..n-1 in their firing order. That keeps every comparison's outcome, so FIFO ties
// survive. Runs once per 2^30 events scheduled.
void EventQueue::renumber() {
  std::vector<Entry> pending;
  pending.reserve(size_);
  for (std::size_t leaf = first_leaf_; leaf < tree_.size(); ++leaf) {
    if (before(tree_[leaf], kVacant)) pending.push_back(tree_[leaf]);
  }
  std::sort(pending.begin(), pending.end(), before);
  constexpr std::uint64_t kSequenceMask = (kSequenceLimit - 1) << kSlotBits;
  for (std::size_t rank = 0; rank < pending.size(); ++rank) {
    Entry e = pending[rank];
    e.order = (e.order & ~kSequenceMask) | (std::uint64_t{rank} << kSlotBits);
    tree_[first_leaf_ + slot_of(e)] = e;
  }
  sequence_ = pending.size();
  rebuild();
}

void EventQueue::clear() {
  for (std::uint32_t slot = 0; slot < slots_.size(); ++slot) {
    if (before(tree_[first_leaf_ + slot], kVacant)) vacate(slot);
  }
  rebuild();
}

void EventQueue::reserve(std::size_t n) {
  slots_.reserve(n);
  std::size_t leaves = leaves_;
  while (leaves < n) leaves *= 4;
  if (leaves != leaves_) resize_tree(leaves);
  tree_.reserve(first_leaf_ + round_up4(n));
}

}  // namespace surgesim::sim
