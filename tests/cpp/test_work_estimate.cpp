// The pre-run work estimate counts what a run will do closely enough to refuse only runs
// that cannot finish (over an hour on one core, or over --max-memory), never the shops
// in configs/, a 24-hour day or ten times the traffic; --force runs a refused one.
#include <doctest/doctest.h>

#include <string>

#include "models/loader/scenario_loader.hpp"
#include "models/run/study.hpp"
#include "models/run/work_estimate.hpp"
#include "models/yaml/scenario_error.hpp"
#include "tests/cpp/scenario_runner.hpp"

using namespace surgesim;
using models::WorkEstimate;
using models::WorkShape;

namespace {

models::Scenario load_file(const std::string& path, const std::vector<std::string>& sets = {}) {
  std::vector<models::Override> overrides;
  for (const std::string& s : sets) overrides.push_back(models::parse_override(s));
  models::ScenarioFiles files;
  return models::load_scenario({path, std::nullopt, std::nullopt, std::move(overrides)}, files);
}

models::Scenario load_text(const std::string& yaml) {
  return models::load_scenario_text(yaml, "test.yaml");
}

std::string config(const std::string& name) {
  return std::string(SURGESIM_SOURCE_DIR) + "/configs/" + name;
}

// Two journeys, calls and a cache miss: every kind of table and request.
const std::string kShop = R"(
name: shop
duration: 20m
bucket: 30s
traffic: {rate: 40}
journeys:
  browse:
    share: 0.7
    think: 2s
    pages:
      home: {call: web, next: {item: 0.6, exit: 0.4}}
      item: {call: web, next: {home: 0.2, exit: 0.8}}
  buy:
    share: 0.3
    pages:
      cart: {call: web, next: {exit: 1}}
services:
  web:
    type: server_pool
    instances: 8
    service: {dist: exponential, mean: 20ms}
    calls: [{to: cache}, {to: db, p: 0.5}]
  cache: {type: cache, hit_ratio: 0.8, hit: 1ms, miss: {to: db}}
  db: {type: database, connections: 20, query: {dist: exponential, mean: 5ms}}
)";

// What refuse_unfinishable says, or "" when the run may go.
std::string refusal(const WorkEstimate& w, double max_memory) {
  try {
    models::refuse_unfinishable(w, max_memory, "shop.yaml", "--force", "--max-memory");
  } catch (const models::ScenarioError& e) {
    CHECK(e.location() == "shop.yaml");
    return e.problem();
  }
  return "";
}

}  // namespace

TEST_CASE("the events estimated are the events a run fires, within 10%") {
  for (const std::string& yaml :
       {kShop, testing::one_page_shop("name: mm1\nduration: 30m\ntraffic: {rate: 200}\n", "web",
                                      "  web: {type: server_pool, instances: 1, service: "
                                      "{dist: exponential, mean: 2ms}}\n")}) {
    const models::Scenario scenario = load_text(yaml);
    const WorkEstimate w = models::estimate_work(scenario, {1.0, 1});
    const models::ExperimentResult run = testing::run_yaml(yaml, 1);
    INFO(scenario.name << ": estimated " << w.events << ", fired " << run.events);
    CHECK(w.sessions ==
          doctest::Approx(run.summary["sessions"]["started"].get<double>()).epsilon(0.05));
    CHECK(w.events == doctest::Approx(static_cast<double>(run.events)).epsilon(0.10));
  }
}

TEST_CASE("the time series estimated are the tables a run fills") {
  const models::Scenario scenario = load_text(kShop);
  const WorkEstimate w = models::estimate_work(scenario, {1.0, 1});
  const models::ExperimentResult run = testing::run_yaml(kShop, 1);
  double cells = 0.0;
  for (const models::SeriesTable& t : run.series_mean) {
    cells += static_cast<double>(t.columns.size());
    CHECK(static_cast<double>(t.rows()) == w.buckets);
  }
  CHECK(w.cells_per_bucket == cells);
}

