// What the event-queue tests share: a window into EventQueue's internals, targets that
// record what fires, and a randomized run checked against a reference multiset.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <set>
#include <tuple>
#include <utility>
#include <vector>

#include "sim/event_queue.hpp"
#include "sim/simulator.hpp"

namespace surgesim::sim {
// Lets a test reach the sequence renumbering that otherwise needs 2^30 schedules, move
// the tree/ladder switch, and see which structure holds the events.
struct EventQueueTesting {
  static void set_sequence_limit(EventQueue& q, std::uint64_t limit) { q.sequence_limit_ = limit; }
  static void set_switch(EventQueue& q, std::size_t ladder_from, std::size_t tree_below) {
    q.ladder_from_ = ladder_from;
    q.tree_below_ = tree_below;
    if (!q.on_ladder_) q.tree_max_ = ladder_from;
  }
  static bool on_ladder(const EventQueue& q) { return q.on_ladder_; }
  // Entries held, pending or cancelled and not yet dropped.
  static std::size_t held(const EventQueue& q) {
    return q.on_ladder_ ? q.ladder_.size() : q.size();
  }
  static std::size_t ladder_bytes(const EventQueue& q) { return q.ladder_.bytes(); }
  static std::size_t hint_ahead() { return EventQueue::kHintAhead; }
  // Timers held in the nursery, cancelled or not.
  static std::size_t nursery(const EventQueue& q) { return q.nursery_.size() - q.nursery_head_; }
  static std::size_t nursery_max() { return EventQueue::kNurseryMax; }
};
}  // namespace surgesim::sim

namespace event_queue_testing {

using surgesim::sim::EventHandle;
using surgesim::sim::EventQueue;
using surgesim::sim::EventTarget;
using surgesim::sim::kForever;
using surgesim::sim::Simulator;
using surgesim::sim::Time;
using Trace = std::vector<std::pair<Time, std::uint32_t>>;  // (t, tag), in firing order

// A target that is never dispatched: EventQueue tests pop by hand.
struct Dummy final : EventTarget {
  void on_event(std::uint32_t, std::uint32_t) override {}
};

inline Trace drain(EventQueue& q) {
  Trace trace;
  while (!q.empty()) {
    const EventQueue::Fired f = q.pop();
    trace.emplace_back(f.t, f.tag);
  }
  return trace;
}

// Records (now, tag) for every event the simulator dispatches to it.
struct Recorder final : EventTarget {
  explicit Recorder(Simulator& s) : sim(s) {}
  void on_event(std::uint32_t tag, std::uint32_t) override { trace.emplace_back(sim.now(), tag); }
  Simulator& sim;
  Trace trace;
};

// Interleaved schedule / pop / cancel against a std::multiset of (t, priority, seq, tag),
// which is the documented order. Each phase runs `ops` random operations with its own
// odds, so that the number pending can climb and fall through the tree/ladder switch.
class ReferenceRun {
 public:
  struct Phase {
    int ops;
    int schedule_percent;  // then pop, cancel, and a stale-handle check for the rest
    int pop_percent;
    int cancel_percent;
    std::size_t max_pending;
  };
  // How times are drawn: `coarse` = now + a multiple of 0.25 (many exact ties);
  // otherwise also now + Exp(1) and, now and then, a time far off, in the past,
  // negative or infinite.
  ReferenceRun(EventQueue& q, std::uint64_t seed, bool coarse)
      : q_(q), rng_(seed), coarse_(coarse) {}
  // From now on, one schedule in `every` is a timer (EventQueue::schedule_timer) that
  // settles `settles` after the latest time popped: 0.5 lands on the coarse times' ties.
  void use_timers(int every, Time settles) {
    timer_every_ = every;
    settles_ = settles;
  }

