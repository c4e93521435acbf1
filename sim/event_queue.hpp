#pragma once

#include <cstdint>
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

// Pending-event set: an indexed binary heap over pooled slots. Insert, pop and cancel
// are O(log n); memory grows with events pending, never per event fired (slots and
// heap entries are recycled). Ties at the same time run by ascending `priority`, then
// in scheduling order (a sequence number), so runs are reproducible.
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
                       std::uint8_t priority = kDefaultPriority);
  // Removes a pending event and clears the handle; a stale or empty handle is a no-op.
  bool cancel(EventHandle& handle);
  bool is_pending(EventHandle handle) const;

  bool empty() const { return heap_.empty(); }
  std::size_t size() const { return heap_.size(); }
  Time next_time() const { return heap_.empty() ? kForever : heap_.front().t; }
  // Precondition: !empty().
  Fired pop();
  void clear();
  void reserve(std::size_t n);

 private:
  struct Entry {
    Time t;
    std::uint64_t key;  // priority in the top byte, sequence number below
    std::uint32_t slot;
    bool before(const Entry& other) const {
      return t < other.t || (t == other.t && key < other.key);
    }
  };
  struct Slot {
    EventTarget* target;
    std::uint32_t tag;
    std::uint32_t arg;
    std::uint32_t heap_pos;
    std::uint32_t generation;
  };

  void place(std::size_t pos, const Entry& entry) {
    heap_[pos] = entry;
    slots_[entry.slot].heap_pos = static_cast<std::uint32_t>(pos);
  }
  void sift_up(std::size_t pos, Entry entry);
  void sift_down(std::size_t pos, Entry entry);
  void release(std::uint32_t slot);

  std::vector<Entry> heap_;
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_slots_;
  std::uint64_t sequence_ = 0;
};

}  // namespace surgesim::sim