TEST_CASE("the configs, a 24-hour day and ten times the traffic are never refused") {
  const double max_memory = models::default_max_memory();
  for (const char* name : {"harbolnas-1111.yaml", "what-if-cold-cache.yaml",
                           "what-if-double-traffic.yaml", "what-if-gateway-outage.yaml"}) {
    CAPTURE(name);
    const models::Scenario scenario = load_file(config(name));
    CHECK(refusal(models::estimate_work(scenario, {4.0, 2}), max_memory) == "");
  }
  // The bench's 24-hour sale day, which simulates 54.0 M sessions at its seed.
  const models::Scenario day = load_file(std::string(SURGESIM_SOURCE_DIR) + "/bench/sale-day.yaml");
  const WorkEstimate w = models::estimate_work(day, {1.0, 1});
  CHECK(w.sessions == doctest::Approx(54.0e6).epsilon(0.01));
  CHECK(refusal(w, max_memory) == "");
  const models::Scenario tenfold = load_file(config("harbolnas-1111.yaml"), {"traffic.scale=10"});
  CHECK(refusal(models::estimate_work(tenfold, {1.0, 1}), max_memory) == "");
}

TEST_CASE("a run that cannot end in an hour is refused, saying what to change") {
  const std::string crashing =
      testing::one_page_shop("name: crashing\nduration: 1h\ntraffic: {rate: 5}\n", "web",
                             "  web: {type: server_pool, instances: 1000, service: 10ms, "
                             "crashes: {mtbf: 0.000001, mttr: 0.000001}}\n");
  const std::string why = refusal(models::estimate_work(load_text(crashing), {1.0, 1}), 1e12);
  CHECK(why.find("the run would take at least") == 0);
  CHECK(why.find("crashes, repairs and autoscale checks") != std::string::npos);
  CHECK(why.find("--force runs it anyway") != std::string::npos);

  const std::string flood =
      testing::one_page_shop("name: flood\nduration: 4h\ntraffic: {rate: 1e7}\n", "web",
                             "  web: {type: server_pool, instances: 100000, service: 1ms}\n");
  const std::string busy = refusal(models::estimate_work(load_text(flood), {1.0, 1}), 1e15);
  CHECK(busy.find("144.0 G sessions") != std::string::npos);
  CHECK(busy.find("shorten the duration, lower the traffic") != std::string::npos);

  // Replications count: an hour's worth split into many is still an hour.
  const std::string hour =
      testing::one_page_shop("name: hour\nduration: 1h\ntraffic: {rate: 1000}\n", "web",
                             "  web: {type: server_pool, instances: 10, service: 1ms}\n");
  const WorkEstimate one = models::estimate_work(load_text(hour), {1.0, 1});
  CHECK(refusal(one, 1e12) == "");
  const double enough = std::ceil(models::kMostCpuSeconds / one.cpu_seconds) + 1;
  CHECK(refusal(models::estimate_work(load_text(hour), {enough, 1}), 1e12) != "");
}

