// The waiting room (docs/scenario.md, "Sale-day levers"): against Erlang-A (M/M/c+M)
// with sessions of exponential length and exponential patience, and its rules: the room
// is on in [from, to), `waiting` loses the journey's whole revenue-to-go blamed on
// `waiting_room`, its summary block, time series and SLO scope.
#include <doctest/doctest.h>

#include <string>

#include "models/analysis/analytic_estimate.hpp"
#include "models/analysis/bucket_estimate.hpp"
#include "models/loader/scenario_loader.hpp"
#include "models/yaml/scenario_error.hpp"
#include "sim/queueing_theory.hpp"
#include "tests/cpp/scenario_runner.hpp"

using namespace surgesim;
using testing::check_in_ci;
using testing::per_replication;
using testing::ratio;
using testing::run_yaml;
using testing::table;

namespace {

// Sessions of one page whose response is the whole session: exponential work of mean
// 2 s on a pool that never queues (at most max_active requests are in the shop).
std::string erlang_a_shop(const std::string& room) {
  return R"(
name: erlang-a
duration: 2h
warmup: 10m
replications: 10
traffic: {rate: 10}
)" + room +
         R"(journeys:
  only:
    share: 1
    pages:
      view: {call: web, next: {exit: 1}}
services:
  web: {type: server_pool, instances: 100, service: {dist: exponential, mean: 2s}}
)";
}

// Sessions of one order page (value 100) lasting exactly 10 s.
std::string order_shop(const std::string& top, const std::string& room) {
  return top + room + R"(journeys:
  only:
    share: 1
    pages:
      buy: {call: web, next: {exit: 1}, order: {value: 100}}
services:
  web: {type: server_pool, instances: 1000, service: 10s}
)";
}

}  // namespace

TEST_CASE("with exponential sessions and patience the room is an Erlang-A queue") {
  // lambda = 10/s, mu = 1/2 s, c = 20 (offered load 20 Erlang = c), theta = 1/s.
  const auto result = run_yaml(
      erlang_a_shop("waiting_room: {max_active: 20, patience: {dist: exponential, mean: 1s}}\n"));
  const auto exact = sim::theory::erlang_a(10.0, 0.5, 20, 1.0);
  check_in_ci(ratio(result, "/waiting_room/left", "/waiting_room/arrivals"), exact.p_abandon,
              "P(leave)");
  check_in_ci(per_replication(result, "/waiting_room/mean_waiting"), exact.mean_queue,
              "mean waiting");
  check_in_ci(per_replication(result, "/waiting_room/mean_active"), 20 * exact.utilization,
              "mean active");
  for (const auto& rep : result.replications) {
    const auto& room = rep["waiting_room"];
    // Every session of the window arrived while the room was on.
    CHECK(room["arrivals"] == rep["sessions"]["started"]);
    CHECK(room["left"] == rep["sessions"]["by_cause"]["waiting"]);
    CHECK(room["admitted"].get<double>() + room["left"].get<double>() <=
          room["arrivals"].get<double>() + 100);  // + those waiting at the warm-up's end
  }
}

TEST_CASE("the analytic estimate of the room is Erlang-A over sessions") {
  const auto scenario = models::load_scenario_text(
      erlang_a_shop("waiting_room: {max_active: 20, patience: {dist: exponential, mean: 1s}}\n"),
      "test.yaml");
  const auto e = models::estimate(scenario);
  REQUIRE(e.waiting_room);
  const auto exact = sim::theory::erlang_a(10.0, 0.5, 20, 1.0);
  CHECK(e.waiting_room->mean_session == doctest::Approx(2.0));
  CHECK(e.waiting_room->p_leave == doctest::Approx(exact.p_abandon));
  CHECK(e.waiting_room->mean_waiting == doctest::Approx(exact.mean_queue));
  CHECK(e.waiting_room->mean_active == doctest::Approx(20 * exact.utilization));
  CHECK(e.waiting_room->exact);  // exponential sessions and patience
}

