// The event loop allocates nothing per event: a run twice as long makes (almost) no
// more heap allocations. Its own executable, since it replaces the global operator new.
#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "models/loader/scenario_loader.hpp"
#include "models/run/shop.hpp"

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
