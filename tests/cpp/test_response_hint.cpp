// The hint services give when the event set is large: a few events before a request's
// work ends and its answer goes out, its shopper hears expect_response(session), so the
// session can be fetched into the cache before the answer arrives. A hint changes
// nothing; what is checked is that it names the right session at the right time, for
// every type, through a call chain, and never for work that still has a call to make.
#include <doctest/doctest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "models/loader/scenario_loader.hpp"
#include "models/services/service.hpp"
#include "models/services/service_types.hpp"
#include "sim/simulator.hpp"
#include "tests/cpp/event_queue_testing.hpp"

using namespace surgesim;
using models::Outcome;
using models::RequestId;

namespace {

// Records, in order, the sessions answered and the sessions hinted, each hint with the
// number of answers before it.
struct Shoppers : models::ResponseSink {
  explicit Shoppers(models::RequestPool& pool) : pool(pool) { hears_starts_ = false; }
  void on_service_start(RequestId) override {}
  void on_response(RequestId id, Outcome, sim::QuantileSketch::Key) override {
    answered.push_back(pool[id].session);
  }
  void expect_response(std::uint32_t session) const override {
    hinted.emplace_back(answered.size(), session);
  }
  models::RequestPool& pool;
  std::vector<std::uint32_t> answered;
  // Hints arrive through a const function: recording them changes nothing it checks.
  mutable std::vector<std::pair<std::size_t, std::uint32_t>> hinted;
};

// Never fires within the run: holds the event set above the size from which hints come.
struct Filler : sim::EventTarget {
  void on_event(std::uint32_t, std::uint32_t) override {}
};

struct Run {
  std::vector<std::uint32_t> answered;
  std::vector<std::pair<std::size_t, std::uint32_t>> hinted;
};

// `pages` page requests reach the first service of `yaml` at time 0, with 200,000 events
// pending beside them.
Run run_pages(const char* yaml, std::uint32_t pages) {
  const models::Scenario s = models::load_scenario_text(yaml, "hint.yaml");
  sim::Simulator sim;
  models::RequestPool requests;
  Shoppers shoppers(requests);
  std::vector<std::unique_ptr<models::Service>> services;
  for (std::uint32_t i = 0; i < s.services.size(); ++i) {
    services.push_back(models::make_service(
        s.services[i],
        models::ServiceContext{&sim, &requests, &shoppers, &services, &s.services, i, s.seed, 0},
        s.seed, 0));
  }
  Filler filler;
  for (std::uint32_t k = 0; k < 200'000; ++k) sim.at(1e6 + k, &filler, 0);
  for (std::uint32_t session = 0; session < pages; ++session) {
    const RequestId id = requests.acquire();
    requests[id].session = session;
    requests[id].service = 0;
    services[0]->arrive(id);
  }
  sim.run_until(1e5);
  return {shoppers.answered, shoppers.hinted};
}

// Each hint given after `from` answers names the answer kHintAhead after the next; at
// least a quarter of the answers were hinted.
void check_hints(const Run& run, std::size_t from) {
  const std::size_t ahead = sim::EventQueueTesting::hint_ahead();
  std::size_t checked = 0;
  for (const auto& [answers, session] : run.hinted) {
    if (answers < from) continue;
    CAPTURE(answers);
    REQUIRE(answers + 1 + ahead < run.answered.size());
    REQUIRE(session == run.answered[answers + 1 + ahead]);
    ++checked;
  }
  CHECK(checked > run.answered.size() / 4);
}

const char* const kHead = R"(name: hint
duration: 1h
traffic: {rate: 1}
journeys: {j: {share: 1, pages: {p: {call: page, next: {exit: 1}}}}}
services:
)";

}  // namespace

TEST_CASE("work that answers at once hints its session kHintAhead events ahead, every type") {
  // The page's service comes first; each answers every request at once when its work
  // ends, and nothing queues, so no event is scheduled while the others fire.
  const char* const types[] = {
      "  page: {type: server_pool, instances: 1, workers: 5000, service: {dist: exponential, "
      "mean: 1s}}\n",
      "  page: {type: cache, hit_ratio: 1, hit: {dist: exponential, mean: 1s}, miss: {to: db}}\n"
      "  db: {type: database, connections: 1, query: 1ms}\n",
      "  page: {type: database, connections: 5000, query: {dist: exponential, mean: 1s}}\n",
      "  page: {type: payment_gateway, providers: [{name: bank, share: 1, latency: {dist: "
      "exponential, mean: 1s}}]}\n",
  };
  for (const char* services : types) {
    CAPTURE(services);
    const Run run = run_pages((std::string(kHead) + services).c_str(), 5000);
    REQUIRE(run.answered.size() == 5000);
    // Only page requests' work fires, each answering at once, so events and answers
    // count alike. (Pops give no hint while the ladder's bottom holds too few events to
    // look that far.)
    check_hints(run, 0);
  }
}

TEST_CASE("a callee's answer hints the session its chain works for; a call to make, none") {
  // The page pool's own work (10 ms) ends for every page before the first lookup (about
  // 1 s): those events make a call, and give no hint. Then each cache hit answers the
  // pool, which has nothing left to do and answers the shopper in the same event.
  const std::string chain = std::string(kHead) +
                            "  page: {type: server_pool, instances: 1, workers: 5000, "
                            "service: 10ms, calls: [{to: cache}]}\n"
                            "  cache: {type: cache, hit_ratio: 1, hit: {dist: exponential, "
                            "mean: 1s}, miss: {to: db}}\n"
                            "  db: {type: database, connections: 1, query: 1ms}\n";
  const Run run = run_pages(chain.c_str(), 5000);
  REQUIRE(run.answered.size() == 5000);
  // The pool's last events look ahead into the lookups (hints before any answer): left out.
  check_hints(run, 1);

  // With the callee's work never ending within the run, the pool's events alone fire.
  const std::string calling_only = std::string(kHead) +
                                   "  page: {type: server_pool, instances: 1, workers: 5000, "
                                   "service: 10ms, calls: [{to: db}]}\n"
                                   "  db: {type: server_pool, instances: 1, workers: 5000, "
                                   "service: 1000h}\n";
  const Run calling = run_pages(calling_only.c_str(), 2000);
  CHECK(calling.answered.empty());
  CHECK(calling.hinted.empty());
}
