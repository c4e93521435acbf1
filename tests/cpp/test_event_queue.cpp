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

TEST_CASE("events pop in time order, negative and infinite times included") {
  EventQueue q;
  Dummy d;
  for (const auto& [t, tag] : Trace{{5, 5}, {1, 1}, {-0.5, 0}, {3, 3}, {kForever, 9}, {2, 2}}) {
    q.schedule(t, &d, tag);
  }
  CHECK(q.size() == 6);
  CHECK(q.next_time() == -0.5);
  CHECK(drain(q) == Trace{{-0.5, 0}, {1, 1}, {2, 2}, {3, 3}, {5, 5}, {kForever, 9}});
  CHECK(q.next_time() == kForever);
}

TEST_CASE("same-time ties run by priority, then in scheduling order") {
  EventQueue q;
  Dummy d;
  q.schedule(1.0, &d, 1);  // default priority 128
  q.schedule(1.0, &d, 2, 0, 5);
  q.schedule(1.0, &d, 3);
  q.schedule(1.0, &d, 4, 0, 5);
  q.schedule(0.5, &d, 5, 0, 255);  // earlier time beats any priority
  q.schedule(1.0, &d, 6, 0, 0);
  q.schedule(-0.0, &d, 7);  // -0.0 == +0.0: a tie, in scheduling order
  q.schedule(0.0, &d, 8);
  CHECK(drain(q) == Trace{{0, 7}, {0, 8}, {0.5, 5}, {1, 6}, {1, 2}, {1, 4}, {1, 1}, {1, 3}});
}

TEST_CASE("an event scheduled for now runs after those already pending for now") {
  // As in SimPy: a zero delay does not jump ahead of events already due at this time.
  struct Chain final : EventTarget {
    explicit Chain(Simulator& s) : sim(s) {}
    void on_event(std::uint32_t tag, std::uint32_t) override {
      trace.emplace_back(sim.now(), tag);
      if (tag == 1) sim.after(0.0, this, 10);
    }
    Simulator& sim;
    Trace trace;
  };
  Simulator sim;
  Chain c(sim);
  sim.at(1.0, &c, 1);
  sim.at(1.0, &c, 2);
  sim.at(1.0, &c, 3, 0, 200);  // but priority still comes before scheduling order
  sim.run_until(2.0);
  CHECK(c.trace == Trace{{1, 1}, {1, 2}, {1, 10}, {1, 3}});
}

TEST_CASE("cancel: pending, fired, already cancelled and empty handles") {
  EventQueue q;
  Dummy d;
  EventHandle a = q.schedule(1.0, &d, 1);
  EventHandle b = q.schedule(2.0, &d, 2);
  const EventHandle a_copy = a;

  SUBCASE("pending") {
    CHECK(q.is_pending(a));
    CHECK(q.cancel(a));
    CHECK(a.empty());
    CHECK_FALSE(q.is_pending(a_copy));
    CHECK(drain(q) == Trace{{2, 2}});
  }
  SUBCASE("already cancelled, through a copy of the handle") {
    CHECK(q.cancel(a));
    EventHandle again = a_copy;
    CHECK_FALSE(q.cancel(again));
    CHECK(again.empty());
    CHECK(q.size() == 1);
  }
  SUBCASE("already fired") {
    CHECK(q.pop().tag == 1);
    CHECK_FALSE(q.is_pending(a));
    CHECK_FALSE(q.cancel(a));
    CHECK(a.empty());
    CHECK(q.is_pending(b));
    CHECK(q.size() == 1);
  }
  SUBCASE("empty and out-of-range handles") {
    EventHandle none;
    CHECK_FALSE(q.is_pending(none));
    CHECK_FALSE(q.cancel(none));
    EventHandle wild{1000, 0};
    CHECK_FALSE(q.is_pending(wild));
    CHECK_FALSE(q.cancel(wild));
    CHECK(wild.empty());
    CHECK(q.size() == 2);
  }
}

