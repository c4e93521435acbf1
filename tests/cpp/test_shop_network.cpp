// The whole shop against closed forms, through the real loader and run path: a Jackson
// network of pages, M/G/1 (Pollaczek-Khinchine), a piecewise-linear traffic profile,
// cache misses, payment outcomes with and without failover, revenue and lost revenue.
// Tolerances are 99.9% confidence intervals over replications (scenario_runner.hpp).
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cmath>

#include "sim/queueing_theory.hpp"
#include "tests/cpp/scenario_runner.hpp"

using namespace surgesim;
using testing::check_in_ci;
using testing::one_page_shop;
using testing::per_replication;
using testing::ratio;
using testing::run_yaml;

TEST_CASE("Jackson network: pages with feedback over exponential pools") {
  // Think times make the shoppers an infinite-server station, so the network has a
  // product form and every FCFS pool is an M/M/c at the rate of the traffic equations:
  // v_home = 1 + 0.2 v_search + 0.25 v_product, v_search = 0.5 v_home,
  // v_product = 0.3 v_home + 0.6 v_search  =>  v_home = 4/3, v_search = 2/3, v_product = 0.8.
  const double lambda0 = 50.0;
  const auto result = run_yaml(R"(
name: jackson
duration: 1h
warmup: 5m
replications: 10
traffic: {rate: 50}
journeys:
  walk:
    share: 1
    think: {dist: exponential, mean: 1s}
    pages:
      home: {call: web, next: {search: 0.5, product: 0.3, exit: 0.2}}
      search: {call: api, next: {product: 0.6, home: 0.2, exit: 0.2}}
      product: {call: web, next: {home: 0.25, exit: 0.75}}
services:
  web: {type: server_pool, instances: 2, service: {dist: exponential, mean: 15ms}}
  api: {type: server_pool, instances: 1, workers: 2, service: {dist: exponential, mean: 45ms}}
)");
  const double web_rate = lambda0 * (4.0 / 3.0 + 0.8);
  const double api_rate = lambda0 * (2.0 / 3.0);
  const auto web = sim::theory::mmc(web_rate, 1.0 / 0.015, 2);
  const auto api = sim::theory::mmc(api_rate, 1.0 / 0.045, 2);
  const double window = 3300.0;  // 1 h minus the 5 min warm-up
  check_in_ci(per_replication(result, "/services/web/arrivals"), web_rate * window, "web arrivals");
  check_in_ci(per_replication(result, "/services/api/arrivals"), api_rate * window, "api arrivals");
  check_in_ci(per_replication(result, "/services/web/mean_wait_s"), web.mean_wait, "web Wq");
  check_in_ci(per_replication(result, "/services/api/mean_wait_s"), api.mean_wait, "api Wq");
  check_in_ci(per_replication(result, "/services/web/utilization"), web.utilization, "web rho");
  check_in_ci(per_replication(result, "/services/api/mean_queue"), api.mean_queue, "api Lq");
}

TEST_CASE("M/G/1 with lognormal service: Pollaczek-Khinchine mean wait") {
  const double lambda = 30.0, mean = 0.02, cv = 1.5;
  const auto result = run_yaml(one_page_shop(
      R"(
name: mg1
duration: 2h
warmup: 10m
replications: 10
traffic: {rate: 30}
)",
      "web",
      R"(  web: {type: server_pool, instances: 1, service: {dist: lognormal, mean: 20ms, cv: 1.5}}
)"));
  const auto exact = sim::theory::mg1(lambda, mean, cv * cv * mean * mean);
  check_in_ci(per_replication(result, "/services/web/mean_wait_s"), exact.mean_wait, "Wq", 0.0,
              0.08);
  check_in_ci(per_replication(result, "/services/web/utilization"), lambda * mean, "rho");
}

TEST_CASE("a piecewise-linear profile: sessions started = integral of lambda") {
  // 0..10 min: 20/s; ramps to 80/s at 20 min; back to 40/s at 30 min; flat to 40 min.
  // Integral over [10 min, 40 min) after the warm-up:
  // 600 s x (20+80)/2 + 600 s x (80+40)/2 + 600 s x 40 = 30000 + 36000 + 24000.
  const auto result =
      run_yaml(one_page_shop(R"(
name: profile
duration: 40m
warmup: 10m
replications: 10
traffic:
  profile: [{at: 10m, rate: 20}, {at: 20m, rate: 80}, {at: 30m, rate: 40}]
)",
                             "web", R"(  web: {type: server_pool, instances: 100, service: 1ms}
)"));
  check_in_ci(per_replication(result, "/sessions/started"), 90000.0, "sessions", 0.0, 0.01);
}

TEST_CASE("cache: the backend sees the miss fraction of lookups") {
  const auto result = run_yaml(one_page_shop(
      R"(
name: cache
duration: 30m
replications: 10
traffic: {rate: 200}
)",
      "product_cache", R"(  product_cache: {type: cache, hit_ratio: 0.85, hit: 2ms, miss: {to: db}}
  db: {type: database, connections: 50, query: {dist: exponential, mean: 10ms}}
)"));
  check_in_ci(ratio(result, "/services/db/arrivals", "/services/product_cache/arrivals"), 0.15,
              "miss fraction");
  // A page response is the hit time, plus the query on a miss (no queueing at 50
  // connections for 2 erlangs): 2 ms + 0.15 x 10 ms.
  check_in_ci(per_replication(result, "/pages/only.view/mean_s"), 0.002 + 0.15 * 0.010,
              "page mean");
}

