#include "hold.hpp"

#include <algorithm>
#include <functional>
#include <queue>
#include <utility>
#include <vector>

#include "sim/random_stream.hpp"
#include "sim/simulator.hpp"

namespace surgesim::bench {
namespace {

// Reschedules itself on every event, through the Simulator's real (virtual) dispatch.
class HoldTarget final : public sim::EventTarget {
 public:
  HoldTarget(sim::Simulator& sim, std::uint64_t seed) : sim_(sim), stream_(seed, 0, "bench.hold") {}
  double draw() { return stream_.exponential(1.0); }
  void on_event(std::uint32_t tag, std::uint32_t arg) override {
    sim_.after(draw(), this, tag, arg);
  }

 private:
  sim::Simulator& sim_;
  sim::RandomStream stream_;
};

// Keeps the optimiser from dropping a loop whose result nobody reads.
volatile double g_kept;
void sink(double value) {
  g_kept = value;
}

}  // namespace

Sample hold_simulator(std::uint32_t pending, std::uint64_t events, std::uint64_t seed) {
  sim::Simulator sim;
  HoldTarget target(sim, seed);
  sim.events().reserve(pending);
  for (std::uint32_t i = 0; i < pending; ++i) sim.at(target.draw(), &target, 0, i);
  // Exp(1) holds keep the residual times Exp(1): the queue starts in steady state and
  // fires `pending` events per unit of simulated time.
  const double per_unit = pending;
  const double warm = std::max(1.0, 2e5 / per_unit);
  sim.run_until(warm);
  const std::uint64_t before = sim.events_fired();
  const Stopwatch watch;
  sim.run_until(warm + static_cast<double>(events) / per_unit);
  const Sample sample = watch.sample(static_cast<double>(sim.events_fired() - before));
  sink(sim.now());
  return sample;
}

Sample hold_priority_queue(std::uint32_t pending, std::uint64_t events, std::uint64_t seed) {
  using Item = std::pair<double, std::uint64_t>;
  std::vector<Item> storage;
  storage.reserve(pending + 1);
  std::priority_queue<Item, std::vector<Item>, std::greater<>> queue(std::greater<>{},
                                                                     std::move(storage));
  sim::RandomStream stream(seed, 0, "bench.hold");
  std::uint64_t sequence = 0;
  for (std::uint32_t i = 0; i < pending; ++i) queue.emplace(stream.exponential(1.0), sequence++);
  auto hold = [&](std::uint64_t n) {
    for (std::uint64_t i = 0; i < n; ++i) {
      const double now = queue.top().first;
      queue.pop();
      queue.emplace(now + stream.exponential(1.0), sequence++);
    }
  };
  hold(std::max<std::uint64_t>(pending, 200'000));
  const Stopwatch watch;
  hold(events);
  const Sample sample = watch.sample(static_cast<double>(events));
  sink(queue.top().first);
  return sample;
}

}  // namespace surgesim::bench