TEST_CASE("cancelling the root, a leaf and a middle element keeps the heap ordered") {
  // 200 events at distinct times, scheduled in shuffled order. The earliest is the
  // root, the latest is a leaf, the second earliest is a child of the root with
  // children of its own (n = 200 makes a 4-ary heap four levels deep).
  std::vector<std::uint32_t> tags(200);
  for (std::uint32_t i = 0; i < tags.size(); ++i) tags[i] = i;
  std::shuffle(tags.begin(), tags.end(), std::mt19937(7));
  const std::vector<std::uint32_t> cancelled_first = {0, 199, 1, 100, 57};

  for (std::size_t k = 1; k <= cancelled_first.size(); ++k) {
    CAPTURE(k);
    EventQueue q;
    Dummy d;
    std::vector<EventHandle> handles(tags.size());
    for (const std::uint32_t tag : tags) handles[tag] = q.schedule(tag * 0.5, &d, tag);
    const std::vector<std::uint32_t> gone(cancelled_first.begin(),
                                          cancelled_first.begin() + static_cast<long>(k));
    for (const std::uint32_t tag : gone) CHECK(q.cancel(handles[tag]));
    CHECK(q.size() == tags.size() - k);
    Trace expected;
    for (std::uint32_t tag = 0; tag < tags.size(); ++tag) {
      if (std::find(gone.begin(), gone.end(), tag) == gone.end()) {
        expected.emplace_back(tag * 0.5, tag);
      }
    }
    CHECK(drain(q) == expected);
  }
}

TEST_CASE("handles go stale when their slot is reused") {
  EventQueue q;
  Dummy d;
  EventHandle fired = q.schedule(1.0, &d, 1);
  q.pop();
  EventHandle reused = q.schedule(2.0, &d, 2);
  CHECK(reused.slot == fired.slot);              // LIFO free list: the same slot comes back...
  CHECK(reused.generation != fired.generation);  // ...under a new generation
  CHECK_FALSE(q.is_pending(fired));
  CHECK_FALSE(q.cancel(fired));  // must not cancel the new occupant
  CHECK(q.is_pending(reused));

  EventHandle cancelled = reused;
  CHECK(q.cancel(cancelled));
  const EventHandle third = q.schedule(3.0, &d, 3);
  CHECK(third.slot == reused.slot);
  CHECK_FALSE(q.is_pending(reused));
  CHECK_FALSE(q.cancel(reused));
  CHECK(q.is_pending(third));
  CHECK(drain(q) == Trace{{3, 3}});
}

