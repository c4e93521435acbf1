// The retry-storm pair of configs: a two-minute cache flush at 00:05 (cold until 00:07)
// that aggressive retries turn into an overload lasting the whole window, and the same
// night with the sale-day levers, which recovers as soon as the cache is warm. Asserted
// on each replication's drop rate per bucket against the few-drops SLO (2%).
#include <doctest/doctest.h>

#include <string>

#include "models/loader/scenario_loader.hpp"
#include "models/run/experiment.hpp"

using namespace surgesim;

namespace {

constexpr double kLimit = 0.02;                   // the few-drops SLO of both configs
constexpr double kWarmAgain = 2 * 3600 + 7 * 60;  // 00:07 with the run starting at 22:00

models::ExperimentResult run_config(const std::string& name) {
  models::Scenario scenario =
      models::load_scenario_file(std::string(SURGESIM_SOURCE_DIR) + "/configs/" + name);
  scenario.replications = 3;
  return models::run_experiment(scenario, models::RunOptions{});
}

const models::SeriesTable& sessions(const models::ExperimentResult& result, std::size_t r) {
  for (const auto& t : result.replication_series.at(r)) {
    if (t.path == "timeseries/sessions") return t;
  }
  FAIL("no sessions table");
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("without levers the flush becomes a storm that outlives it") {
  const auto result = run_config("what-if-retry-storm.yaml");
  for (std::size_t r = 0; r < result.replications.size(); ++r) {
    const auto& t = sessions(result, r);
    const auto& starts = *t.column("t_s");
    const auto& drops = *t.column("drop_rate");
    int late = 0;
    for (std::size_t k = 0; k < starts.size(); ++k) {
      // Ten minutes and more after the cache is warm again, every bucket still fails.
      if (starts[k] < kWarmAgain + 600) continue;
      INFO("replication " << r << ", bucket at " << starts[k] << ": drop rate " << drops[k]);
      CHECK(drops[k] > kLimit);
      ++late;
    }
    CHECK(late >= 30);  // 00:17 to 00:50
  }
  const auto& few_drops = result.summary["slo"][0];
  CHECK(few_drops["ok"] == false);
}

TEST_CASE("with the levers the shop recovers within two buckets of the flush's end") {
  const auto result = run_config("what-if-levers.yaml");
  for (std::size_t r = 0; r < result.replications.size(); ++r) {
    const auto& t = sessions(result, r);
    const auto& starts = *t.column("t_s");
    const auto& drops = *t.column("drop_rate");
    for (std::size_t k = 0; k < starts.size(); ++k) {
      if (starts[k] < kWarmAgain + 2 * 60) continue;
      INFO("replication " << r << ", bucket at " << starts[k] << ": drop rate " << drops[k]);
      CHECK(drops[k] <= kLimit);
    }
  }
  // The room is there and reported.
  CHECK(result.summary.contains("waiting_room"));
}