namespace {

std::string payment_shop(bool failover) {
  return fmt::format(R"(
name: payments
duration: 30m
replications: 10
traffic: {{rate: 100}}
journeys:
  buyer:
    share: 1
    pages:
      pay: {{call: gateway, next: {{exit: 1}}, order: {{value: {{dist: uniform, min: 100000, max: 500000}}}}}}
services:
  gateway:
    type: payment_gateway
    failover: {}
    providers:
      - {{name: bank, share: 0.6, latency: 300ms, decline: 0.10, error: 0.05}}
      - {{name: wallet, share: 0.4, latency: 200ms, decline: 0.05, error: 0.15}}
)",
                     failover ? "true" : "false");
}

}  // namespace

TEST_CASE("payment gateway: orders = payments x (1 - decline - error), then with failover") {
  const double mean_order = 300000.0;
  SUBCASE("no failover") {
    const auto result = run_yaml(payment_shop(false));
    const double success = 0.6 * (1 - 0.10 - 0.05) + 0.4 * (1 - 0.05 - 0.15);
    check_in_ci(ratio(result, "/orders", "/services/gateway/arrivals"), success, "orders/payment");
    const double declined = 0.6 * 0.10 + 0.4 * 0.05;
    check_in_ci(ratio(result, "/sessions/by_cause/declined", "/sessions/started"), declined,
                "declined");
    check_in_ci(ratio(result, "/revenue", "/orders"), mean_order, "revenue per order");
    // A session that fails on the order page loses that page's mean order value,
    // exactly, and the gateway is to blame.
    for (const double lost :
         ratio(result, "/lost_revenue/by_cause/declined", "/sessions/by_cause/declined")) {
      CHECK(lost == doctest::Approx(mean_order).epsilon(1e-12));
    }
    for (const double lost :
         ratio(result, "/lost_revenue/by_service/gateway", "/sessions/dropped")) {
      CHECK(lost == doctest::Approx(mean_order).epsilon(1e-12));
    }
  }
  SUBCASE("failover on error to the next provider, once") {
    const auto result = run_yaml(payment_shop(true));
    const double bank_ok = 1 - 0.10 - 0.05, wallet_ok = 1 - 0.05 - 0.15;
    const double success = 0.6 * (bank_ok + 0.05 * wallet_ok) + 0.4 * (wallet_ok + 0.15 * bank_ok);
    check_in_ci(ratio(result, "/orders", "/services/gateway/arrivals"), success, "orders/payment");
    const double errors = 0.6 * 0.05 * 0.15 + 0.4 * 0.15 * 0.05;
    check_in_ci(ratio(result, "/sessions/by_cause/error", "/sessions/started"), errors, "errors",
                0.0, 0.15);
  }
}

TEST_CASE("lost revenue of a journey with a known revenue-to-go") {
  // home -> cart (p 0.5) -> pay (order, mean 200): revenue-to-go is 100 at home, 200 at
  // cart and pay. Every page is rejected with a known probability (M/M/c/c loss at the
  // cart), so lost revenue by cause `rejected` = 200 x rejected sessions at the cart.
  const auto result = run_yaml(R"(
name: lost
duration: 30m
replications: 10
traffic: {rate: 40}
journeys:
  buyer:
    share: 1
    think: 2s
    pages:
      home: {call: web, next: {cart: 0.5, exit: 0.5}}
      cart: {call: cart, next: {pay: 1}}
      pay: {call: web, next: {exit: 1}, order: {value: {dist: exponential, mean: 200}}}
services:
  web: {type: server_pool, instances: 100, service: 1ms}
  cart: {type: server_pool, instances: 2, queue: 0, service: {dist: exponential, mean: 100ms}}
)");
  // Erlang B with 20 x 0.1 = 2 erlangs on 2 servers.
  const double blocked = sim::theory::erlang_b(2, 2.0);
  check_in_ci(ratio(result, "/services/cart/rejected", "/services/cart/arrivals"), blocked,
              "P(block)");
  // Exactly the revenue-to-go of the cart page, all of it blamed on the cart.
  for (const double lost :
       ratio(result, "/lost_revenue/by_cause/rejected", "/sessions/by_cause/rejected")) {
    CHECK(lost == doctest::Approx(200.0).epsilon(1e-12));
  }
  for (const double share : ratio(result, "/lost_revenue/by_service/cart", "/lost_revenue/total")) {
    CHECK(share == doctest::Approx(1.0).epsilon(1e-12));
  }
  check_in_ci(ratio(result, "/revenue", "/orders"), 200.0, "revenue per order");
  // Revenue plus lost revenue is what the sessions were worth: 100 each (revenue-to-go
  // at home), up to the few sessions still in flight at the end.
  const auto revenue = per_replication(result, "/revenue");
  const auto lost = per_replication(result, "/lost_revenue/total");
  const auto ended = per_replication(result, "/sessions/started");
  std::vector<double> worth;
  for (std::size_t r = 0; r < revenue.size(); ++r)
    worth.push_back((revenue[r] + lost[r]) / ended[r]);
  check_in_ci(worth, 100.0, "revenue + lost per session");
}
