#include "sim/event_queue.hpp"

namespace surgesim::sim {

EventHandle EventQueue::schedule(Time t, EventTarget* target, std::uint32_t tag, std::uint32_t arg,
                                 std::uint8_t priority) {
  std::uint32_t slot;
  if (free_slots_.empty()) {
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.push_back(Slot{target, tag, arg, 0, 0});
  } else {
    slot = free_slots_.back();
    free_slots_.pop_back();
    Slot& s = slots_[slot];
    s.target = target;
    s.tag = tag;
    s.arg = arg;
  }
  const std::uint64_t key = (std::uint64_t{priority} << 56) | (sequence_++ & ((1ull << 56) - 1));
  heap_.emplace_back();
  sift_up(heap_.size() - 1, Entry{t, key, slot});
  return EventHandle{slot, slots_[slot].generation};
}

bool EventQueue::is_pending(EventHandle handle) const {
  return !handle.empty() && handle.slot < slots_.size() &&
         slots_[handle.slot].generation == handle.generation;
}

bool EventQueue::cancel(EventHandle& handle) {
  if (!is_pending(handle)) {
    handle = EventHandle{};
    return false;
  }
  const std::size_t pos = slots_[handle.slot].heap_pos;
  release(handle.slot);
  handle = EventHandle{};
  const Entry last = heap_.back();
  heap_.pop_back();
  if (pos < heap_.size()) {
    // The last entry fills the hole; it may need to move either way.
    if (pos > 0 && last.before(heap_[(pos - 1) / 2])) {
      sift_up(pos, last);
    } else {
      sift_down(pos, last);
    }
  }
  return true;
}

EventQueue::Fired EventQueue::pop() {
  const Entry top = heap_.front();
  const Slot& s = slots_[top.slot];
  const Fired fired{top.t, s.target, s.tag, s.arg};
  release(top.slot);
  const Entry last = heap_.back();
  heap_.pop_back();
  if (!heap_.empty()) sift_down(0, last);
  return fired;
}

void EventQueue::clear() {
  for (const Entry& e : heap_) release(e.slot);
  heap_.clear();
}

void EventQueue::reserve(std::size_t n) {
  heap_.reserve(n);
  slots_.reserve(n);
  free_slots_.reserve(n);
}

void EventQueue::release(std::uint32_t slot) {
  ++slots_[slot].generation;  // makes outstanding handles stale
  free_slots_.push_back(slot);
}

void EventQueue::sift_up(std::size_t pos, Entry entry) {
  while (pos > 0) {
    const std::size_t parent = (pos - 1) / 2;
    if (!entry.before(heap_[parent])) break;
    place(pos, heap_[parent]);
    pos = parent;
  }
  place(pos, entry);
}

void EventQueue::sift_down(std::size_t pos, Entry entry) {
  const std::size_t n = heap_.size();
  for (;;) {
    std::size_t child = 2 * pos + 1;
    if (child >= n) break;
    if (child + 1 < n && heap_[child + 1].before(heap_[child])) ++child;
    if (!heap_[child].before(entry)) break;
    place(pos, heap_[child]);
    pos = child;
  }
  place(pos, entry);
}

}  // namespace surgesim::sim
