// The analytic estimate printed by `surgesim check`: visits per session from each
// journey's Markov chain, and per-service rates and M/M/c figures.
#include <doctest/doctest.h>

#include <cmath>

#include "models/analysis/analytic_estimate.hpp"
#include "models/report/estimate_report.hpp"
#include "sim/queueing_theory.hpp"
#include "tests/cpp/scenario_runner.hpp"

using namespace surgesim;

namespace {
const char* kShop = R"(
name: estimate
duration: 1h
replications: 10
traffic: {rate: 20}
journeys:
  browse:
    share: 0.3
    pages:
      home: {call: web, next: {product: 0.6, exit: 0.4}}
      product: {call: api, next: {home: 0.5, exit: 0.5}}
  quick:
    share: 0.7
    pages:
      home: {call: web, next: {exit: 1}}
services:
  web: {type: server_pool, instances: 2, service: {dist: exponential, mean: 50ms}}
  api: {type: server_pool, instances: 1, service: {dist: exponential, mean: 100ms}}
)";
}  // namespace

TEST_CASE("visits per session solve the journey's absorbing Markov chain") {
  const auto e = models::estimate(models::load_scenario_text(kShop, "test.yaml"));
  REQUIRE(e.visits.size() == 2);
  CHECK(e.visits[0][0] == doctest::Approx(1.0 / 0.7));
  CHECK(e.visits[0][1] == doctest::Approx(0.6 / 0.7));
  CHECK(e.visits[1][0] == doctest::Approx(1.0));
}

TEST_CASE("service rates and M/M/c figures follow the traffic equations") {
  const auto e = models::estimate(models::load_scenario_text(kShop, "test.yaml"));
  const double web_rate = 20 * (0.3 / 0.7 + 0.7);
  const double api_rate = 20 * 0.3 * 0.6 / 0.7;
  CHECK(e.services[0].arrival_rate == doctest::Approx(web_rate));
  CHECK(e.services[1].arrival_rate == doctest::Approx(api_rate));
  CHECK(e.services[0].servers == 2);
  CHECK(e.services[0].utilization == doctest::Approx(web_rate * 0.05 / 2));
  // Exponential service: Allen-Cunneen's factor is 1, the estimate is Erlang C exactly.
  CHECK(e.services[1].mean_wait == doctest::Approx(sim::theory::mm1(api_rate, 10.0).mean_wait));

  // And the simulation agrees on the request rates.
  const auto result = testing::run_yaml(kShop);
  std::vector<double> web, api;
  for (const auto& tree : result.replications) {
    web.push_back(tree["services"]["web"]["arrivals"].get<double>() / 3600.0);
    api.push_back(tree["services"]["api"]["arrivals"].get<double>() / 3600.0);
  }
  testing::check_in_ci(web, web_rate, "web requests/s");
  testing::check_in_ci(api, api_rate, "api requests/s");
}

TEST_CASE("an overloaded pool is flagged with an infinite wait") {
  auto scenario = models::load_scenario_text(kShop, "test.yaml");
  scenario.traffic.rate = 400;
  const auto e = models::estimate(scenario);
  CHECK(e.services[1].utilization > 1.0);
  CHECK(e.services[1].p_wait == 1.0);
  CHECK(std::isinf(e.services[1].mean_wait));
}

namespace {
// Sessions of one page are Poisson, calls with probability p and cache misses thin
// them into Poisson streams, so the search tier and the database are M/M/c queues
// exactly; the cache (no workers) and the web pool (100 instances at 5 Erlang: waiting
// is negligible) add no wait.
const char* kChain = R"(
name: chain
duration: 1h
warmup: 5m
replications: 10
traffic: {rate: 50}
journeys:
  visit:
    share: 1
    pages:
      home: {call: web, next: {exit: 1}}
services:
  web:
    type: server_pool
    instances: 100
    service: {dist: exponential, mean: 20ms}
    calls: [{to: cache}, {to: search, p: 0.5}]
  search: {type: server_pool, instances: 2, service: {dist: exponential, mean: 30ms}}
  cache: {type: cache, hit_ratio: 0.8, hit: 1ms, miss: {to: db}}
  db: {type: database, connections: 4, query: {dist: exponential, mean: 200ms}}
)";

const models::ServiceEstimate& service(const models::AnalyticEstimate& e, const std::string& name) {
  for (const auto& s : e.services) {
    if (s.name == name) return s;
  }
  FAIL("no estimate for " << name);
  return e.services.front();
}
}  // namespace

