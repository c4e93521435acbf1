// The hint a server pool gives when the event set is large: a few events before a page
// request's work ends, its shopper hears expect_response(session), so the session can be
// fetched into the cache before the answer arrives. A hint changes nothing; what is
// checked is that it names the right session at the right time, and only for work that
// answers at once (no call left to make).
#include <doctest/doctest.h>

#include <cstdint>
#include <memory>
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
  void on_response(RequestId id, Outcome) override { answered.push_back(pool[id].session); }
  void expect_response(std::uint32_t session) const override {
    const_cast<Shoppers*>(this)->hinted.emplace_back(answered.size(), session);
  }
  models::RequestPool& pool;
  std::vector<std::uint32_t> answered;
  std::vector<std::pair<std::size_t, std::uint32_t>> hinted;
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

}  // namespace

TEST_CASE("a pool's work that answers at once hints its session kHintAhead events ahead") {
  const Run run = run_pages(R"(name: hint
duration: 1h
traffic: {rate: 1}
journeys: {j: {share: 1, pages: {p: {call: web, next: {exit: 1}}}}}
services:
  web: {type: server_pool, instances: 1, workers: 5000, service: {dist: exponential, mean: 1s}}
)",
                            5000);
  REQUIRE(run.answered.size() == 5000);
  // Only page requests' work fires, each answering at once, so events and answers
  // count alike: a hint given after k answers names the answer kHintAhead after the
  // next. (Pops give no hint while the ladder's bottom holds too few events to look
  // that far.)
  const std::size_t ahead = sim::EventQueueTesting::hint_ahead();
  REQUIRE(run.hinted.size() > run.answered.size() / 4);
  for (const auto& [answers, session] : run.hinted) {
    CAPTURE(answers);
    REQUIRE(answers + 1 + ahead < run.answered.size());
    REQUIRE(session == run.answered[answers + 1 + ahead]);
  }
}

TEST_CASE("work with a call still to make gives no hint, nor does a downstream call") {
  const Run run = run_pages(R"(name: hint-calls
duration: 1h
traffic: {rate: 1}
journeys: {j: {share: 1, pages: {p: {call: web, next: {exit: 1}}}}}
services:
  web: {type: server_pool, instances: 1, workers: 5000, service: 10ms, calls: [{to: db}]}
  db: {type: server_pool, instances: 1, workers: 5000, service: {dist: exponential, mean: 1s}}
)",
                            2000);
  REQUIRE(run.answered.size() == 2000);
  // web's work ends in a call, db's answers web, not a shopper.
  CHECK(run.hinted.empty());
}
