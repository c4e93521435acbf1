// The ladder queue on its own, against a sorted reference: every key comes out once, in
// order, whatever mix of pushes, pops, visits and filters came before. A push's append is
// deferred to the next push (sim/ladder_queue.hpp), so each check here runs right after a
// push too: the deferred key must be seen by every reader.
#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <set>
#include <utility>

#include "sim/ladder_queue.hpp"

using surgesim::sim::EventKey;
using surgesim::sim::LadderQueue;

namespace {

using Reference = std::set<std::pair<std::uint64_t, std::uint64_t>>;

void push(LadderQueue& q, Reference& ref, std::uint64_t time, std::uint64_t order) {
  q.push(EventKey{time, order});
  ref.emplace(time, order);
}

void check_front(LadderQueue& q, const Reference& ref) {
  REQUIRE(q.size() == ref.size());
  const EventKey* front = q.front();
  if (ref.empty()) {
    REQUIRE(front == nullptr);
    return;
  }
  REQUIRE(front != nullptr);
  REQUIRE(std::make_pair(front->time, front->order) == *ref.begin());
}

}  // namespace

TEST_CASE("keys leave the ladder in order after any mix of pushes, pops, visits and filters") {
  std::mt19937_64 rng(11);
  LadderQueue q;
  Reference ref;
  std::uint64_t now = 1000, order = 0;
  // Delays from a few ties (0) to far ahead, so keys land in the bottom, rungs and top.
  std::uniform_int_distribution<std::uint64_t> near(0, 50), far(0, 5'000'000);
  std::uniform_int_distribution<int> action(0, 99);
  for (int step = 0; step < 400'000; ++step) {
    const int a = action(rng);
    if (a < 50 || ref.empty()) {
      push(q, ref, now + (a % 2 == 0 ? near(rng) : far(rng)), order++);
    } else if (a < 95) {
      check_front(q, ref);
      now = q.front()->time;
      q.pop_front();
      ref.erase(ref.begin());
    } else if (a < 98) {
      // A visit right after a push sees the key whose append is deferred.
      push(q, ref, now + far(rng), order++);
      Reference seen;
      q.for_each([&](const EventKey& e) { seen.emplace(e.time, e.order); });
      REQUIRE(seen == ref);
    } else {
      // A filter right after a push keeps (or drops) the deferred key like any other.
      push(q, ref, now + near(rng), order++);
      q.retain([](const EventKey& e) { return e.order % 3 != 0; });
      std::erase_if(ref, [](const auto& k) { return k.second % 3 == 0; });
      check_front(q, ref);
    }
  }
  while (!ref.empty()) {
    check_front(q, ref);
    q.pop_front();
    ref.erase(ref.begin());
  }
  check_front(q, ref);
  // Cleared right after a push, nothing is left, deferred or not.
  push(q, ref, now + 1, order++);
  q.clear();
  ref.clear();
  check_front(q, ref);
  push(q, ref, now + 2, order++);
  check_front(q, ref);
}
