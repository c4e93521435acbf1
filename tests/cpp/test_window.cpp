// Simulating a window of a scenario: the arrivals against the integral of the rate over
// the window, the same run as a file trimmed to the window (identical, same seed), a
// shifted file with crashes (within confidence intervals), outages that began before
// the window, bucket alignment, and SLO ranges on the clock.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "models/sessions/traffic_rate.hpp"
#include "models/slo.hpp"
#include "sim/confidence.hpp"
#include "tests/cpp/scenario_runner.hpp"

using namespace surgesim;
using testing::check_in_ci;
using testing::per_replication;
using testing::run_yaml;

namespace {

constexpr double kFrom = 6600.0;  // 23:50 with start 22:00
constexpr double kTo = 9000.0;    // 00:30

// A scratch directory for traffic files, removed at the end.
struct ScratchDir {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("surgesim-test-window-" + std::to_string(getpid()));
  ScratchDir() { std::filesystem::create_directories(path); }
  ~ScratchDir() { std::filesystem::remove_all(path); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name) << text;
    return (path / name).string();
  }
};

// Per-minute rates 22:00-01:59 on the clock: 4/s, rising to 12/s at midnight, then 6/s.
// Rows from `first_minute` (minutes after 22:00) on.
std::string night_csv(int first_minute) {
  std::string text = "t,rate\n";
  for (int m = first_minute; m < 240; ++m) {
    const double rate = m < 120 ? 4.0 + 0.02 * m : (m < 150 ? 12.0 : 6.0);
    text += fmt::format("{:02}:{:02},{}\n", (22 + m / 60) % 24, m % 60, rate);
  }
  return text;
}

// A shop with every kind of service, outages, a cold start and a spike after 23:50, and
// an autoscaled web tier that starts at its minimum (so that the empty hours before the
// window cannot scale it in). `top` holds duration, window and warm-up; `csv` the
// traffic file.
std::string night_shop(const std::string& top, const std::string& csv) {
  return "name: night\nstart: \"22:00\"\nbucket: 1m\nseed: 11\nreplications: 3\n" + top +
         "traffic:\n  csv: " + csv +
         "\n  spikes: [{at: \"00:00\", peak: 20, rise: 1m, decay: 5m}]\n" + R"(journeys:
  buyer:
    share: 1
    think: {dist: exponential, mean: 5s}
    patience: {dist: exponential, mean: 4s}
    pages:
      home: {call: web, next: {pay: 0.3, exit: 0.7}}
      pay: {call: checkout, next: {exit: 1}, order: {value: 100}}
services:
  web:
    type: server_pool
    instances: 2
    workers: 4
    service: {dist: exponential, mean: 60ms}
    calls: [{to: cache}]
    autoscale: {target: 0.6, min: 2, max: 8, interval: 1m, delay: 30s}
    outages: [{at: "00:05", for: 2m, instances: 1}]
  cache: {type: cache, hit_ratio: 0.8, hit: 1ms, miss: {to: db}, cold: [{at: "00:10", warmup: 5m}]}
  db: {type: database, connections: 4, query: {dist: exponential, mean: 20ms}}
  checkout:
    type: payment_gateway
    providers:
      - {name: a, share: 1, latency: {dist: exponential, mean: 300ms}, decline: 0.1,
         outages: [{at: "00:20", for: 3m}]}
slo:
  - {name: drops, metric: drop_rate, scope: all, max: 0.02}
)";
}

const models::SeriesTable& mean_table(const models::ExperimentResult& r, const std::string& path) {
  for (const auto& t : r.series_mean) {
    if (t.path == path) return t;
  }
  FAIL("no table " << path);
  throw std::logic_error("unreachable");
}

// A one-page shop served by an ample pool, traffic `traffic`, top-level keys `top`.
std::string ample_shop(const std::string& top, const std::string& traffic,
                       const std::string& web_extra = "", const std::string& service = "10ms") {
  return "name: ample\n" + top + "traffic:\n" + traffic + R"(journeys:
  only:
    share: 1
    pages:
      view: {call: web, next: {exit: 1}}
services:
  web: {type: server_pool, instances: 4, workers: 50, service: )" +
         service + web_extra + "}\n";
}

}  // namespace