TEST_CASE("shoppers who leave the room lose the journey's whole revenue, blamed on the room") {
  // 1 session/s of 10 s against 5 places: about half wait, and with 3 s of patience
  // many leave.
  const auto result =
      run_yaml(order_shop("name: lost\nduration: 1h\nreplications: 2\ntraffic: {rate: 1}\n",
                          "waiting_room: {max_active: 5, patience: 3s}\n"));
  for (const auto& rep : result.replications) {
    const double left = rep["waiting_room"]["left"].get<double>();
    CHECK(left > 100);
    CHECK(rep["lost_revenue"]["by_cause"]["waiting"].get<double>() == doctest::Approx(100 * left));
    CHECK(rep["lost_revenue"]["by_service"]["waiting_room"].get<double>() ==
          doctest::Approx(100 * left));
    CHECK(rep["lost_revenue"]["by_service"]["web"].get<double>() == 0);
    // Waits of admitted sessions are below the patience of 3 s, zero waits included.
    CHECK(rep["waiting_room"]["p95_wait_s"].get<double>() <= 3.0 * 1.005);
    CHECK(rep["waiting_room"]["mean_wait_s"].get<double>() > 0.0);
    // Nobody who left the room reached a page.
    CHECK(rep["pages"]["only.buy"]["dropped"].get<double>() == 0);
    CHECK(rep["services"]["web"]["arrivals"].get<double>() <=
          rep["waiting_room"]["admitted"].get<double>() + 5);
  }
  // The revenue table has a column for the room.
  const auto& revenue = table(result, 0, "revenue");
  CHECK(revenue.column("lost.service.waiting_room") != nullptr);
  CHECK(revenue.column("lost.waiting") != nullptr);
}

TEST_CASE("the room is on from `from` to `to`: everyone enters before, the waiting at `to`") {
  // 2 sessions/s of 10 s (20 active on average) against 5 places, on in [10 m, 20 m).
  const auto result = run_yaml(
      order_shop("name: window\nduration: 30m\nbucket: 1m\nreplications: 2\ntraffic: {rate: 2}\n",
                 "waiting_room: {max_active: 5, from: 10m, to: 20m}\n"));
  for (std::size_t r = 0; r < 2; ++r) {
    const auto& t = table(result, r, "timeseries/waiting_room");
    const auto& starts = *t.column("t_s");
    const auto& waiting = *t.column("mean_waiting");
    const auto& active = *t.column("mean_active");
    const auto& arrivals = *t.column("arrivals");
    for (std::size_t k = 0; k < starts.size(); ++k) {
      INFO("bucket at " << starts[k]);
      if (starts[k] < 600) {  // off: nobody waits, about 20 active
        CHECK(waiting[k] == 0);
        CHECK(arrivals[k] == 0);
        CHECK(active[k] > 10);
      } else if (starts[k] >= 660 && starts[k] < 1200) {  // on and settled
        CHECK(active[k] <= 5.0);
        CHECK(waiting[k] > 0);
        CHECK(arrivals[k] > 0);
      } else if (starts[k] >= 1200) {  // off again: the queue went in at once
        CHECK(waiting[k] == 0);
        CHECK(arrivals[k] == 0);
      }
    }
    // Nobody's patience ran out (none given): the whole queue was admitted at 20 m.
    CHECK(result.replications[r]["waiting_room"]["left"] == 0);
    CHECK(result.replications[r]["waiting_room"]["admitted"] ==
          result.replications[r]["waiting_room"]["arrivals"]);
  }
}

