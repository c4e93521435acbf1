// Call options (docs/scenario.md, "Call options"): retries with backoff and jitter,
// optional calls and circuit breakers on a pool's calls and a cache's miss, each against
// a closed form.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "models/analysis/call_graph.hpp"
#include "models/loader/scenario_loader.hpp"
#include "models/services/call_options.hpp"
#include "sim/random_stream.hpp"
#include "tests/cpp/scenario_runner.hpp"

using namespace surgesim;
using testing::check_in_ci;
using testing::one_page_shop;
using testing::per_replication;
using testing::ratio;
using testing::run_yaml;

namespace {

std::string top(const std::string& name, double rate, const std::string& duration,
                int replications) {
  return "name: " + name + "\nduration: " + duration +
         "\nreplications: " + std::to_string(replications) +
         "\ntraffic: {rate: " + std::to_string(rate) + "}\n";
}

}  // namespace

TEST_CASE("backoff k waits backoff x multiplier^k, scaled by a factor in [1 - jitter, 1]") {
  const models::RetryConfig plain{3, 0.2, 2.0, 0.0};
  CHECK(plain.delay(0, 0.7) == doctest::Approx(0.2));
  CHECK(plain.delay(2, 0.7) == doctest::Approx(0.8));
  const models::RetryConfig jittered{3, 0.2, 2.0, 0.5};
  sim::RandomStream u(1, 0, "test.jitter");
  double lo = 1e9, hi = 0.0, sum = 0.0;
  const int n = 100'000;
  for (int i = 0; i < n; ++i) {
    const double d = jittered.delay(1, u.uniform01());
    lo = std::min(lo, d);
    hi = std::max(hi, d);
    sum += d;
  }
  // Uniform on (0.2, 0.4]: the bounds are reached to within 1e-4 in 100,000 draws.
  CHECK(lo > 0.2);
  CHECK(lo < 0.2 + 1e-4);
  CHECK(hi <= 0.4);
  CHECK(hi > 0.4 - 1e-4);
  CHECK(sum / n == doctest::Approx(0.3).epsilon(0.005));
}

