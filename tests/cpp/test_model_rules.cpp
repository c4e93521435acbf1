// Exact cases for the rules the scenario reference states about contention, outages and
// slowness, each with a closed form: a bug in any of them moves a count or a mean away
// from its exact value.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "tests/cpp/scenario_runner.hpp"

using namespace surgesim;
using testing::check_in_ci;
using testing::one_page_shop;
using testing::per_replication;
using testing::ratio;
using testing::run_yaml;
using testing::sum_rows;
using testing::table;

namespace {

// Mean query time of a database that only the shoppers call: response minus wait (all
// its requests start and succeed); only requests that straddle the edges of the
// statistics window keep it from being exact.
void check_query_time(const models::ExperimentResult& result, double exact) {
  const auto response = per_replication(result, "/services/db/mean_response_s");
  const auto wait = per_replication(result, "/services/db/mean_wait_s");
  for (std::size_t r = 0; r < response.size(); ++r) {
    CHECK(response[r] - wait[r] == doctest::Approx(exact).epsilon(1e-3));
  }
}

// Work takes exactly 50 s and the outage lasts from 100 s to 200 s, so the sessions that
// arrived in [50 s, 100 s) are held when it begins and those of [100 s, 200 s) find the
// service down: exactly the arrivals of [50 s, 200 s) end with `outage`.
void check_outage_fails_arrivals_50_to_200(const std::string& services, const std::string& name) {
  const auto result = run_yaml(one_page_shop(R"(
name: outage
duration: 400s
bucket: 50s
replications: 3
traffic: {rate: 0.5}
)",
                                             name, services));
  for (std::size_t r = 0; r < 3; ++r) {
    const auto& rep = result.replications[r];
    const double arrived = sum_rows(table(result, r, "timeseries/traffic"), "sessions", 50, 200);
    INFO(name << ", replication " << r);
    CHECK(arrived > 0);
    CHECK(rep["sessions"]["by_cause"]["outage"].get<double>() == arrived);
    CHECK(rep["services"][name]["errors"].get<double>() == arrived);
    CHECK(rep["sessions"]["dropped"].get<double>() == arrived);
  }
}

}  // namespace

TEST_CASE("contention counts the query's own connection: one connection, above 0, is M/D/1") {
  // Every query starts with n = 1 busy (its own) > above = 0: it takes 100 ms x 1.5.
  // M/D/1 with D = 150 ms at 4/s (rho 0.6): Wq = rho D / (2 (1 - rho)) = 112.5 ms.
  const auto result = run_yaml(one_page_shop(R"(
name: md1
duration: 2h
warmup: 5m
replications: 10
traffic: {rate: 4}
)",
                                             "db", R"(  db:
    type: database
    connections: 1
    query: 100ms
    contention: {above: 0, slowdown: 0.5}
)"));
  check_query_time(result, 0.15);
  check_in_ci(per_replication(result, "/services/db/mean_wait_s"), 0.6 * 0.15 / (2 * 0.4),
              "M/D/1 mean wait");
}

TEST_CASE("contention with above = connections never stretches a query") {
  const auto result = run_yaml(one_page_shop(R"(
name: no-stretch
duration: 10m
replications: 2
traffic: {rate: 15}
)",
                                             "db", R"(  db:
    type: database
    connections: 2
    query: 100ms
    contention: {above: 2, slowdown: 0.5}
)"));
  check_query_time(result, 0.1);
}

TEST_CASE("a whole-service outage fails the requests the service holds, at every type") {
  check_outage_fails_arrivals_50_to_200(R"(  db:
    type: database
    connections: 1000
    query: 50s
    outages: [{at: 100s, for: 100s}]
)",
                                        "db");
  check_outage_fails_arrivals_50_to_200(R"(  pay:
    type: payment_gateway
    providers: [{name: a, share: 1, latency: 50s}]
    outages: [{at: 100s, for: 100s}]
)",
                                        "pay");
  // A provider's outage fails the payments in flight at that provider.
  check_outage_fails_arrivals_50_to_200(R"(  pay:
    type: payment_gateway
    providers: [{name: a, share: 1, latency: 50s, outages: [{at: 100s, for: 100s}]}]
)",
                                        "pay");
}

TEST_CASE("a provider's outage fails its payments in flight over to the next provider") {
  const auto result = run_yaml(one_page_shop(R"(
name: failover
duration: 400s
replications: 3
traffic: {rate: 0.5}
)",
                                             "pay", R"(  pay:
    type: payment_gateway
    failover: true
    providers:
      - {name: a, share: 0.5, latency: 50s, outages: [{at: 100s, for: 100s}]}
      - {name: b, share: 0.5, latency: 50s}
)"));
  for (const auto& rep : result.replications) {
    CHECK(rep["sessions"]["dropped"].get<double>() == 0);
    CHECK(rep["sessions"]["completed"].get<double>() > 100);
  }
}