TEST_CASE("SLOs on the room bound its wait and its leaving rate") {
  const auto result = run_yaml(
      order_shop("name: slo\nduration: 30m\nreplications: 2\ntraffic: {rate: 1}\n",
                 "waiting_room: {max_active: 5, patience: 3s}\n"
                 "slo:\n"
                 "  - {name: leave, metric: drop_rate, scope: waiting_room, max: 0.01}\n"
                 "  - {name: wait, metric: latency_p95, scope: waiting_room, max: 10s}\n"));
  const auto& slo = result.summary["slo"];
  CHECK(slo[0]["ok"] == false);
  CHECK(slo[0]["value"].get<double>() ==
        doctest::Approx(result.summary["waiting_room"]["left"].get<double>() /
                        result.summary["waiting_room"]["arrivals"].get<double>()));
  CHECK(slo[1]["ok"] == true);
  CHECK(slo[1]["value"] == result.summary["waiting_room"]["p95_wait_s"]);
}

TEST_CASE("the room's keys are checked, and its name is reserved") {
  const auto load = [](const std::string& room, const std::string& service = "web") {
    std::string text = order_shop("name: keys\nduration: 1h\ntraffic: {rate: 1}\n", room);
    if (service != "web") {
      text += "  " + service + ": {type: database, connections: 1, query: 1ms}\n";
    }
    return models::load_scenario_text(text, "test.yaml");
  };
  CHECK_NOTHROW(load("waiting_room: {max_active: 5, patience: 3s, from: 10m, to: 20m}\n"));
  CHECK_THROWS_AS(load("waiting_room: {max_active: 0}\n"), models::ScenarioError);
  CHECK_THROWS_AS(load("waiting_room: {patience: 3s}\n"), models::ScenarioError);
  CHECK_THROWS_AS(load("waiting_room: {max_active: 5, from: 20m, to: 10m}\n"),
                  models::ScenarioError);
  CHECK_THROWS_WITH_AS(load("waiting_room: {max_active: 5, patiense: 3s}\n"),
                       doctest::Contains("patience"), models::ScenarioError);
  CHECK_THROWS_WITH_AS(load("", "waiting_room"), doctest::Contains("reserved"),
                       models::ScenarioError);
  // An SLO on the room needs a room, and only its wait and leaving rate.
  CHECK_THROWS_AS(models::load_scenario_text(
                      order_shop("name: keys\nduration: 1h\ntraffic: {rate: 1}\n", "") +
                          "slo: [{name: w, metric: latency_p95, scope: waiting_room, max: 1s}]\n",
                      "test.yaml"),
                  models::ScenarioError);
  CHECK_THROWS_AS(load("waiting_room: {max_active: 5}\n"
                       "slo: [{name: w, metric: error_rate, scope: waiting_room, max: 0.1}]\n"),
                  models::ScenarioError);
}

TEST_CASE("the estimate over time has a waiting_room row per bucket, after the services") {
  const auto scenario = models::load_scenario_text(
      erlang_a_shop("waiting_room: {max_active: 20, patience: {dist: exponential, mean: 1s}}\n"),
      "test.yaml");
  const auto rows = models::estimate_rows(models::estimate_buckets(scenario));
  const auto exact = sim::theory::erlang_a(10.0, 0.5, 20, 1.0);
  std::size_t rooms = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& row = rows[i];
    if (row["service"] != "waiting_room") {
      CHECK(row["p_leave"].is_null());
      continue;
    }
    ++rooms;
    CHECK(rows[i - 1]["service"] == "web");  // after the services of its bucket
    CHECK(row["t_s"] == rows[i - 1]["t_s"]);
    CHECK(row["type"] == "waiting_room");
    CHECK(row["servers"] == 20);
    CHECK(row["lambda"].get<double>() == doctest::Approx(10.0));
    CHECK(row["offered_load"].get<double>() == doctest::Approx(20.0));
    CHECK(row["rho"].get<double>() == doctest::Approx(1.0));
    CHECK(row["p_leave"].get<double>() == doctest::Approx(exact.p_abandon).epsilon(1e-9));
    CHECK(row["unstable"] == false);
    CHECK(row["mean_response_s"].is_null());
  }
  CHECK(rooms == 120);  // 2 h of one-minute buckets
}