TEST_CASE("rates flow down calls and cache misses; responses come back up callees first") {
  const auto e = models::estimate(models::load_scenario_text(kChain, "test.yaml"));
  CHECK(service(e, "web").arrival_rate == doctest::Approx(50));
  CHECK(service(e, "cache").arrival_rate == doctest::Approx(50));
  CHECK(service(e, "search").arrival_rate == doctest::Approx(25));
  CHECK(service(e, "db").arrival_rate == doctest::Approx(10));

  const double db = sim::theory::mmc(10, 5, 4).mean_response;
  const double search = sim::theory::mmc(25, 1 / 0.03, 2).mean_response;
  const double cache = 0.001 + 0.2 * db;
  CHECK(service(e, "db").mean_response == doctest::Approx(db));
  CHECK(service(e, "db").servers == 4);
  CHECK(service(e, "search").mean_response == doctest::Approx(search));
  CHECK(service(e, "cache").servers == 0);  // no workers: nobody waits
  CHECK(service(e, "cache").mean_wait == 0.0);
  CHECK(service(e, "cache").mean_response == doctest::Approx(cache));
  // A web worker is held for its own work and both calls.
  const double holding = 0.02 + cache + 0.5 * search;
  CHECK(service(e, "web").mean_service == doctest::Approx(holding));
  CHECK(service(e, "web").offered_load == doctest::Approx(50 * holding));
  CHECK(service(e, "web").mean_response == doctest::Approx(holding).epsilon(1e-9));

  // The simulation agrees, on rates and on the exact M/M/c response times.
  const auto result = testing::run_yaml(kChain);
  const double window = 3600.0 - 300.0;
  for (const auto& [name, rate] : std::vector<std::pair<std::string, double>>{
           {"web", 50}, {"cache", 50}, {"search", 25}, {"db", 10}}) {
    std::vector<double> arrivals =
        testing::per_replication(result, "/services/" + name + "/arrivals");
    for (double& a : arrivals) a /= window;
    testing::check_in_ci(arrivals, rate, name + " requests/s");
  }
  testing::check_in_ci(testing::per_replication(result, "/services/db/mean_response_s"), db,
                       "db mean response");
  testing::check_in_ci(testing::per_replication(result, "/services/search/mean_response_s"), search,
                       "search mean response");
  testing::check_in_ci(testing::per_replication(result, "/services/cache/mean_response_s"), cache,
                       "cache mean response");
  testing::check_in_ci(testing::per_replication(result, "/services/web/mean_response_s"), holding,
                       "web mean response");
}

TEST_CASE("a cache with workers queues its lookups") {
  const std::string yaml = std::string(kChain).replace(
      std::string(kChain).find("hit: 1ms"), 8, "hit: {dist: exponential, mean: 10ms}, workers: 1");
  const auto e = models::estimate(models::load_scenario_text(yaml, "test.yaml"));
  const double db = sim::theory::mmc(10, 5, 4).mean_response;
  const auto lookups = sim::theory::mm1(50, 100);
  CHECK(service(e, "cache").servers == 1);
  CHECK(service(e, "cache").utilization == doctest::Approx(0.5));
  CHECK(service(e, "cache").mean_wait == doctest::Approx(lookups.mean_wait));
  CHECK(service(e, "cache").mean_response == doctest::Approx(lookups.mean_response + 0.2 * db));
}

TEST_CASE("a saturated callee saturates the pools that wait on it") {
  auto scenario = models::load_scenario_text(kChain, "test.yaml");
  std::get<models::DatabaseConfig>(scenario.services[3].type).connections = 1;  // 2 Erlang on 1
  const auto e = models::estimate(scenario);
  CHECK(service(e, "db").saturated);
  CHECK(std::isinf(service(e, "db").mean_wait));
  CHECK(service(e, "cache").saturated);
  CHECK(service(e, "web").saturated);
  CHECK_FALSE(service(e, "search").saturated);
}

TEST_CASE("payment providers: rate x share, Erlang B at the concurrency cap") {
  const auto e = models::estimate(models::load_scenario_text(R"(
name: pay
duration: 1h
traffic: {rate: 10}
journeys:
  buy:
    share: 1
    pages:
      pay: {call: gateway, next: {exit: 1}}
services:
  gateway:
    type: payment_gateway
    providers:
      - {name: a, share: 0.75, latency: 2s, concurrency: 10}
      - {name: b, share: 0.25, latency: 4s}
)",
                                                             "test.yaml"));
  const auto& g = service(e, "gateway");
  REQUIRE(g.providers.size() == 2);
  CHECK(g.providers[0].arrival_rate == doctest::Approx(7.5));
  CHECK(g.providers[0].offered_load == doctest::Approx(15));
  const double blocked = sim::theory::erlang_b(10, 15);
  CHECK(g.providers[0].blocking == doctest::Approx(blocked));
  CHECK(g.providers[0].utilization == doctest::Approx(15 * (1 - blocked) / 10));
  CHECK(g.providers[1].servers == 0);  // no cap: nothing rejected
  CHECK(g.providers[1].blocking == 0.0);
  CHECK(g.blocking == doctest::Approx(0.75 * blocked));
  // The mean latency of the payments that got a slot.
  const double carried_a = 7.5 * (1 - blocked);
  CHECK(g.mean_response == doctest::Approx((carried_a * 2 + 2.5 * 4) / (carried_a + 2.5)));
  CHECK(g.saturated);  // 15 Erlang offered to 10 slots
}

