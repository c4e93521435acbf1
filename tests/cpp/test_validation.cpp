// The simulator against queueing theory, through the real loader and run path.
// Each check asks the exact value to fall in a 99.9% confidence interval built from
// independent replications (see scenario_runner.hpp).
#include <doctest/doctest.h>
#include <fmt/format.h>

#include "sim/queueing_theory.hpp"
#include "tests/cpp/scenario_runner.hpp"

using namespace surgesim;
using testing::check_in_ci;
using testing::per_replication;
using testing::ratio;
using testing::run_yaml;

namespace {

// One journey with one page served by `web`; sessions = requests.
std::string single_page_shop(double lambda, const std::string& journey_extra,
                             const std::string& web) {
  return fmt::format(R"(
name: theory
duration: 1h
warmup: 5m
replications: 10
traffic: {{rate: {}}}
journeys:
  only:
    share: 1
{}
    pages:
      view: {{call: web, next: {{exit: 1}}}}
services:
  web:
    type: server_pool
{}
)",
                     lambda, journey_extra, web);
}

}  // namespace

TEST_CASE("M/M/1: waits, response, utilisation, queue length and p99") {
  const double lambda = 80.0, mu = 100.0;
  const auto result = run_yaml(single_page_shop(lambda, "", R"(    instances: 1
    service: {dist: exponential, mean: 10ms})"));
  const auto exact = sim::theory::mm1(lambda, mu);
  check_in_ci(per_replication(result, "/services/web/mean_wait_s"), exact.mean_wait, "Wq");
  check_in_ci(per_replication(result, "/services/web/mean_response_s"), exact.mean_response, "W");
  check_in_ci(per_replication(result, "/services/web/utilization"), exact.utilization, "rho");
  check_in_ci(per_replication(result, "/services/web/mean_queue"), exact.mean_queue, "Lq");
  // Response time of M/M/1 is exponential with rate mu - lambda.
  const double p99 = std::log(100.0) / (mu - lambda);
  // Tail quantiles are noisier: the sketch's 0.5% accuracy widens the allowance, and
  // the interval may be up to 10% wide.
  check_in_ci(per_replication(result, "/services/web/p99_s"), p99, "p99", 0.005, 0.10);
  check_in_ci(per_replication(result, "/pages/only.view/p99_s"), p99, "page p99", 0.005, 0.10);
}

TEST_CASE("M/M/c (Erlang C): mean wait and probability of waiting") {
  // c = 4 instances x 2 workers = 8 servers behind one queue.
  const double lambda = 136.0, mu = 20.0;
  const int c = 8;
  const auto result = run_yaml(single_page_shop(lambda, "", R"(    instances: 4
    workers: 2
    service: {dist: exponential, mean: 50ms})"));
  const auto exact = sim::theory::mmc(lambda, mu, c);
  check_in_ci(per_replication(result, "/services/web/mean_wait_s"), exact.mean_wait, "Wq");
  check_in_ci(ratio(result, "/services/web/waited", "/services/web/started"), exact.p_wait,
              "P(wait)");
  check_in_ci(per_replication(result, "/services/web/utilization"), exact.utilization, "rho");
}

TEST_CASE("M/M/c/K: loss probability of a bounded queue") {
  const double lambda = 80.0, mu = 20.0;  // offered load 4 Erlang on 4 servers
  const int c = 4, queue = 6;
  const auto result = run_yaml(single_page_shop(lambda, "",
                                                fmt::format(R"(    instances: {}
    queue: {}
    service: {{dist: exponential, mean: 50ms}})",
                                                            c, queue)));
  const auto exact = sim::theory::mmck(lambda, mu, c, c + queue);
  check_in_ci(ratio(result, "/services/web/rejected", "/services/web/arrivals"), exact.p_block,
              "P(block)");
  check_in_ci(ratio(result, "/sessions/by_cause/rejected", "/sessions/started"), exact.p_block,
              "sessions rejected");
  check_in_ci(per_replication(result, "/services/web/utilization"), exact.utilization, "rho");
  check_in_ci(per_replication(result, "/services/web/mean_queue"), exact.mean_queue, "Lq");
}

TEST_CASE("Erlang-A (M/M/c+M): abandonment of an overloaded pool") {
  // 10 servers at mu = 10/s offered 110/s: only impatience keeps the queue finite.
  const double lambda = 110.0, mu = 10.0, theta = 5.0;
  const int c = 10;
  const auto result =
      run_yaml(single_page_shop(lambda, R"(    patience: {dist: exponential, mean: 200ms}
    patience_covers: queue)",
                                R"(    instances: 10
    service: {dist: exponential, mean: 100ms})"));
  const auto exact = sim::theory::erlang_a(lambda, mu, c, theta);
  check_in_ci(ratio(result, "/services/web/abandoned", "/services/web/arrivals"), exact.p_abandon,
              "P(abandon)");
  check_in_ci(ratio(result, "/sessions/by_cause/abandoned", "/sessions/started"), exact.p_abandon,
              "sessions abandoned");
  check_in_ci(per_replication(result, "/services/web/mean_wait_s"), exact.mean_wait_served,
              "Wq of served");
  check_in_ci(per_replication(result, "/services/web/mean_queue"), exact.mean_queue, "Lq");
  CHECK(per_replication(result, "/services/web/wasted")[0] ==
        0.0);  // patience ends at service start
}
