// Edge cases of the shop's components through the loader and run path: outages and
// crashes taking instances down mid-request, timeouts while waiting for a callee,
// wasted work after shoppers leave, autoscale clamping, cold caches, slowness.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "tests/cpp/scenario_runner.hpp"

using namespace surgesim;
using testing::check_in_ci;
using testing::one_page_shop;
using testing::per_replication;
using testing::ratio;
using testing::run_yaml;
using testing::sum_rows;
using testing::table;

TEST_CASE("a whole-pool outage fails the requests running and answers arrivals at once") {
  // Work takes exactly 50 s, so every session that arrived in [50 s, 100 s) is still
  // running when the outage starts at 100 s, and every one arriving in [100 s, 200 s)
  // finds the pool down: exactly those sessions end with `outage`.
  const auto result = run_yaml(one_page_shop(R"(
name: outage
duration: 400s
bucket: 50s
replications: 3
traffic: {rate: 0.5}
)",
                                             "web", R"(  web:
    type: server_pool
    instances: 4
    workers: 100
    service: 50s
    outages: [{at: 100s, for: 100s}]
)"));
  for (std::size_t r = 0; r < 3; ++r) {
    const double arrived = sum_rows(table(result, r, "timeseries/traffic"), "sessions", 50, 200);
    CHECK(arrived > 0);
    CHECK(result.replications[r]["sessions"]["by_cause"]["outage"].get<double>() == arrived);
    CHECK(result.replications[r]["services"]["web"]["errors"].get<double>() == arrived);
    CHECK(result.replications[r]["lost_revenue"]["by_service"]["web"].get<double>() == 0.0);
  }
}

TEST_CASE("a partial outage takes that many instances down for its duration") {
  const auto result = run_yaml(one_page_shop(R"(
name: partial
duration: 1000s
replications: 2
traffic: {rate: 1}
)",
                                             "web", R"(  web:
    type: server_pool
    instances: 10
    service: 100ms
    outages: [{at: 200s, for: 300s, instances: 4}]
)"));
  for (const double instances : per_replication(result, "/services/web/mean_instances")) {
    CHECK(instances == doctest::Approx(10.0 - 4.0 * 300.0 / 1000.0));
  }
}

TEST_CASE("crashes: instances are up mtbf / (mtbf + mttr) of the time") {
  const auto result = run_yaml(one_page_shop(R"(
name: crashes
duration: 20h
replications: 10
traffic: {rate: 1}
)",
                                             "web", R"(  web:
    type: server_pool
    instances: 20
    service: 10ms
    crashes: {mtbf: 30m, mttr: 10m}
)"));
  check_in_ci(per_replication(result, "/services/web/mean_instances"), 20.0 * 30.0 / 40.0,
              "instances up");
}

TEST_CASE("a timeout fires while the request waits for its callee; the callee works on") {
  const auto result = run_yaml(one_page_shop(
      R"(
name: callee
duration: 10m
replications: 2
traffic: {rate: 5}
)",
      "web",
      R"(  web: {type: server_pool, instances: 100, service: 100ms, timeout: 1s, calls: [{to: db}]}
  db: {type: database, connections: 100, query: 3s}
)"));
  for (const auto& rep : result.replications) {
    const auto& web = rep["services"]["web"];
    const auto& db = rep["services"]["db"];
    // Every request times out, but those of the last second have not yet.
    CHECK(web["timeouts"].get<double>() <= web["arrivals"].get<double>());
    CHECK(web["timeouts"].get<double>() >= web["arrivals"].get<double>() - 30);
    CHECK(rep["sessions"]["by_cause"]["timeout"] == rep["sessions"]["dropped"]);
    CHECK(rep["sessions"]["completed"].get<double>() == 0);
    // The callee finished its queries (all but those still running at the end).
    CHECK(db["completed"].get<double>() >= db["arrivals"].get<double>() - 30);
    CHECK(db["wasted"].get<double>() == 0);
    // The worker is held for the whole call: 5/s x 3.1 s busy on 100 workers.
    CHECK(web["utilization"].get<double>() == doctest::Approx(5 * 3.1 / 100).epsilon(0.1));
  }
}

TEST_CASE("a shopper who gives up mid-call leaves wasted work down the chain") {
  const auto result = run_yaml(R"(
name: wasted
duration: 10m
replications: 2
traffic: {rate: 5}
journeys:
  only:
    share: 1
    patience: 1s
    pages:
      view: {call: web, next: {exit: 1}}
services:
  web: {type: server_pool, instances: 100, service: 100ms, calls: [{to: db}]}
  db: {type: database, connections: 100, query: 3s}
)");
  for (const auto& rep : result.replications) {
    const double sessions = rep["sessions"]["started"].get<double>();
    CHECK(rep["sessions"]["by_cause"]["abandoned"].get<double>() >= sessions - 10);
    CHECK(rep["services"]["web"]["completed"].get<double>() == 0);
    CHECK(rep["services"]["db"]["completed"].get<double>() == 0);
    CHECK(rep["services"]["db"]["wasted"].get<double>() >= sessions - 30);
    CHECK(rep["services"]["web"]["wasted"] == rep["services"]["db"]["wasted"]);
    // Abandonment is blamed on the page's service.
    CHECK(rep["lost_revenue"]["by_service"]["web"].get<double>() == 0.0);
  }
}

