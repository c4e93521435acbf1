// How sessions, pages and server pools behave at their edges: timeouts and retries,
// shoppers who give up, full queues, routing, shares, warm-up and determinism.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <array>
#include <cstdio>
#include <memory>

#include "sim/queueing_theory.hpp"
#include "tests/cpp/scenario_runner.hpp"

using namespace surgesim;
using testing::check_in_ci;
using testing::per_replication;
using testing::ratio;
using testing::run_yaml;

namespace {

double at(const models::Json& j, const std::string& pointer) {
  return j.at(models::Json::json_pointer(pointer)).get<double>();
}

// Runs the CLI and returns what it printed on stdout.
std::string cli_stdout(const std::string& args) {
  const std::string command = std::string(SURGESIM_CLI) + " " + args + " 2>/dev/null";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  REQUIRE(pipe);
  std::string out;
  std::array<char, 4096> buffer{};
  while (const std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe.get())) {
    out.append(buffer.data(), n);
  }
  return out;
}

// 5 sessions/s of shoppers who wait 1 s for a one-page journey served by `web`.
std::string impatient_shop(const std::string& web) {
  return R"(
name: impatient
duration: 10m
traffic: {rate: 5}
journeys:
  only:
    share: 1
    patience: 1s
    pages:
      view: {call: web, next: {exit: 1}}
services:
  web: {type: server_pool, )" +
         web + "}\n";
}

}  // namespace

TEST_CASE("a request that times out is retried after the backoff, then the session drops") {
  // Every request takes 1 s and times out at 0.5 s: 1 try + 2 retries, then `timeout`.
  const auto result = run_yaml(R"(
name: timeouts
duration: 10m
traffic: {rate: 10}
journeys:
  only:
    share: 1
    retry: {max: 2, backoff: 1s}
    pages:
      view: {call: web, next: {exit: 1}}
services:
  web: {type: server_pool, instances: 1000, service: 1s, timeout: 500ms}
)");
  const auto& s = result.summary;
  const double started = at(s, "/sessions/started");
  CHECK(started > 5000);
  CHECK(at(s, "/sessions/completed") == 0);
  CHECK(at(s, "/sessions/by_cause/timeout") == at(s, "/sessions/dropped"));
  // Sessions still retrying at the end are neither completed nor dropped: a few seconds' worth.
  CHECK(at(s, "/sessions/dropped") >= started - 40);
  const double requests = at(s, "/pages/only.view/requests");
  CHECK(requests <= 3 * started);
  CHECK(requests >= 3 * started - 100);
  CHECK(at(s, "/services/web/timeouts") >= requests - 40);  // ~30 requests/s, 0.5 s each
  CHECK(at(s, "/services/web/completed") == 0);
  CHECK(at(s, "/services/web/wasted") == 0);  // nobody gave up: the pool timed out
  CHECK(s.at("/pages/only.view/p99_s"_json_pointer).is_null());
}

TEST_CASE("a shopper who gives up during service leaves the work running as waste") {
  // Service takes 2 s, shoppers wait 1 s: every request in service is wasted work.
  const auto result = run_yaml(impatient_shop("instances: 100, service: 2s"));
  const auto& s = result.summary;
  CHECK(at(s, "/sessions/completed") == 0);
  CHECK(at(s, "/sessions/by_cause/abandoned") == at(s, "/sessions/dropped"));
  CHECK(at(s, "/services/web/completed") == 0);
  CHECK(at(s, "/services/web/abandoned") == 0);  // nobody waited in a queue
  CHECK(at(s, "/services/web/wasted") >= at(s, "/services/web/arrivals") - 20);
  CHECK(at(s, "/services/web/utilization") > 0.0);
}

TEST_CASE("a shopper who gives up while queued leaves the queue") {
  // One slow worker and impatient shoppers: most give up while waiting.
  const auto result = run_yaml(impatient_shop("instances: 1, service: 500ms"));
  const auto& s = result.summary;
  const double abandoned = at(s, "/services/web/abandoned");
  CHECK(abandoned > 0);
  CHECK(at(s, "/sessions/by_cause/abandoned") >= abandoned);
  // Every arrival is served, abandoned from the queue or still in flight at the end.
  const double accounted =
      at(s, "/services/web/completed") + abandoned + at(s, "/services/web/wasted");
  CHECK(accounted <= at(s, "/services/web/arrivals"));
  CHECK(accounted >= at(s, "/services/web/arrivals") - 10);
  CHECK(at(s, "/services/web/mean_queue") <= 5.0 * 1.0 + 1e-9);  // nobody waits > 1 s at 5/s
}