TEST_CASE("random schedule/pop/cancel matches a reference multiset") {
  EventQueue q;
  random_against_reference(q, 60'000, 2'000, 20240611);
  CHECK(q.capacity() <= 2'000);
}

TEST_CASE("FIFO ties survive sequence renumbering") {
  EventQueue q;
  surgesim::sim::EventQueueTesting::set_sequence_limit(q, 100);  // renumber every ~100 schedules
  random_against_reference(q, 30'000, 60, 99);
}

TEST_CASE("a steady-state hold loop does not grow the slot pool") {
  EventQueue q;
  Dummy d;
  std::mt19937_64 rng(3);
  std::exponential_distribution<double> hold(1.0);
  std::vector<EventHandle> extra;
  for (int i = 0; i < 1000; ++i) q.schedule(hold(rng), &d, 0);
  const std::size_t slots = q.capacity();
  for (int i = 0; i < 200'000; ++i) {
    const Time now = q.pop().t;
    q.schedule(now + hold(rng), &d, 0);
    if (i % 10 == 0) {  // a timer set and cancelled, as a request timeout would be
      EventHandle timer = q.schedule(now + 30.0, &d, 1);
      CHECK(q.cancel(timer));
    }
  }
  CHECK(q.size() == 1000);
  CHECK(q.capacity() == slots + 1);  // the timer needs one slot beyond the 1000
  q.clear();
  CHECK(q.empty());
  for (int i = 0; i < 1001; ++i) q.schedule(1.0, &d, 0);
  CHECK(q.capacity() == slots + 1);  // clear() recycles slots
}

TEST_CASE("reserve and growth keep pending events in order") {
  // The tree gains a level at 16, 64, 256, ... slots, and reserve() may regrow it while
  // events are pending; 30000 pending also exercises the big-tree prefetch.
  EventQueue q;
  Dummy d;
  q.reserve(10);
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> when(0.0, 100.0);
  std::multiset<std::pair<Time, std::uint32_t>> ref;
  for (std::uint32_t tag = 0; tag < 30'000; ++tag) {
    if (tag == 1'000) q.reserve(5'000);
    const Time t = when(rng);
    q.schedule(t, &d, tag);
    ref.emplace(t, tag);
  }
  CHECK(q.capacity() == 30'000);
  for (int i = 0; i < 100'000; ++i) {  // hold: pop, then push later
    const EventQueue::Fired f = q.pop();
    REQUIRE(f.t == ref.begin()->first);
    REQUIRE(f.tag == ref.begin()->second);
    ref.erase(ref.begin());
    const Time t = f.t + when(rng);
    q.schedule(t, &d, f.tag);
    ref.emplace(t, f.tag);
  }
  CHECK(q.capacity() == 30'000);
  q.clear();
  CHECK(q.empty());
  CHECK(q.next_time() == kForever);
}

TEST_CASE("random operations match the reference while the pending count crosses the switch") {
  // Climb to three times the switch, hover, fall to almost nothing; three times, with
  // continuous and odd times, then with coarse times (thousands of exact ties).
  using Phase = ReferenceRun::Phase;
  const std::size_t high = 3 * EventQueue::kLadderFrom;
  for (const bool coarse : {false, true}) {
    CAPTURE(coarse);
    EventQueue q;
    ReferenceRun run(q, coarse ? 17 : 23, coarse);
    bool saw_ladder = false;
    for (int cycle = 0; cycle < 3; ++cycle) {
      run.run(Phase{30'000, 70, 20, 5, high});
      saw_ladder = saw_ladder || EventQueueTesting::on_ladder(q);
      run.run(Phase{30'000, 45, 35, 15, high});
      run.run(Phase{40'000, 10, 65, 20, high});
      CHECK(run.pending() < EventQueue::kTreeBelow);
      CHECK_FALSE(EventQueueTesting::on_ladder(q));
    }
    CHECK(saw_ladder);
    run.drain();
  }
}

TEST_CASE("switching back and forth, resizing and renumbering at small sizes") {
  // A switch at 40 pending (back below 10) and a sequence renumbered every ~500
  // schedules: every path between the two structures runs thousands of times.
  using Phase = ReferenceRun::Phase;
  EventQueue q;
  EventQueueTesting::set_switch(q, 40, 10);
  EventQueueTesting::set_sequence_limit(q, 500);
  ReferenceRun run(q, 31, false);
  for (int cycle = 0; cycle < 300; ++cycle) {
    run.run(Phase{150, 65, 20, 10, 400});
    run.run(Phase{150, 15, 60, 20, 400});
  }
  run.drain();
}

TEST_CASE("timers fire exactly as scheduled events, through the tree, the ladder and renumbering") {
  // A third of the schedules are timers, which wait in the nursery until they settle;
  // coarse times put thousands of them on exact ties with the events they must precede.
  using Phase = ReferenceRun::Phase;
  for (const bool coarse : {true, false}) {
    for (const Time settles : {0.5, 0.0, 3.0}) {
      CAPTURE(coarse);
      CAPTURE(settles);
      EventQueue q;
      EventQueueTesting::set_switch(q, 40, 10);
      EventQueueTesting::set_sequence_limit(q, 500);
      ReferenceRun run(q, 41, coarse);
      run.use_timers(3, settles);
      for (int cycle = 0; cycle < 100; ++cycle) {
        run.run(Phase{150, 65, 20, 10, 400});
        run.run(Phase{150, 15, 60, 20, 400});
      }
      run.drain();
    }
  }
}

TEST_CASE("timers mostly cancelled wait in a bounded nursery and never reach the tree") {
  EventQueue q;
  Dummy d;
  // A hold loop of 100 events; each pop sets a timer a minute out that settles in a
  // second, and cancels the one set 10 pops before (a request answered soon).
  std::mt19937_64 rng(5);
  std::exponential_distribution<double> hold(10.0);  // 100 pending: 1,000 events a second
  for (int i = 0; i < 100; ++i) q.schedule(hold(rng), &d, 0);
  std::vector<EventHandle> timers;
  std::size_t most = 0;
  for (int i = 0; i < 300'000; ++i) {
    const Time now = q.pop().t;
    q.schedule(now + hold(rng), &d, 0);
    timers.push_back(q.schedule_timer(now + 60.0, now + 1.0, &d, 1));
    if (timers.size() > 10) CHECK(q.cancel(timers[timers.size() - 11]));
    most = std::max(most, EventQueueTesting::nursery(q));
  }
  CHECK(q.size() == 100 + 10);
  // A second's worth of timers (about 1,000) waits; the tree only ever held the hold
  // loop's events and the ten live timers once they settled.
  CHECK(most > 500);
  CHECK(most < 2'000);
  CHECK(q.capacity() <= 100 + 10 + most + 1);
  // Beyond the bound the earliest timers settle early, still in order.
  EventQueue big;
  const std::size_t n = EventQueueTesting::nursery_max() + 5'000;
  for (std::size_t i = 0; i < n; ++i) {
    big.schedule_timer(1e6 + static_cast<double>(n - i), 1e5, &d, static_cast<std::uint32_t>(i));
  }
  CHECK(EventQueueTesting::nursery(big) == EventQueueTesting::nursery_max());
  CHECK(big.size() == n);
  for (std::size_t i = n; i-- > 0;) REQUIRE(big.pop().tag == i);  // latest set fires first
}

TEST_CASE("run_until fires events before `end` only and leaves now at `end`") {
  Simulator sim;
  Recorder r(sim);
  sim.at(1.0, &r, 1);
  sim.at(2.0, &r, 2);
  sim.at(3.0, &r, 3);  // exactly at the end: not fired by this call
  std::atomic<double> progress{0.0};
  CHECK(sim.run_until(3.0, &progress));
  CHECK(r.trace == Trace{{1, 1}, {2, 2}});
  CHECK(sim.now() == 3.0);
  CHECK(sim.events_fired() == 2);
  CHECK(progress.load() == 1.0);
  CHECK(sim.events().next_time() == 3.0);

  sim.after(0.5, &r, 4);  // relative to now = 3
  CHECK(sim.run_until(10.0));
  CHECK(r.trace == Trace{{1, 1}, {2, 2}, {3, 3}, {3.5, 4}});
  CHECK(sim.now() == 10.0);
  CHECK(sim.events_fired() == 4);

  CHECK(sim.run_until(20.0));  // nothing pending: the clock still moves
  CHECK(sim.now() == 20.0);
}

TEST_CASE("run_until stops early when the stop flag is set") {
  // An endless chain that raises the flag at its 1000th event. The loop polls the flag
  // every 2^16 events, so it must stop within that many more.
  struct Endless final : EventTarget {
    explicit Endless(Simulator& s) : sim(s) {}
    void on_event(std::uint32_t, std::uint32_t) override {
      if (++count == 1000) stop.store(true);
      sim.after(1.0, this, 0);
    }
    Simulator& sim;
    std::atomic<bool> stop{false};
    std::uint64_t count = 0;
  };
  Simulator sim;
  Endless e(sim);
  sim.at(0.0, &e, 0);
  std::atomic<double> progress{0.0};
  CHECK_FALSE(sim.run_until(1e12, &progress, &e.stop));
  CHECK(sim.events_fired() >= 1000);
  CHECK(sim.events_fired() <= 1000 + (1u << 16));
  CHECK(sim.now() < 1e12);
  CHECK(progress.load() < 1.0);
  CHECK(sim.events().size() == 1);  // the chain's next event is still pending
}
