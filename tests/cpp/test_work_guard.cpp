// A run doing far more work than its estimate foresaw (calls failing at once, retried
// through levels of services) stops with a sentence instead of running for days; a run
// doing what its estimate says is never stopped, and watching changes no figure.
#include <doctest/doctest.h>

#include <string>

#include "models/loader/scenario_loader.hpp"
#include "models/run/experiment.hpp"
#include "models/run/overload_guard.hpp"
#include "models/run/study.hpp"
#include "models/run/work_guard.hpp"
#include "sim/simulator.hpp"
#include "tests/cpp/scenario_runner.hpp"

using namespace surgesim;

namespace {

// Five services deep, each retrying its call up to 100 times without backoff, the last
// one down for the whole run and every service answering at once: each page becomes up
// to 101^4 (10^8) calls at one instant. 360,000 sessions: about 10^14 events in all.
std::string storm(int depth, const std::string& retry_max) {
  std::string yaml =
      "name: storm\nduration: 1h\ntraffic: {rate: 100}\njourneys:\n  only:\n    share: 1\n"
      "    pages:\n      view: {call: s0, next: {exit: 1}}\nservices:\n";
  for (int i = 0; i < depth; ++i) {
    yaml += "  s" + std::to_string(i) + ": {type: server_pool, instances: 1, service: 0s";
    if (i + 1 < depth) {
      yaml += ", calls: [{to: s" + std::to_string(i + 1) + ", retry: {max: " + retry_max + "}}]";
    } else {
      yaml += ", outages: [{at: 0s, for: 1h}]";
    }
    yaml += "}\n";
  }
  return yaml;
}

models::Study run(const std::string& yaml, bool force) {
  models::StudyOptions options;
  options.threads = 1;
  options.force = force;
  models::ScenarioFiles files;
  return models::run_study({"storm.yaml", yaml, std::nullopt, {}}, files, options,
                           models::command_line_words());
}

// What stopped a run that must stop (unforced).
std::string stopped(const std::string& yaml) {
  try {
    run(yaml, false);
  } catch (const models::Overloaded& e) {
    return e.what();
  }
  FAIL("the run was not stopped");
  return "";
}

// One page on one worker for 100 seconds of `traffic`.
models::Scenario hundred_seconds(const std::string& traffic) {
  return models::load_scenario_text(
      testing::one_page_shop("name: s\nduration: 100s\ntraffic: " + traffic + "\n", "web",
                             "  web: {type: server_pool, instances: 1, service: 10ms}\n"),
      "s.yaml");
}

}  // namespace

TEST_CASE("a retry storm at one instant stops the run, naming the service and the retries") {
  const std::string what = stopped(storm(5, "100"));
  INFO(what);
  CHECK(what.find("the run stopped at ") == 0);
  CHECK(what.find("it would take over an hour on one core") != std::string::npos);
  // The innermost service takes nearly every request.
  CHECK(what.find("service s4 received ") != std::string::npos);
  // 1 + 101 (1 + 101 (1 + 101 (1 + 101))) requests from one page at most.
  CHECK(what.find("one page can become up to 105.1 M requests") != std::string::npos);
  CHECK(what.find("services.s0.calls.0.retry.max = 100, services.s1.calls.0.retry.max = 100, "
                  "services.s2.calls.0.retry.max = 100 and 1 more") != std::string::npos);
  CHECK(what.find("--force runs it anyway") != std::string::npos);
}

TEST_CASE("a storm through the deepest chain allowed says how many requests it can make") {
  // 101^999 requests a page overflow a double: said in words, not as "inf".
  const std::string what = stopped(storm(1000, "100"));
  INFO(what);
  CHECK(what.find("one page can become up to over 10^308 requests") != std::string::npos);
  CHECK(what.find("and 996 more") != std::string::npos);
}

TEST_CASE("the same shop with few retries runs in full, watched") {
  // Every page still fails (the outage), but with 2 retries a level a page is 40 calls.
  const models::Study study = run(storm(5, "2"), false);
  CHECK(study.result.summary["sessions"]["started"].get<double>() > 350'000);
}

TEST_CASE("the share of a run seen: traffic arrived, time passed, at least one session") {
  const models::Scenario scenario =
      hundred_seconds("{profile: [{at: 0s, rate: 0}, {at: 100s, rate: 2}]}");
  const std::vector<std::unique_ptr<models::Service>> none;
  const models::WorkGuard guard(scenario, none, models::WorkEstimate{}, "--force");
  // 100 sessions in all, rising linearly: a quarter of the time brings 1/16 of them.
  CHECK(guard.share_seen(25.0) == doctest::Approx(0.25));  // time leads
  CHECK(guard.share_seen(0.0) == doctest::Approx(0.01));   // one session of 100
  CHECK(guard.share_seen(100.0) == doctest::Approx(1.0));
}

TEST_CASE("the guard stops only past the least events, the factor and the hour") {
  const models::Scenario scenario = hundred_seconds("{rate: 10}");
  const std::vector<std::unique_ptr<models::Service>> none;
  models::WorkEstimate estimate;
  estimate.events = 2'000.0;
  estimate.replications = 1.0;
  models::WorkGuard guard(scenario, none, estimate, "--force");
  const double limit = models::kMostCpuSeconds * models::kEventsPerSecond;  // 54 G events
  // Half-way: 1,000 events foreseen; the run's projection is fired x 2.
  const auto fired_for = [&](double projected) {
    return static_cast<std::uint64_t>(projected / 2.0);
  };
  CHECK_NOTHROW(guard.check(50.0, models::WorkGuard::kLeastEvents - 1));
  CHECK_NOTHROW(guard.check(50.0, fired_for(0.99 * limit)));
  CHECK_THROWS_AS(guard.check(50.0, fired_for(1.01 * limit)), models::Overloaded);
  // Work as foreseen is never stopped, however long the estimate said it would take.
  estimate.events = limit;
  models::WorkGuard foreseen(scenario, none, estimate, "--force");
  CHECK_NOTHROW(foreseen.check(50.0, fired_for(1.5 * limit)));
  CHECK_NOTHROW(foreseen.check(50.0, fired_for(3.9 * limit)));
  CHECK_THROWS_AS(foreseen.check(50.0, fired_for(4.1 * limit)), models::Overloaded);
}

TEST_CASE("watching changes no figure") {
  const models::Scenario scenario = models::load_scenario_text(storm(3, "3"), "storm.yaml");
  models::RunOptions options;
  options.threads = 1;
  options.keep_replication_series = false;
  const models::ExperimentResult free = models::run_experiment(scenario, options);
  options.work = models::estimate_work(scenario, models::WorkShape{});
  const models::ExperimentResult watched = models::run_experiment(scenario, options);
  CHECK(free.summary.dump() == watched.summary.dump());
  CHECK(free.events == watched.events);
}
