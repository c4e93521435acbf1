// The ladder behind EventQueue at large sizes: when it takes over and hands back, ties,
// cancelled timers and memory.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include "event_queue_testing.hpp"

using namespace event_queue_testing;
using surgesim::sim::EventQueueTesting;

TEST_CASE("the ladder takes over above kLadderFrom pending and hands back below kTreeBelow") {
  EventQueue q;
  Dummy d;
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> when(0.0, 10.0);
  std::multiset<std::pair<Time, std::uint32_t>> ref;
  for (std::uint32_t tag = 0; tag < EventQueue::kLadderFrom; ++tag) {
    const Time t = when(rng);
    q.schedule(t, &d, tag);
    ref.emplace(t, tag);
  }
  CHECK_FALSE(EventQueueTesting::on_ladder(q));
  q.schedule(5.0, &d, 99'999);
  ref.emplace(5.0, 99'999);
  CHECK(EventQueueTesting::on_ladder(q));
  while (q.size() >= EventQueue::kTreeBelow) {
    const EventQueue::Fired f = q.pop();
    REQUIRE(std::make_pair(f.t, f.tag) == *ref.begin());
    ref.erase(ref.begin());
  }
  CHECK_FALSE(EventQueueTesting::on_ladder(q));
  CHECK(EventQueueTesting::ladder_bytes(q) == 0);  // handed back
  for (const auto& expected : ref) {
    const EventQueue::Fired f = q.pop();
    REQUIRE(std::make_pair(f.t, f.tag) == expected);
  }
}

TEST_CASE("same-time events on the ladder keep priority, then scheduling order") {
  // 20,000 events at t = 1 in four priorities; each schedules a follower for now, which
  // must run after every event already pending for t = 1 at its priority.
  struct Chain final : EventTarget {
    explicit Chain(Simulator& s) : sim(s) {}
    void on_event(std::uint32_t tag, std::uint32_t arg) override {
      trace.emplace_back(sim.now(), tag);
      if (arg == 0) sim.after(0.0, this, tag + 1'000'000, 1, priority_of(tag));
    }
    static std::uint8_t priority_of(std::uint32_t tag) {
      return static_cast<std::uint8_t>(tag % 4 * 60);
    }
    Simulator& sim;
    Trace trace;
  };
  constexpr std::uint32_t kEvents = 20'000;
  Simulator sim;
  Chain c(sim);
  for (std::uint32_t tag = 0; tag < kEvents; ++tag)
    sim.at(1.0, &c, tag, 0, Chain::priority_of(tag));
  CHECK(EventQueueTesting::on_ladder(sim.events()));
  sim.run_until(2.0);
  Trace expected;
  for (std::uint32_t p = 0; p < 4; ++p) {
    for (std::uint32_t tag = p; tag < kEvents; tag += 4) expected.emplace_back(1.0, tag);
    for (std::uint32_t tag = p; tag < kEvents; tag += 4)
      expected.emplace_back(1.0, tag + 1'000'000);
  }
  CHECK(c.trace == expected);
}

TEST_CASE("cancelled timers do not fill the ladder: memory follows the events pending") {
  // A hold loop of 20,000 pending events; each fired event also sets a 30 s timeout and
  // cancels it again, as a request answered in time does. 600,000 cancelled timers would
  // outnumber the pending events 30 to 1 if they were kept until their time.
  constexpr std::size_t kPending = 20'000;
  auto run = [&](bool with_timers) {
    EventQueue q;
    Dummy d;
    std::mt19937_64 rng(8);
    std::exponential_distribution<double> hold(1000.0);  // 20 s of pending work
    for (std::size_t i = 0; i < kPending; ++i) q.schedule(hold(rng) * kPending / 1000.0, &d, 0);
    std::size_t most_held = 0;
    for (int i = 0; i < 600'000; ++i) {
      const Time now = q.pop().t;
      q.schedule(now + hold(rng) * kPending / 1000.0, &d, 0);
      if (with_timers) {
        EventHandle timer = q.schedule(now + 30.0, &d, 1);
        REQUIRE(q.cancel(timer));
      }
      most_held = std::max(most_held, EventQueueTesting::held(q));
    }
    CHECK(q.size() == kPending);
    CHECK(EventQueueTesting::on_ladder(q));
    CHECK(q.capacity() == kPending + (with_timers ? 1 : 0));  // slots: pending ones only
    return std::make_pair(most_held, EventQueueTesting::ladder_bytes(q));
  };
  const auto [held_plain, bytes_plain] = run(false);
  const auto [held_timers, bytes_timers] = run(true);
  INFO("most entries held: " << held_plain << " / " << held_timers
                             << "; ladder bytes: " << bytes_plain << " / " << bytes_timers);
  CHECK(held_plain == kPending);
  CHECK(held_timers <= 2 * kPending + 1'100);  // the sweep's bound: 2 x pending + slack
  CHECK(bytes_timers <= 3 * bytes_plain);
}

TEST_CASE("the ladder grows to 300,000 pending and gives its memory back when drained") {
  EventQueue q;
  Dummy d;
  std::mt19937_64 rng(13);
  std::uniform_real_distribution<double> when(0.0, 1e4);
  std::multiset<std::pair<Time, std::uint32_t>> ref;
  for (int round = 0; round < 2; ++round) {
    for (std::uint32_t tag = 0; tag < 300'000; ++tag) {
      const Time t = when(rng);
      q.schedule(t, &d, tag);
      ref.emplace(t, tag);
    }
    CHECK(EventQueueTesting::on_ladder(q));
    CHECK(EventQueueTesting::ladder_bytes(q) > 300'000 * sizeof(Time) * 2);
    while (!q.empty()) {
      const EventQueue::Fired f = q.pop();
      REQUIRE(std::make_pair(f.t, f.tag) == *ref.begin());
      ref.erase(ref.begin());
    }
    CHECK_FALSE(EventQueueTesting::on_ladder(q));
    CHECK(EventQueueTesting::ladder_bytes(q) == 0);
    CHECK(q.capacity() == 300'000);
  }
}

namespace {
// Records each hint with the number of events popped before it came.
struct Hinted : surgesim::sim::EventTarget {
  std::size_t popped = 0;
  mutable std::vector<std::pair<std::size_t, std::uint32_t>> hints;  // told through a const hint
  void on_event(std::uint32_t, std::uint32_t) override {}
  void prefetch(std::uint32_t tag, std::uint32_t) const override {
    hints.emplace_back(popped, tag);
  }
};
}  // namespace

TEST_CASE("a large ladder hints the target of an event a few places ahead, which then fires") {
  EventQueue q;
  Hinted h;
  std::mt19937_64 rng(9);
  std::uniform_real_distribution<double> when(0.0, 1000.0);
  const std::uint32_t n = 300'000;  // above the size from which hints are given
  for (std::uint32_t tag = 0; tag < n; ++tag) q.schedule(when(rng), &h, tag);
  std::vector<std::uint32_t> fired;
  while (!q.empty()) {
    fired.push_back(q.pop().tag);
    ++h.popped;
  }
  REQUIRE(fired.size() == n);
  // Given while the queue was large only, each names the event that fires kHintAhead
  // places after the next one.
  REQUIRE(!h.hints.empty());
  CHECK(h.hints.size() < n);
  const std::size_t ahead = EventQueueTesting::hint_ahead();
  for (const auto& [popped, tag] : h.hints) {
    CAPTURE(popped);
    REQUIRE(popped + 1 + ahead < n);
    REQUIRE(fired[popped + 1 + ahead] == tag);
  }
}
