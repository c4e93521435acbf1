// The analytic estimate printed by `surgesim check`: visits per session from each
// journey's Markov chain, and per-service rates and M/M/c figures.
#include <doctest/doctest.h>

#include "models/analytic_estimate.hpp"
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