TEST_CASE("M/D/c/c loss: Erlang B holds for any service distribution") {
  // No queue: a request that finds both workers busy is rejected (insensitivity).
  const double lambda = 4.0;
  const auto result = run_yaml(R"(
name: loss
duration: 1h
warmup: 1m
replications: 10
traffic: {rate: 4}
journeys:
  only:
    share: 1
    pages:
      view: {call: web, next: {exit: 1}}
services:
  web: {type: server_pool, instances: 2, queue: 0, service: 500ms}
)");
  check_in_ci(ratio(result, "/services/web/rejected", "/services/web/arrivals"),
              sim::theory::erlang_b(2, lambda * 0.5), "Erlang B");
}

TEST_CASE("pages are visited as the journey's Markov chain says") {
  // home -> product 0.6 | exit 0.4; product -> home 0.5 | exit 0.5:
  // visits per session v_home = 1 / (1 - 0.6 * 0.5), v_product = 0.6 v_home.
  const auto result = run_yaml(R"(
name: routing
duration: 1h
replications: 10
traffic: {rate: 20}
journeys:
  browse:
    share: 0.3
    think: {dist: exponential, mean: 5s}
    pages:
      home: {call: web, next: {product: 0.6, exit: 0.4}}
      product: {call: api, next: {home: 0.5, exit: 0.5}, think: 1s}
  quick:
    share: 0.7
    pages:
      home: {call: web, next: {exit: 1}}
services:
  web: {type: server_pool, instances: 100, service: 10ms}
  api: {type: server_pool, instances: 100, service: 10ms}
)");
  const double v_home = 1.0 / (1.0 - 0.3);
  check_in_ci(ratio(result, "/pages/browse.home/requests", "/journeys/browse/sessions"), v_home,
              "home visits");
  check_in_ci(ratio(result, "/pages/browse.product/requests", "/journeys/browse/sessions"),
              0.6 * v_home, "product visits");
  check_in_ci(ratio(result, "/journeys/browse/sessions", "/sessions/started"), 0.3, "share");
  // Each service sees exactly its pages' requests.
  const auto& s = result.replications.front();
  CHECK(at(s, "/services/api/arrivals") == at(s, "/pages/browse.product/requests"));
  CHECK(at(s, "/services/web/arrivals") ==
        at(s, "/pages/browse.home/requests") + at(s, "/pages/quick.home/requests"));
}

TEST_CASE("statistics cover [warmup, duration) only") {
  const auto result = run_yaml(R"(
name: warmup
duration: 1h
warmup: 45m
replications: 10
traffic: {rate: 10}
journeys:
  only:
    share: 1
    pages:
      view: {call: web, next: {exit: 1}}
services:
  web: {type: server_pool, instances: 10, service: 10ms}
)");
  check_in_ci(per_replication(result, "/sessions/started"), 10.0 * 15 * 60, "sessions in window");
  CHECK(result.summary.at("warmup_s").get<double>() == 2700.0);
}

TEST_CASE("same seed, same results at any thread count; another seed differs") {
  const std::string file = std::string(SURGESIM_SOURCE_DIR) + "/configs/harbolnas-1111.yaml";
  const std::string run =
      "run " + file + " -r 4 --set duration=3m --set warmup=0 --format json --quiet";
  const std::string one = cli_stdout(run + " --threads 1");
  const std::string two = cli_stdout(run + " --threads 2");
  REQUIRE(one.size() > 100);
  CHECK(one == two);
  const std::string other = cli_stdout(run + " --seed 99");
  CHECK(other != one);
  CHECK(models::Json::parse(other).at("seed") == 99);
}

TEST_CASE("an order page that placed no order in some replication still merges") {
  // One session in a thousand reaches `pay`: with ~60 sessions per replication most
  // replications place no order, and the page's tree must still have `orders` to merge.
  const auto result = run_yaml(R"(
name: rare-orders
duration: 1m
replications: 8
traffic: {rate: 1}
journeys:
  only:
    share: 1
    pages:
      view: {call: web, next: {pay: 0.001, exit: 0.999}}
      pay: {call: web, next: {exit: 1}, order: {value: 100}}
services:
  web: {type: server_pool, instances: 1, service: 1ms}
)");
  double orders = 0.0;
  for (const models::Json& r : result.replications) {
    REQUIRE(r["pages"]["only.pay"].contains("orders"));
    orders += r["pages"]["only.pay"]["orders"].get<double>();
  }
  CHECK(result.summary["pages"]["only.pay"]["orders"].get<double>() == doctest::Approx(orders / 8));
  CHECK_FALSE(result.summary["pages"]["only.view"].contains("orders"));
}