TEST_CASE("a window's arrivals follow the integral of the rate over the window") {
  const std::string traffic =
      "  profile: [{at: \"22:00\", rate: 2}, {at: \"23:59\", rate: 4}, {at: \"00:00\", rate: 10},"
      " {at: \"01:00\", rate: 3}]\n  spikes: [{at: \"00:10\", peak: 6, rise: 2m, decay: 3m}]\n";
  const std::string yaml = ample_shop(
      "start: \"22:00\"\nduration: 4h\nwindow: {from: \"23:50\", to: \"00:30:30\"}\n"
      "replications: 30\nseed: 5\n",
      traffic);
  const models::Scenario scenario = models::load_scenario_text(yaml, "test.yaml");
  const double to = kTo + 30.0;
  const double exact = models::RateFunction(scenario.traffic).integral(kFrom, to);
  const auto result = models::run_experiment(scenario);
  check_in_ci(per_replication(result, "/sessions/started"), exact, "sessions in the window");

  // Buckets start at the window's from; the last one is partial; the traffic table's
  // rate is the mean of lambda over each bucket.
  const models::SeriesTable& t = mean_table(result, "timeseries/traffic");
  const std::vector<double>& starts = *t.column("t_s");
  const std::vector<double>& rates = *t.column("rate");
  REQUIRE(starts.size() == 41);
  for (std::size_t k = 0; k < starts.size(); ++k) {
    CHECK(starts[k] == kFrom + 60.0 * static_cast<double>(k));
    const double end = std::min(starts[k] + 60.0, to);
    CHECK(rates[k] ==
          doctest::Approx(models::RateFunction(scenario.traffic).integral(starts[k], end) /
                          (end - starts[k])));
  }
  CHECK(result.summary["window"]["from_s"] == kFrom);
  CHECK(result.summary["window"]["to_s"] == to);
  CHECK(result.summary["duration_s"] == 4 * 3600.0);
  CHECK(result.summary["start"] == "22:00");
}

TEST_CASE("a window runs as the file trimmed to it: identical with the same seed") {
  const ScratchDir dir;
  const std::string full = dir.write("full.csv", night_csv(0));
  const std::string trimmed = dir.write("trimmed.csv", night_csv(110));  // from 23:50
  const auto windowed = run_yaml(
      night_shop("duration: 4h\nwindow: {from: \"23:50\", to: \"00:30\"}\nwarmup: 5m\n", full));
  // The trimmed file: no traffic before 23:50 (a CSV's rate is 0 before its first row),
  // statistics from 23:55, the run stopped at 00:30.
  const auto whole = run_yaml(night_shop("duration: 2h30m\nwarmup: 1h55m\n", trimmed));

  models::Json a = windowed.summary, b = whole.summary;
  CHECK(a["window"] == models::Json({{"from_s", kFrom}, {"to_s", kTo}}));
  CHECK(a["warmup_s"] == 300.0);
  CHECK(b["warmup_s"] == 6900.0);
  for (const char* field : {"window", "warmup_s", "duration_s"}) {
    a.erase(field);
    b.erase(field);
  }
  CHECK(a["sessions"]["started"].get<double>() > 1000.0);  // a real run, not two empty ones
  CHECK(a["slo"][0]["failed_buckets"].get<int>() > 0);     // the outages show
  CHECK(a.dump(1) == b.dump(1));

  // Time series: the window's rows are the trimmed run's rows from 23:50 on.
  for (const models::SeriesTable& w : windowed.series_mean) {
    const models::SeriesTable& t = mean_table(whole, w.path);
    const std::size_t skip = t.rows() - w.rows();
    CHECK(skip == 110);
    for (std::size_t c = 0; c < w.columns.size(); ++c) {
      CAPTURE(w.path);
      CAPTURE(w.columns[c]);
      for (std::size_t k = 0; k < w.rows(); ++k) {
        const double x = w.data[c][k], y = t.data[c][k + skip];
        if (w.path == "timeseries/traffic" && w.columns[c] == "rate") {
          // The mean of lambda, integrated from time 0: the two files round differently.
          CHECK(x == doctest::Approx(y).epsilon(1e-12));
        } else {
          CHECK(((std::isnan(x) && std::isnan(y)) || x == y));
        }
      }
    }
  }
}

