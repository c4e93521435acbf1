// The event loop allocates nothing per event: a run twice as long makes (almost) no
// more heap allocations. Its own executable, since it replaces the global operator new.
#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <random>

#include "models/loader/scenario_loader.hpp"
#include "models/run/shop.hpp"
#include "sim/event_queue.hpp"

namespace {
std::atomic<std::size_t> g_allocations{0};
}  // namespace

void* operator new(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
// Cache-aligned arrays (the event queue's tree, the ladder's chunks) come through here.
void* operator new(std::size_t size, std::align_val_t align) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  const auto a = static_cast<std::size_t>(align);
  if (void* p = std::aligned_alloc(a, (size + a - 1) / a * a)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}

namespace {

// Allocations made by one whole replication (set-up, run and summary).
std::size_t allocations_for(const std::string& duration) {
  const auto scenario = surgesim::models::load_scenario_text(R"(
name: allocations
duration: )" + duration + R"(
bucket: 10h
traffic: {rate: 200}
journeys:
  browse:
    share: 1
    think: {dist: exponential, mean: 2s}
    patience: {dist: lognormal, median: 1s, sigma: 1}
    retry: {max: 1, backoff: 1s}
    pages:
      home: {call: web, next: {product: 0.6, exit: 0.4}}
      product: {call: web, next: {home: 0.3, exit: 0.7}}
services:
  web: {type: server_pool, instances: 2, workers: 4, queue: 50, timeout: 2s,
        service: {dist: gamma, mean: 30ms, cv: 1.5}}
)",
                                                             "test.yaml");
  const std::size_t before = g_allocations.load();
  surgesim::models::Shop shop(scenario, 0);
  const auto summary = shop.run().summary;
  CHECK(summary["sessions"]["started"].get<double>() > 0);
  return g_allocations.load() - before;
}

}  // namespace

TEST_CASE("steady state allocates nothing per event") {
  // 20 minutes vs 2 hours: ~240k vs ~1.4M sessions, with abandonment, timeouts,
  // rejections and retries all happening. Pools and queues may still grow a little
  // when a rarer, longer burst raises the peak in flight, hence the small allowance.
  // One bucket for both runs: a time-series row costs a few allocations per bucket
  // (not per event), which is what a longer run with the same bucket would add.
  const std::size_t short_run = allocations_for("20m");
  const std::size_t long_run = allocations_for("2h");
  INFO("allocations: 20 min " << short_run << ", 2 h " << long_run);
  CHECK(long_run < short_run + 50);
}

TEST_CASE("the ladder allocates nothing per event once it has grown") {
  // 20,000 pending events, so the ladder holds them; each fired event schedules the
  // next and sets and cancels a timeout, as a request answered in time does. A run
  // five times longer may only add the few allocations of a slowly rising high-water
  // mark (buffers grow geometrically).
  struct Dummy final : surgesim::sim::EventTarget {
    void on_event(std::uint32_t, std::uint32_t) override {}
  };
  auto allocations_for = [](int events) {
    surgesim::sim::EventQueue q;
    Dummy d;
    std::mt19937_64 rng(4);
    std::exponential_distribution<double> hold(1.0);
    for (int i = 0; i < 20'000; ++i) q.schedule(hold(rng), &d, 0);
    const std::size_t before = g_allocations.load();
    for (int i = 0; i < events; ++i) {
      const double now = q.pop().t;
      q.schedule(now + hold(rng), &d, 0);
      surgesim::sim::EventHandle timer = q.schedule(now + 30.0, &d, 1);
      q.cancel(timer);
    }
    return g_allocations.load() - before;
  };
  const std::size_t short_run = allocations_for(200'000);
  const std::size_t long_run = allocations_for(1'000'000);
  INFO("allocations: 200k events " << short_run << ", 1M events " << long_run);
  CHECK(long_run < short_run + 20);
}
