// The summary does not depend on the time buckets. Records go to the current bucket only
// and each bucket is added to the statistics window when it ends (the warm-up's bucket
// records into both), so every field of every statistic must be carried over at each
// turnover: a forgotten counter, sketch or time average would make the summary of a run
// with 7-second buckets differ from the same run with a single bucket. The shops cover
// every statistic: services of each type with outages and autoscaling, journeys with
// orders, retries, breakers, the waiting room. The warm-up ends mid-bucket.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "models/loader/scenario_loader.hpp"
#include "models/run/experiment.hpp"

using namespace surgesim;

namespace {

models::Json summary(const std::string& config, const std::string& bucket) {
  const models::Scenario scenario = models::load_scenario_file(
      std::string(SURGESIM_SOURCE_DIR) + "/configs/" + config, {{"window.from", "23:58", ""},
                                                                {"window.to", "00:06", ""},
                                                                {"warmup", "100s", ""},
                                                                {"bucket", bucket, ""},
                                                                {"replications", "1", ""}});
  return models::run_experiment(scenario, models::RunOptions{}).replications.at(0);
}

// Counts equal, figures computed from sums in another order equal to rounding; `compared`
// counts the numbers seen (the test must look at something).
void check_same(const models::Json& a, const models::Json& b, const std::string& path,
                int& compared) {
  if (a.is_object()) {
    REQUIRE(b.is_object());
    for (const auto& [key, value] : a.items()) {
      INFO(path << "/" << key);
      REQUIRE(b.contains(key));
      check_same(value, b.at(key), path + "/" + key, compared);
    }
  } else if (a.is_array()) {
    REQUIRE(b.is_array());
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i)
      check_same(a[i], b[i], path + "/" + std::to_string(i), compared);
  } else if (a.is_number_integer()) {
    INFO(path);
    CHECK(a == b);
    ++compared;
  } else if (a.is_number()) {
    INFO(path << ": " << a.dump() << " vs " << b.dump());
    REQUIRE(b.is_number());
    const double x = a.get<double>(), y = b.get<double>();
    CHECK(std::abs(x - y) <= 1e-9 * std::max(1.0, std::abs(x)));
    ++compared;
  } else {
    INFO(path);
    CHECK(a == b);
  }
}

void check_bucket_free(const std::string& config) {
  const models::Json one = summary(config, "480s");  // the whole window
  const models::Json many = summary(config, "7s");
  int compared = 0;
  check_same(many, one, "", compared);
  CHECK(compared > 100);
  // The run did something in every corner checked below.
  CHECK(one.at("sessions").at("started").get<double>() > 1000);
}

}  // namespace

TEST_CASE("the Harbolnas night's summary is the same with 7-second buckets as with one") {
  check_bucket_free("harbolnas-1111.yaml");
}

TEST_CASE("the levers' summary (waiting room, retries, breakers) is the same with any bucket") {
  check_bucket_free("what-if-levers.yaml");
}

// Without time series (`surgesim run` with nothing that reads them) the buckets' sketches
// keep counting across buckets and reach the totals once, at the end; the rest turns over
// as before. Sketch merges are exact, so the summary is the same bit for bit.
TEST_CASE("without time series the summary is the same bit for bit") {
  for (const char* config : {"harbolnas-1111.yaml", "what-if-levers.yaml"}) {
    INFO(config);
    // SLOs are judged on the time series: without them, none are built.
    const models::Scenario scenario = models::load_scenario_file(
        std::string(SURGESIM_SOURCE_DIR) + "/configs/" + config, {{"window.from", "23:58", ""},
                                                                  {"window.to", "00:06", ""},
                                                                  {"warmup", "100s", ""},
                                                                  {"bucket", "7s", ""},
                                                                  {"slo", "[]", ""},
                                                                  {"replications", "2", ""}});
    models::RunOptions options;
    const models::ExperimentResult with = models::run_experiment(scenario, options);
    options.series = false;
    const models::ExperimentResult without = models::run_experiment(scenario, options);
    CHECK(!with.series_mean.empty());
    CHECK(without.series_mean.empty());
    CHECK(without.summary.dump() == with.summary.dump());
    CHECK(with.summary.contains("waiting_room") == (std::string(config) == "what-if-levers.yaml"));
  }
}