TEST_CASE("a window with crashes matches the file shifted to start at its from, within CI") {
  // Every time is shifted by the window's from; the shifted times round differently, so
  // the runs drift apart and must agree in distribution. Crash and repair times are
  // drawn from the start of the simulated span.
  const std::string web_extra = ", crashes: {mtbf: 5m, mttr: 1m}";
  const std::string service = "{dist: exponential, mean: 1s}";
  const std::string top = "replications: 40\nseed: 3\n";
  const auto windowed = run_yaml(ample_shop(
      top + "start: \"22:00\"\nduration: 3h\nwindow: {from: \"23:30\", to: \"00:00\"}\n",
      "  profile: [{at: \"23:30\", rate: 20}, {at: \"23:45\", rate: 60}]\n", web_extra, service));
  const auto shifted = run_yaml(ample_shop(top + "duration: 30m\n",
                                           "  profile: [{at: 0, rate: 20}, {at: 15m, rate: 60}]\n",
                                           web_extra, service));
  for (const std::string pointer :
       {"/sessions/started", "/sessions/by_cause/error", "/services/web/mean_instances"}) {
    CAPTURE(pointer);
    const sim::MeanCI a = sim::mean_ci(per_replication(windowed, pointer), 0.999);
    const sim::MeanCI b = sim::mean_ci(per_replication(shifted, pointer), 0.999);
    INFO("window " << a.mean << " ± " << a.half_width << ", shifted " << b.mean << " ± "
                   << b.half_width);
    CHECK(a.half_width > 0.0);
    CHECK(a.half_width < 0.25 * a.mean);  // narrow enough to tell a wrong model apart
    CHECK(std::abs(a.mean - b.mean) <= std::hypot(a.half_width, b.half_width));
  }
}

TEST_CASE("an outage that began before the window holds at its start, one over before is gone") {
  const auto result = run_yaml(ample_shop(
      "start: \"22:00\"\nduration: 4h\nwindow: {from: \"23:50\", to: \"00:05\"}\n", "  rate: 20\n",
      ", outages: [{at: \"23:40\", for: 15m}, {at: \"23:00\", for: 50m}]"));
  const models::SeriesTable& drops = mean_table(result, "sessions/drops");
  const std::vector<double>& outage = *drops.column("outage");
  const std::vector<double>& starts = *drops.column("t_s");
  REQUIRE(starts.size() == 15);
  for (std::size_t k = 0; k < starts.size(); ++k) {
    CAPTURE(starts[k]);
    // 23:50-23:55: every session ends on the outage; none after.
    if (starts[k] < kFrom + 300.0) {
      CHECK(outage[k] > 600.0);
    } else {
      CHECK(outage[k] == 0.0);
    }
  }
}

TEST_CASE("SLO failing ranges count from time 0 of the scenario and read on the clock") {
  const std::string top = "start: \"22:00\"\nduration: 4h\nseed: 2\n";
  const std::string slo = "slo: [{name: up, metric: drop_rate, scope: all, max: 0.5}]\n";
  for (const std::string window : {"", "window: {from: \"23:50\", to: \"00:30\"}\n"}) {
    CAPTURE(window);
    const auto result = run_yaml(
        ample_shop(top + window + slo, "  rate: 5\n", ", outages: [{at: \"00:10\", for: 2m}]"));
    const models::Json& up = result.summary["slo"][0];
    CHECK(up["failed_ranges"] == models::Json::parse("[[7800.0, 7920.0]]"));
    CHECK(up["failed_clock"] == models::Json::parse(R"([["00:10", "00:12"]])"));
  }
  // Without start there is no clock.
  const auto plain = run_yaml(
      ample_shop("duration: 3h\n" + slo, "  rate: 5\n", ", outages: [{at: 2h10m, for: 2m}]"));
  CHECK(plain.summary["slo"][0]["failed_ranges"] == models::Json::parse("[[7800.0, 7920.0]]"));
  CHECK_FALSE(plain.summary["slo"][0].contains("failed_clock"));
  CHECK_FALSE(plain.summary.contains("start"));
  CHECK_FALSE(plain.summary.contains("window"));
}

TEST_CASE("failed_clock: seconds when a bound is off the minute of the clock") {
  const auto start = models::parse_start("23:59:30");
  REQUIRE(start);
  CHECK(models::clock_ranges(*start, models::Json::parse("[[30, 90], [600, 645]]")) ==
        models::Json::parse(R"([["00:00:00", "00:01:00"], ["00:09:30", "00:10:15"]])"));
  const auto whole = models::parse_start("22:00");
  CHECK(models::clock_ranges(*whole, models::Json::parse("[[7200, 7320]]")) ==
        models::Json::parse(R"([["00:00", "00:02"]])"));
}