TEST_CASE("in a cache outage every lookup, new, queued or in progress, misses at once") {
  // Lookups take 50 s and always hit while the cache is up: exactly the lookups of
  // [50 s, 200 s) become misses, and none of them fails.
  const auto result = run_yaml(one_page_shop(R"(
name: cache-outage
duration: 400s
bucket: 50s
replications: 3
traffic: {rate: 0.5}
)",
                                             "cache", R"(  cache:
    type: cache
    hit_ratio: 1
    hit: 50s
    miss: {to: db}
    outages: [{at: 100s, for: 100s}]
  db: {type: database, connections: 1000, query: 1ms}
)"));
  for (std::size_t r = 0; r < 3; ++r) {
    const auto& rep = result.replications[r];
    const double arrived = sum_rows(table(result, r, "timeseries/traffic"), "sessions", 50, 200);
    CHECK(arrived > 0);
    CHECK(rep["services"]["db"]["arrivals"].get<double>() == arrived);
    CHECK(rep["sessions"]["dropped"].get<double>() == 0);
  }
  // A queued lookup too: one worker, so the second of two close lookups waits.
  const auto queued = run_yaml(one_page_shop(R"(
name: cache-queue
duration: 400s
replications: 3
traffic: {rate: 0.5}
)",
                                             "cache", R"(  cache:
    type: cache
    hit_ratio: 1
    hit: 50s
    workers: 1
    miss: {to: db}
    outages: [{at: 100s, for: 100s}]
  db: {type: database, connections: 1000, query: 1ms}
)"));
  for (const auto& rep : queued.replications) {
    // Everything queued or looking up at 100 s went to the database at once: its
    // arrivals are at least the queue the cache had then, and no session failed.
    CHECK(rep["services"]["db"]["arrivals"].get<double>() >= 1);
    CHECK(rep["sessions"]["dropped"].get<double>() == 0);
  }
}

TEST_CASE("slowness is decided after routing: a shopper going to exit completes") {
  // One slow order page, then exit: the orders are all placed and nobody leaves as slow
  // (the old rule dropped 41% of these sessions after they had ordered).
  const auto result = run_yaml(R"(
name: one-page-order
duration: 30m
replications: 3
traffic: {rate: 5}
journeys:
  only:
    share: 1
    slowness: {above: 100ms, per: 100ms, leave: 0.1}
    pages:
      buy: {call: web, next: {exit: 1}, order: {value: 100}}
services:
  web: {type: server_pool, instances: 100, service: 1s}
)");
  for (const auto& rep : result.replications) {
    CHECK(rep["sessions"]["by_cause"]["slow"].get<double>() == 0);
    CHECK(rep["sessions"]["dropped"].get<double>() == 0);
    CHECK(rep["orders"] == rep["sessions"]["completed"]);
  }
}

TEST_CASE("a slow shopper loses the revenue-to-go of the page they were going to") {
  // After the 1 s page, half go on to `buy` (an order of exactly 100) and half exit. Only
  // those going to buy can leave, with P = 1 - 0.9^9, each losing exactly 100; revenue
  // plus lost revenue per session is the start page's revenue-to-go, 50.
  const auto result = run_yaml(R"(
name: slow-routing
duration: 1h
replications: 10
traffic: {rate: 10}
journeys:
  only:
    share: 1
    slowness: {above: 100ms, per: 100ms, leave: 0.1}
    pages:
      view: {call: web, next: {buy: 0.5, exit: 0.5}}
      buy: {call: fast, next: {exit: 1}, order: {value: 100}}
services:
  web: {type: server_pool, instances: 100, service: 1s}
  fast: {type: server_pool, instances: 100, service: 1ms}
)");
  for (const auto& rep : result.replications) {
    CHECK(rep["lost_revenue"]["by_cause"]["slow"].get<double>() ==
          doctest::Approx(100.0 * rep["sessions"]["by_cause"]["slow"].get<double>()));
  }
  check_in_ci(ratio(result, "/sessions/by_cause/slow", "/sessions/started"),
              0.5 * (1.0 - std::pow(0.9, 9.0)), "P(slow)");
  std::vector<double> per_session;
  for (const auto& rep : result.replications) {
    per_session.push_back(
        (rep["revenue"].get<double>() + rep["lost_revenue"]["total"].get<double>()) /
        rep["sessions"]["started"].get<double>());
  }
  check_in_ci(per_session, 50.0, "revenue + lost revenue per session");
}
