// A service that can never catch up stops the run with a sentence before its queue
// eats the memory; an overload that the traffic lets drain, or that shoppers' patience
// bounds, runs in full; and watching changes no figure.
#include <doctest/doctest.h>

#include <string>

#include "models/loader/scenario_loader.hpp"
#include "models/run/experiment.hpp"
#include "models/run/overload_guard.hpp"
#include "tests/cpp/scenario_runner.hpp"

using namespace surgesim;

namespace {

models::ExperimentResult run_watched(const std::string& yaml, double max_memory) {
  const models::Scenario scenario = models::load_scenario_text(yaml, "test.yaml");
  models::RunOptions options;
  options.threads = 1;
  options.keep_replication_series = false;
  options.max_memory = max_memory;
  return models::run_experiment(scenario, options);
}

constexpr double kMegabyte = 1024.0 * 1024.0;

// One worker doing 10 ms of work for `rate` sessions per second, maybe with patience.
std::string one_worker(const std::string& rate, const std::string& journey_extra = "",
                       const std::string& duration = "4h") {
  return "name: one-worker\nduration: " + duration + "\ntraffic: " + rate +
         "\njourneys:\n  only:\n    share: 1\n" + journey_extra +
         "    pages:\n      view: {call: web, next: {exit: 1}}\nservices:\n"
         "  web: {type: server_pool, instances: 1, service: 10ms}\n";
}

}  // namespace

TEST_CASE("20,000 sessions a second into one worker stop the run, naming the service") {
  // 128 MB: a sixteenth of it (8 MB, 65,000 requests) is queued within 4 simulated
  // seconds, and at 19,900 more a second the queue would pass it in about a minute.
  try {
    run_watched(one_worker("{rate: 20000}"), 128 * kMegabyte);
    FAIL("the run was not stopped");
  } catch (const models::Overloaded& e) {
    const std::string what = e.what();
    INFO(what);
    CHECK(what.find("service web is overloaded: ρ ≈ ") == 0);
    CHECK(what.find("k/s arrive, it starts 100/s") != std::string::npos);
    CHECK(what.find("would pass --max-memory (128.0 MB for this replication)") !=
          std::string::npos);
    CHECK(what.find("Add instances or workers") != std::string::npos);
  }
}

TEST_CASE("an overload that the traffic lets drain runs in full") {
  // 10 workers serve 1,000/s; a spike adds up to 2,500/s for a few minutes: the queue
  // climbs past a sixteenth of the budget (32,768 requests), then drains.
  const std::string yaml = R"(
name: spike
duration: 30m
traffic:
  rate: 500
  spikes: [{at: 10m, peak: 2500, rise: 1m, decay: 2m}]
journeys:
  only:
    share: 1
    pages:
      view: {call: web, next: {exit: 1}}
services:
  web: {type: server_pool, instances: 10, service: 10ms}
)";
  const models::ExperimentResult result = run_watched(yaml, 64 * kMegabyte);
  const models::Json& web = result.summary["services"]["web"];
  CHECK(web["mean_queue"].get<double>() * 30 * 60 > 32'768.0 * 60);  // it did queue deep
  CHECK(result.summary["saturated"] == false);
  // The same figures as a run nobody watched.
  CHECK(result.summary == run_watched(yaml, 0.0).summary);
}

TEST_CASE("an overload bounded by shoppers' patience runs in full") {
  // 20,000/s into 100/s, but shoppers leave after 2 s on average: about 40,000 wait,
  // past a sixteenth of 32 MB (16,384) and well within it.
  const std::string yaml =
      one_worker("{rate: 20000}", "    patience: {dist: exponential, mean: 2s}\n", "3m");
  const models::ExperimentResult result = run_watched(yaml, 32 * kMegabyte);
  CHECK(result.summary["services"]["web"]["mean_queue"].get<double>() > 16'384.0);
  CHECK(result.summary["sessions"]["by_cause"]["abandoned"].get<double>() > 1e6);
}

TEST_CASE("a bounded queue cannot overload the memory") {
  const std::string yaml =
      "name: bounded\nduration: 10m\ntraffic: {rate: 20000}\njourneys:\n  only:\n    share: 1\n"
      "    pages:\n      view: {call: web, next: {exit: 1}}\nservices:\n"
      "  web: {type: server_pool, instances: 1, service: 10ms, queue: 50000}\n";
  const models::ExperimentResult result = run_watched(yaml, 64 * kMegabyte);
  CHECK(result.summary["services"]["web"]["rejected"].get<double>() > 1e6);
}