TEST_CASE("a run over --max-memory is refused, naming what takes it") {
  const std::string fine =
      testing::one_page_shop("name: fine\nduration: 1h\nbucket: 10ms\ntraffic: {rate: 5}\n", "web",
                             "  web: {type: server_pool, instances: 2, service: 100ms}\n");
  const models::Scenario scenario = load_text(fine);
  const WorkEstimate w = models::estimate_work(scenario, {1.0, 1});
  // 360,000 buckets of 86 columns, one replication in flight and the running sums.
  CHECK(w.series_bytes == doctest::Approx(6.0 * 360'000 * w.cells_per_bucket * 8.0));
  const std::string why = refusal(w, 256.0 * 1024 * 1024);
  CHECK(why.find("the run would need about 1.4 GB of memory, more than --max-memory "
                 "(256.0 MB)") == 0);
  CHECK(why.find("use wider buckets or fewer threads") != std::string::npos);
  // More threads hold more replications' tables at once.
  CHECK(models::estimate_work(scenario, {8.0, 8}).series_bytes > 3.0 * w.series_bytes);
  // Time series that nothing reads are not built (an automatic warm-up's pilot builds
  // them whatever the run after it does).
  const WorkEstimate none = models::estimate_work(scenario, {1.0, 1, false, false, false});
  CHECK(none.series_bytes == 0.0);
  CHECK(refusal(none, 256.0 * 1024 * 1024) == "");
  CHECK(models::estimate_work(scenario, {1.0, 1, false, true, false}).series_bytes ==
        w.series_bytes);
}

TEST_CASE("a study without time series: none built, the same summary bit for bit") {
  const std::string yaml = testing::one_page_shop(
      "name: quiet\nduration: 30m\nwarmup: 5m\nbucket: 1m\nreplications: 2\n"
      "traffic: {rate: 20}\n",
      "web",
      "  web: {type: server_pool, instances: 2, service: {dist: exponential, mean: 80ms}}\n");
  const models::ScenarioSource source{"quiet.yaml", yaml, std::nullopt, {}};
  models::StudyOptions options;
  models::ScenarioFiles files;
  const models::Study with = models::run_study(source, files, options, models::python_words());
  CHECK(with.result.series_mean.size() > 3);
  options.series = false;
  const models::Study without = models::run_study(source, files, options, models::python_words());
  CHECK(without.result.series_mean.empty());
  CHECK(without.result.series_ci95.empty());
  CHECK(without.result.summary.dump() == with.result.summary.dump());
  // SLOs are judged on the series: they are built for them.
  const std::string judged =
      yaml + "slo:\n  - {name: fast, metric: latency_p99, scope: page.only.view, max: 1s}\n";
  const models::Study slo = models::run_study({"judged.yaml", judged, std::nullopt, {}}, files,
                                              options, models::python_words());
  CHECK(!slo.result.series_mean.empty());
}

TEST_CASE("run_study refuses before simulating, and --force runs it anyway") {
  const std::string yaml =
      testing::one_page_shop("name: forced\nduration: 10m\nbucket: 1ms\ntraffic: {rate: 5}\n",
                             "web", "  web: {type: server_pool, instances: 2, service: 100ms}\n");
  const models::ScenarioSource source{"forced.yaml", yaml, std::nullopt, {}};
  models::StudyOptions options;
  options.threads = 1;
  options.max_memory = "64M";
  models::ScenarioFiles files;
  try {
    models::run_study(source, files, options, models::command_line_words());
    FAIL("not refused");
  } catch (const models::ScenarioError& e) {
    CHECK(e.location() == "forced.yaml");
    CHECK(std::string(e.what()).find("more than --max-memory (64.0 MB)") != std::string::npos);
  }
  options.force = true;
  models::ScenarioFiles again;
  const models::Study study =
      models::run_study(source, again, options, models::command_line_words());
  CHECK(study.result.summary["sessions"]["started"].get<double>() > 2000);

  options.max_memory = "lots";
  models::ScenarioFiles third;
  CHECK_THROWS_WITH_AS(models::run_study(source, third, options, models::python_words()),
                       "max_memory must be a size: bytes, or a number with K, M or G (e.g. 8G), "
                       "found 'lots'",
                       models::StudyOptionError);
}

TEST_CASE("sizes, times and counts read as people write them") {
  CHECK(models::format_bytes(512) == "512 bytes");
  CHECK(models::format_bytes(1.5 * 1024 * 1024 * 1024) == "1.5 GB");
  CHECK(models::format_seconds(42) == "42 s");
  CHECK(models::format_seconds(3 * 3600 + 720) == "3.2 h");
  CHECK(models::format_count(54.1e6) == "54.1 M");
  // Where one decimal rounds up, the next unit: bench/mm1.yaml's million sessions.
  CHECK(models::format_count(999'999.0) == "1.0 M");
  CHECK(models::format_count(999'940.0) == "999.9 k");
  CHECK(models::format_count(999.96e6) == "1.0 G");
  CHECK(models::default_max_memory() > 0.0);
}