TEST_CASE("autoscale stays within [min, max]") {
  const auto run = [](double rate) {
    return run_yaml(fmt::format(R"(
name: autoscale
duration: 1h
replications: 2
traffic: {{rate: {}}}
journeys:
  only:
    share: 1
    pages:
      view: {{call: web, next: {{exit: 1}}}}
services:
  web:
    type: server_pool
    instances: 3
    service: {{dist: exponential, mean: 1s}}
    autoscale: {{target: 0.6, min: 2, max: 6, interval: 30s, delay: 60s, cooldown: 2m}}
)",
                                rate));
  };
  SUBCASE("overload scales out to max and no further") {
    const auto result = run(20.0);
    for (std::size_t r = 0; r < 2; ++r) {
      const auto& instances = *table(result, r, "timeseries/services/web").column("instances");
      CHECK(*std::max_element(instances.begin(), instances.end()) == doctest::Approx(6.0));
      CHECK(instances.back() == doctest::Approx(6.0));
    }
  }
  SUBCASE("no load scales in to min and no further") {
    const auto result = run(0.01);
    for (std::size_t r = 0; r < 2; ++r) {
      const auto& instances = *table(result, r, "timeseries/services/web").column("instances");
      CHECK(*std::min_element(instances.begin(), instances.end()) == doctest::Approx(2.0));
      CHECK(instances.back() == doctest::Approx(2.0));
    }
  }
}

TEST_CASE("a cold cache warms up linearly; an outage sends every lookup to the backend") {
  // Cold at 10 min, warm again at 20 min; over the window [10 min, 30 min) the mean hit
  // ratio is (0.45 x 10 + 0.9 x 10) / 20 = 0.675.
  const auto cold = run_yaml(one_page_shop(
      R"(
name: cold
duration: 30m
warmup: 10m
replications: 10
traffic: {rate: 100}
)",
      "cache",
      R"(  cache: {type: cache, hit_ratio: 0.9, hit: 1ms, miss: {to: db}, cold: [{at: 10m, warmup: 10m}]}
  db: {type: database, connections: 100, query: 5ms}
)"));
  check_in_ci(ratio(cold, "/services/db/arrivals", "/services/cache/arrivals"), 1.0 - 0.675,
              "miss fraction");
  const auto down = run_yaml(one_page_shop(
      R"(
name: stampede
duration: 10m
replications: 2
traffic: {rate: 100}
)",
      "cache",
      R"(  cache: {type: cache, hit_ratio: 0.9, hit: 1ms, miss: {to: db}, outages: [{at: 0s, for: 10m}]}
  db: {type: database, connections: 100, query: 5ms}
)"));
  for (const auto& rep : down.replications) {
    CHECK(rep["services"]["cache"]["hits"].get<double>() == 0);
    CHECK(rep["services"]["db"]["arrivals"] == rep["services"]["cache"]["arrivals"]);
  }
}

TEST_CASE("slowness: leave with probability 1 - (1 - leave)^((r - above) / per)") {
  // Only the slow `view` page can lose the shopper (the 1 ms `done` page is fast, and
  // after it comes exit).
  const auto result = run_yaml(R"(
name: slow
duration: 30m
replications: 10
traffic: {rate: 20}
journeys:
  only:
    share: 1
    slowness: {above: 500ms, per: 100ms, leave: 0.1}
    pages:
      view: {call: web, next: {done: 1}}
      done: {call: fast, next: {exit: 1}}
services:
  web: {type: server_pool, instances: 100, service: 1s}
  fast: {type: server_pool, instances: 100, service: 1ms}
)");
  check_in_ci(ratio(result, "/sessions/by_cause/slow", "/sessions/started"),
              1.0 - std::pow(0.9, 5.0), "P(slow)");
}

TEST_CASE("database: pool timeouts are the database's errors; contention stretches queries") {
  const auto result = run_yaml(one_page_shop(
      R"(
name: db
duration: 10m
replications: 2
traffic: {rate: 20}
)",
      "web", R"(  web: {type: server_pool, instances: 100, service: 1ms, calls: [{to: db}]}
  db: {type: database, connections: 2, query: 1s, pool_timeout: 200ms,
       contention: {above: 1, slowdown: 0.5}}
)"));
  for (const auto& rep : result.replications) {
    const auto& db = rep["services"]["db"];
    CHECK(db["pool_timeouts"].get<double>() > 0);
    CHECK(db["errors"] == db["pool_timeouts"]);
    CHECK(rep["sessions"]["by_cause"]["pool_timeout"] == db["pool_timeouts"]);
    // The deepest failing service is blamed, not the web tier that called it.
    CHECK(rep["lost_revenue"]["by_service"]["web"].get<double>() == 0.0);
    // The query time itself (response minus wait: nothing else is in a database's
    // response): 1 s alone, 1.5 s when it starts while the other connection is busy.
    const double query = db["mean_response_s"].get<double>() - db["mean_wait_s"].get<double>();
    CHECK(query > 1.05);
    CHECK(query < 1.5);
  }
}

TEST_CASE("autoscale does not multiply its request while new instances boot") {
  // 500/s x 10 ms = 5 busy workers; at target 0.5 that is 10 instances. Booting takes
  // longer than the check interval, so a rule that counted booting instances without
  // their capacity would ask for 4 -> 8 -> 16 -> 32 -> 40.
  const auto result = run_yaml(R"(
name: overshoot
duration: 10m
traffic:
  profile: [{at: 0, rate: 100/s}, {at: 60, rate: 100/s}, {at: 61, rate: 500/s}]
journeys:
  j: {share: 1, pages: {p: {call: web, next: {exit: 1}}}}
services:
  web:
    type: server_pool
    instances: 4
    workers: 1
    queue: 100
    service: 10ms
    autoscale: {target: 0.5, min: 4, max: 40, interval: 1m, delay: 3m, cooldown: 10m}
)");
  const auto& instances = *table(result, 0, "timeseries/services/web").column("instances");
  const double peak = *std::max_element(instances.begin(), instances.end());
  CHECK(peak >= 9.0);
  CHECK(peak <= 13.0);
}