TEST_CASE("retries: a call fails with q^(m+1) and the callee sees (1 - q^(m+1)) / (1 - q)") {
  // The provider fails a payment with a technical error with probability q = 0.3; the
  // pool retries each failed call at most m = 2 times.
  const double q = 0.3;
  const int m = 2;
  const auto result = run_yaml(one_page_shop(top("retries", 20.0, "1h", 10), "web", R"(  web:
    type: server_pool
    instances: 100
    service: 1ms
    calls: [{to: pay, retry: {max: 2, backoff: 10ms, multiplier: 2, jitter: 0.5}}]
  pay:
    type: payment_gateway
    providers: [{name: a, share: 1, latency: 5ms, error: 0.3}]
)"));
  const double fail = std::pow(q, m + 1);
  check_in_ci(ratio(result, "/services/web/errors", "/services/web/arrivals"), fail,
              "P(call fails)", 0.0, 0.1);
  check_in_ci(ratio(result, "/services/pay/arrivals", "/services/web/arrivals"),
              (1.0 - fail) / (1.0 - q), "attempts per call");
  // Every failure is the gateway's: the web answers `error` with the callee's blame.
  for (const auto& rep : result.replications) {
    CHECK(rep["lost_revenue"]["by_service"]["web"].get<double>() == 0.0);
    CHECK(rep["sessions"]["by_cause"]["error"].get<double>() ==
          rep["services"]["web"]["errors"].get<double>());
  }
}

TEST_CASE("declines are never retried") {
  const auto result = run_yaml(one_page_shop(top("declines", 20.0, "10m", 2), "web", R"(  web:
    type: server_pool
    instances: 100
    service: 1ms
    calls: [{to: pay, retry: {max: 3, backoff: 10ms}}]
  pay:
    type: payment_gateway
    providers: [{name: a, share: 1, latency: 5ms, decline: 0.4}]
)"));
  for (const auto& rep : result.replications) {
    CHECK(rep["services"]["pay"]["arrivals"] == rep["services"]["web"]["arrivals"]);
    CHECK(rep["sessions"]["by_cause"]["declined"].get<double>() > 0);
  }
}

TEST_CASE("the worker waits out every backoff: response = work + sum of the backoffs") {
  // The callee is down all run, the call optional: every request answers success after
  // 1 + 2 + 4 = 7 s of backoffs (outage answers take no time), 7 x [0.5, 1] with jitter.
  const auto services = [](const std::string& jitter) {
    return R"(  web:
    type: server_pool
    instances: 1000
    service: 100ms
    calls: [{to: db, optional: true, retry: {max: 3, backoff: 1s, multiplier: 2, jitter: )" +
           jitter + R"(}}]
  db:
    type: database
    connections: 10
    query: 1ms
    outages: [{at: 0s, for: 2h}]
)";
  };
  const auto exact = run_yaml(one_page_shop(top("backoff", 5.0, "10m", 2), "web", services("0")));
  for (const auto& rep : exact.replications) {
    const auto& web = rep["services"]["web"];
    CHECK(web["mean_response_s"].get<double>() == doctest::Approx(7.1));
    CHECK(web["completed"] == web["degraded"]);
    // Every call made four attempts.
    CHECK(rep["services"]["db"]["arrivals"].get<double>() ==
          doctest::Approx(4 * web["degraded"].get<double>()).epsilon(0.02));
  }
  const auto jittered =
      run_yaml(one_page_shop(top("backoff", 5.0, "1h", 10), "web", services("0.5")));
  // Each backoff is uniform over [0.5, 1] of its nominal value: the sum has mean
  // 7 x 0.75 and lies within [3.5, 7].
  check_in_ci(per_replication(jittered, "/services/web/mean_response_s"), 0.1 + 7 * 0.75,
              "mean response with jitter");
  for (const auto& rep : jittered.replications) {
    const auto& web = rep["services"]["web"];
    // The sketch reports within 0.5% of an order statistic.
    CHECK(web["p99_s"].get<double>() <= 7.1 * 1.005);
    CHECK(web["p99_s"].get<double>() > 6.5);
    CHECK(web["p50_s"].get<double>() > 3.6 * 0.995);
  }
}

TEST_CASE("retries go on after the caller timed out: their work is wasted capacity") {
  // The web times out after 500 ms, but its worker keeps retrying the dead database:
  // each request holds its worker for 1 + 2 = 3 s of backoffs and makes 3 attempts.
  const auto result = run_yaml(one_page_shop(top("timeout", 5.0, "10m", 2), "web", R"(  web:
    type: server_pool
    instances: 1000
    service: 10ms
    timeout: 500ms
    calls: [{to: db, retry: {max: 2, backoff: 1s, multiplier: 2}}]
  db:
    type: database
    connections: 10
    query: 1ms
    outages: [{at: 0s, for: 2h}]
)"));
  for (const auto& rep : result.replications) {
    const auto& web = rep["services"]["web"];
    CHECK(web["timeouts"].get<double>() >= web["arrivals"].get<double>() - 10);
    CHECK(rep["services"]["db"]["arrivals"].get<double>() ==
          doctest::Approx(3 * web["arrivals"].get<double>()).epsilon(0.01));
    // Little's law: 5/s x 3.01 s busy per request.
    CHECK(web["utilization"].get<double>() * 1000 == doctest::Approx(5 * 3.01).epsilon(0.1));
  }
}

TEST_CASE("an optional call to a dependency down all run costs no page") {
  const auto result = run_yaml(one_page_shop(top("optional", 20.0, "30m", 10), "web", R"(  web:
    type: server_pool
    instances: 100
    service: 10ms
    calls: [{to: cache, p: 0.7}, {to: reco, optional: true, p: 0.6}]
  cache:
    type: cache
    hit_ratio: 0.5
    hit: 1ms
    miss: {to: reco, optional: true}
  reco:
    type: server_pool
    instances: 10
    service: 5ms
    outages: [{at: 0s, for: 1h}]
)"));
  for (const auto& rep : result.replications) {
    CHECK(rep["sessions"]["dropped"].get<double>() == 0);
    CHECK(rep["lost_revenue"]["total"].get<double>() == 0);
    // Every call that reached reco failed and degraded its caller's answer: the web's
    // own calls and the cache's misses, which the web then sees as successes.
    const double web_calls = rep["services"]["web"]["degraded"].get<double>();
    const double misses = rep["services"]["cache"]["degraded"].get<double>();
    CHECK(web_calls > 0);
    CHECK(misses == rep["services"]["cache"]["misses"].get<double>());
    CHECK(rep["services"]["reco"]["arrivals"].get<double>() == web_calls + misses);
    CHECK(rep["services"]["reco"]["errors"] == rep["services"]["reco"]["arrivals"]);
  }
  // The web's calls are made with p = 0.6.
  check_in_ci(ratio(result, "/services/web/degraded", "/services/web/arrivals"), 0.6,
              "share of degraded pages", 0.0, 0.02);
}

TEST_CASE("a breaker lets about min_calls + run time / open_for calls reach a dead dependency") {
  const auto result = run_yaml(one_page_shop(top("breaker", 50.0, "1h", 3), "web", R"(  web:
    type: server_pool
    instances: 100
    service: 1ms
    calls: [{to: db, breaker: {failure_rate: 0.5, window: 10s, min_calls: 20, open_for: 30s}}]
  db:
    type: database
    connections: 10
    query: 1ms
    outages: [{at: 0s, for: 2h}]
)"));
  for (const auto& rep : result.replications) {
    const double reached = rep["services"]["db"]["arrivals"].get<double>();
    // Opened by the 20th failure within half a second; then a trial comes with the first
    // call after each 30 s (1/50 s later on average): 119 or 120 trials in the hour.
    CHECK(reached >= 20 + 118);
    CHECK(reached <= 20 + 120);
    const auto& web = rep["services"]["web"];
    CHECK(web["short_circuited"].get<double>() + reached == web["errors"].get<double>());
    // Refusals are blamed on the callee.
    CHECK(rep["lost_revenue"]["by_service"]["web"].get<double>() == 0.0);
    CHECK(rep["sessions"]["by_cause"]["error"] == web["short_circuited"]);
  }
}

TEST_CASE("the call graph shows optional calls, retries and breakers") {
  const auto scenario =
      models::load_scenario_text(one_page_shop(top("graph", 1.0, "1m", 1), "web", R"(  web:
    type: server_pool
    instances: 1
    service: 1ms
    calls:
      - {to: reco, optional: true}
      - {to: db, retry: {max: 3, backoff: 100ms, multiplier: 2, jitter: 0.5}, breaker: {failure_rate: 0.5, window: 10s, min_calls: 20, open_for: 30s}}
  reco: {type: server_pool, instances: 1, service: 1ms}
  db: {type: database, connections: 1, query: 1ms}
)"),
                                 "test.yaml");
  const std::string text = models::to_text(scenario);
  const std::string dot = models::to_dot(scenario);
  INFO(text);
  INFO(dot);
  CHECK(text.find("optional") != std::string::npos);
  CHECK(text.find("retry 3") != std::string::npos);
  CHECK(text.find("breaker") != std::string::npos);
  CHECK(dot.find("style=dotted") != std::string::npos);
  CHECK(dot.find("retry 3") != std::string::npos);
  CHECK(dot.find("breaker") != std::string::npos);
}