TEST_CASE("the estimate is for the peak session rate; autoscaled pools where they settle") {
  const auto e = models::estimate(models::load_scenario_text(R"(
name: peak
duration: 1h
traffic:
  profile: [{at: 0, rate: 10}, {at: 30m, rate: 40}, {at: 1h, rate: 20}]
journeys:
  visit:
    share: 1
    pages:
      home: {call: web, next: {exit: 1}}
services:
  web:
    type: server_pool
    instances: 2
    workers: 2
    service: {dist: exponential, mean: 100ms}
    autoscale: {target: 0.5, min: 1, max: 20}
)",
                                                             "test.yaml"));
  CHECK(e.session_rate == doctest::Approx(40));
  CHECK(e.session_rate_t == 1800);
  // 4 Erlang on 2 workers per instance at 50%: 4 instances.
  CHECK(service(e, "web").servers == 8);
  CHECK(service(e, "web").utilization == doctest::Approx(0.5));
}

TEST_CASE("the report marks saturated services and says what the estimate leaves out") {
  auto scenario = models::load_scenario_text(kChain, "test.yaml");
  const std::string calm = models::estimate_report(scenario, models::estimate(scenario));
  CHECK(calm.find("peak rate of 50 sessions/s, from the start\n") != std::string::npos);
  CHECK(calm.find("SATURATED") == std::string::npos);
  CHECK(calm.find("contention") != std::string::npos);  // a database is in the shop
  CHECK(calm.find("held for its own work and the responses of its calls") != std::string::npos);
  std::get<models::DatabaseConfig>(scenario.services[3].type).connections = 1;
  const std::string busy = models::estimate_report(scenario, models::estimate(scenario));
  // db, cache and web: three rows and the note below the table.
  std::size_t marks = 0;
  for (std::size_t at = busy.find("SATURATED"); at != std::string::npos;
       at = busy.find("SATURATED", at + 1)) {
    ++marks;
  }
  CHECK(marks == 4);
  CHECK(busy.find("unbounded") != std::string::npos);
}

TEST_CASE("a pool at a load of exactly 1 is saturated, whatever the rounding") {
  // 30/s into 3 workers holding 50 ms + a 50 ms database answer: rho = 1, which
  // lambda * h / c rounds below 1 while M/M/c's lambda < c * mu does not hold.
  const std::string yaml = R"(
name: edge
duration: 12m
bucket: 10m
traffic: {rate: 30}
journeys:
  shop:
    share: 1
    pages:
      home: {call: web, next: {exit: 1}}
services:
  web:
    type: server_pool
    instances: 3
    service: {dist: exponential, mean: 50ms}
    calls: [{to: db}]
  db:
    type: database
    connections: 1
    query: {dist: exponential, mean: 20ms}
)";
  const auto e = models::estimate(models::load_scenario_text(yaml, "test.yaml"));
  CHECK(e.services[0].saturated);
  CHECK(e.services[0].mean_wait == sim::kForever);
}

TEST_CASE("the report says when the peak is first reached, on the shop's clock if it has one") {
  const std::string yaml = testing::one_page_shop(
      "name: when\nduration: 4h\ntraffic:\n  profile: [{at: 0, rate: 10}, {at: 90m, rate: 40}, "
      "{at: 3h, rate: 40}, {at: 4h, rate: 5}]\n",
      "web",
      "  web: {type: server_pool, instances: 20, service: {dist: exponential, mean: 100ms}}\n");
  auto scenario = models::load_scenario_text(yaml, "test.yaml");
  const std::string offset = models::estimate_report(scenario, models::estimate(scenario));
  CHECK(offset.find("peak rate of 40 sessions/s, first reached 1h30m from time 0\n") !=
        std::string::npos);
  scenario = models::load_scenario_text("start: \"22:45\"\n" + yaml, "test.yaml");
  const std::string clock = models::estimate_report(scenario, models::estimate(scenario));
  CHECK(clock.find("first reached at 00:15 (1h30m from time 0)\n") != std::string::npos);
  // A rate given from outside has no time.
  CHECK(models::estimate_report(scenario, models::estimate_at(scenario, 30.0))
            .find("peak rate of 30 sessions/s\n") != std::string::npos);
}