  void run(const Phase& phase) {
    const int pop_below = phase.schedule_percent + phase.pop_percent;
    const int cancel_below = pop_below + phase.cancel_percent;
    for (int op = 0; op < phase.ops; ++op) {
      const auto dice = static_cast<int>(rng_() % 100);
      if (dice < phase.schedule_percent && live_.size() < phase.max_pending) {
        schedule();
      } else if (dice < pop_below && !ref_.empty()) {
        pop();
      } else if (dice < cancel_below && !live_.empty()) {
        cancel();
      } else if (!dead_.empty()) {
        EventHandle stale = handles_[dead_[rng_() % dead_.size()]];
        REQUIRE_FALSE(q_.is_pending(stale));
        REQUIRE_FALSE(q_.cancel(stale));
      }
      REQUIRE(q_.size() == ref_.size());
      REQUIRE(q_.next_time() == (ref_.empty() ? kForever : std::get<0>(*ref_.begin())));
    }
  }

  void drain() {
    while (!ref_.empty()) pop();
    CHECK(q_.empty());
    CHECK(q_.next_time() == kForever);
  }
  std::size_t pending() const { return ref_.size(); }

 private:
  using Ref = std::tuple<Time, int, std::uint64_t, std::uint32_t>;

  Time draw_time() {
    const auto kind = rng_() % 20;
    if (coarse_ || kind < 9) return now_ + 0.25 * static_cast<double>(rng_() % 8);
    if (kind < 18) return now_ + std::exponential_distribution<double>(1.0)(rng_);
    const Time odd[] = {now_, now_ - 1.0, -1e6, 1e9, kForever};
    return odd[rng_() % 5];
  }

  void schedule() {
    const std::uint8_t priorities[] = {0, 128, 128, 128, 255};
    const Time t = draw_time();
    const std::uint8_t priority = priorities[rng_() % 5];
    const auto tag = static_cast<std::uint32_t>(handles_.size());
    if (timer_every_ > 0 && rng_() % static_cast<std::uint64_t>(timer_every_) == 0) {
      handles_.push_back(q_.schedule_timer(t, now_ + settles_, &target_, tag, tag, priority));
    } else {
      handles_.push_back(q_.schedule(t, &target_, tag, tag, priority));
    }
    refs_.emplace_back(t, priority, seq_++, tag);
    ref_.insert(refs_.back());
    where_.push_back(live_.size());
    live_.push_back(tag);
  }

  void pop() {
    const Ref expected = *ref_.begin();
    ref_.erase(ref_.begin());
    const EventQueue::Fired f = q_.pop();
    REQUIRE(f.t == std::get<0>(expected));
    REQUIRE(f.tag == std::get<3>(expected));
    REQUIRE(f.arg == f.tag);
    REQUIRE(f.target == &target_);
    now_ = std::max(now_, f.t);
    forget(f.tag);
  }

  void cancel() {
    const std::uint32_t tag = live_[rng_() % live_.size()];
    REQUIRE(q_.cancel(handles_[tag]));
    ref_.erase(refs_[tag]);  // unique: the sequence number differs
    forget(tag);
  }

  void forget(std::uint32_t tag) {
    const std::size_t i = where_[tag];
    where_[live_.back()] = i;
    live_[i] = live_.back();
    live_.pop_back();
    dead_.push_back(tag);
  }

  EventQueue& q_;
  std::mt19937_64 rng_;
  bool coarse_;
  Dummy target_;
  std::multiset<Ref> ref_;
  std::vector<EventHandle> handles_;  // by tag
  std::vector<Ref> refs_;             // by tag
  std::vector<std::size_t> where_;    // by tag: index in live_ while pending
  std::vector<std::uint32_t> live_;   // tags pending
  std::vector<std::uint32_t> dead_;   // tags fired or cancelled
  Time now_ = 0.0;
  std::uint64_t seq_ = 0;
  int timer_every_ = 0;
  Time settles_ = 0.0;
};

// The mix the tree was first tested with: pending held near max_pending, coarse times.
inline void random_against_reference(EventQueue& q, int ops, std::size_t max_pending,
                                     std::uint64_t seed) {
  ReferenceRun run(q, seed, true);
  run.run({ops, 45, 35, 15, max_pending});
  run.drain();
}

}  // namespace event_queue_testing
