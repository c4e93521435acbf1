// Tests for clock times: `start`, time points written as "HH:MM[:SS]" at every key that
// takes one (profile points, spikes, outages, cold starts, CSV rows, window), their
// resolution across midnight, and every error they can raise.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "models/loader/scenario_loader.hpp"
#include "models/services/cache.hpp"
#include "models/services/payment_gateway.hpp"
#include "models/services/service_types.hpp"
#include "models/yaml/clock.hpp"
#include "models/yaml/scenario_error.hpp"
#include "tests/cpp/scenario_failure.hpp"

using namespace surgesim::models;
using surgesim::testing::at;
using surgesim::testing::failure_of;

namespace {

constexpr double kHour = 3600.0;

StartClock start_at(const std::string& text) {
  const auto start = parse_start(text);
  REQUIRE(start);
  return *start;
}

// A scenario with `top` (start, duration, window...) before a traffic map `traffic`
// and one web tier whose outages are `outages`.
std::string shop(const std::string& top, const std::string& traffic,
                 const std::string& outages = "") {
  return "name: clock\n" + top + "traffic:\n" + traffic +
         "journeys:\n  only:\n    share: 1\n    pages:\n      view: {call: web, next: {exit: "
         "1}}\nservices:\n  web: {type: server_pool, instances: 2, service: 10ms" +
         (outages.empty() ? "" : ", outages: " + outages) + "}\n";
}

Scenario load(const std::string& text, const std::vector<Override>& overrides = {}) {
  return load_scenario_text(text, "test.yaml", overrides);
}

surgesim::testing::Failure failure(const std::string& text,
                                   const std::vector<Override>& overrides = {}) {
  return failure_of([&] { load(text, overrides); }, text);
}

// A scratch directory for CSV files, removed at the end.
struct ScratchDir {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("surgesim-test-clock-" + std::to_string(getpid()));
  ScratchDir() { std::filesystem::create_directories(path); }
  ~ScratchDir() { std::filesystem::remove_all(path); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name) << text;
    return (path / name).string();
  }
};

}  // namespace

TEST_CASE("clock times: parsing") {
  CHECK(parse_clock("00:00") == 0);
  CHECK(parse_clock("23:50") == 23 * 3600 + 50 * 60);
  CHECK(parse_clock("9:05") == 9 * 3600 + 5 * 60);
  CHECK(parse_clock("00:10:30") == 630);
  for (const char* bad : {"24:00", "23:60", "12:5", "12:00:60", "1:2:3", "123:00", "12", "", ":30",
                          "12:30:", "-1:00", "12:3a"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_clock(bad));
  }
  CHECK(looks_like_clock("25:00"));
  CHECK(looks_like_clock("23:50"));
  CHECK_FALSE(looks_like_clock("2h10m"));
  CHECK_FALSE(looks_like_clock("7800"));
}

TEST_CASE("clock times: start with and without a date") {
  const StartClock plain = start_at("22:00");
  CHECK(plain.text == "22:00");
  CHECK(plain.seconds_of_day == 22 * 3600);
  CHECK(plain.date.empty());
  const StartClock dated = start_at("2024-11-10 22:00");
  CHECK(dated.text == "2024-11-10 22:00");
  CHECK(dated.date == "2024-11-10");
  CHECK(dated.seconds_of_day == 22 * 3600);
  CHECK(start_at("2024-02-29 06:30:15").text == "2024-02-29 06:30:15");
  for (const char* bad : {"2023-02-29 22:00", "2024-13-01 22:00", "2024-11-10", "24:00",
                          "2024/11/10 22:00", "22h", "2024-11-10T22:00"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_start(bad));
  }
}

TEST_CASE("clock times: the first moment at or after a point that shows them") {
  const StartClock start = start_at("22:00");
  CHECK(resolve_clock(start, 22 * 3600, 0.0, false) == 0.0);
  CHECK(resolve_clock(start, 22 * 3600, 0.0, true) == 24 * kHour);
  CHECK(resolve_clock(start, 0, 0.0, false) == 2 * kHour);              // midnight
  CHECK(resolve_clock(start, 10 * 60, 0.0, false) == 2 * kHour + 600);  // 00:10 is 2h10m
  CHECK(resolve_clock(start, 21 * 3600, 0.0, false) == 23 * kHour);
  // After a point: the next day when the clock time has passed.
  CHECK(resolve_clock(start, 23 * 3600, 2 * kHour, true) == 25 * kHour);
  CHECK(resolve_clock(start, 30 * 60, 90.5, true) == 2 * kHour + 1800);
  CHECK(clock_text(start, 2 * kHour + 600, false) == "00:10");
  CHECK(clock_text(start, 26 * kHour, false) == "00:00");
  CHECK(clock_text(start, 90, true) == "22:01:30");
  CHECK(clock_text(start, 3599.9999999, true) == "23:00:00");
}

TEST_CASE("clock times at every key that takes a time point") {
  const Scenario s = load(shop("start: \"22:00\"\nduration: 4h\nwindow: {from: 23:50, to: 00:30}\n",
                               "  profile:\n    - {at: 22:00, rate: 5}\n"
                               "    - {at: \"23:59\", rate: 5}\n    - {at: 00:00, rate: 50}\n"
                               "    - {at: 01:30:30, rate: 10}\n"
                               "  spikes: [{at: 00:00, peak: 10, rise: 1m, decay: 5m}]\n",
                               "[{at: 00:10, for: 15m}, {at: 2h30m, for: 1m}]"));
  REQUIRE(s.start);
  CHECK(s.start->text == "22:00");
  // Unquoted 23:50 is the text "23:50" (YAML 1.2), not the sexagesimal number 1430.
  REQUIRE(s.window);
  CHECK(s.window->from == 1 * kHour + 50 * 60);
  CHECK(s.window->to == 2 * kHour + 30 * 60);
  REQUIRE(s.traffic.profile.size() == 4);
  CHECK(s.traffic.profile[0].at == 0.0);
  CHECK(s.traffic.profile[1].at == 1 * kHour + 59 * 60);
  CHECK(s.traffic.profile[2].at == 2 * kHour);
  CHECK(s.traffic.profile[3].at == 3 * kHour + 30 * 60 + 30);
  CHECK(s.traffic.spikes.at(0).at == 2 * kHour);
  const std::vector<OutageConfig>& outages = s.services.at(0).outages;
  REQUIRE(outages.size() == 2);
  CHECK(outages[0].at == 2 * kHour + 600);
  CHECK(outages[1].at == 2.5 * kHour);  // offsets keep working beside clock times
}

TEST_CASE("clock times: cold starts and provider outages") {
  const Scenario s = load(
      "name: clock\nstart: \"2024-11-10 22:00\"\nduration: 4h\ntraffic: {rate: 1}\n"
      "journeys:\n  only:\n    share: 1\n    pages:\n      view: {call: cache, next: {pay: 0.5, "
      "exit: 0.5}}\n"
      "      pay: {call: pay, next: {exit: 1}}\n"
      "services:\n  cache: {type: cache, hit_ratio: 0.9, hit: 1ms, miss: {to: db}, "
      "cold: [{at: 23:55, warmup: 20m}]}\n"
      "  db: {type: database, connections: 4, query: 5ms, outages: [{at: \"00:01\", for: 1m}]}\n"
      "  pay: {type: payment_gateway, providers: [{name: a, share: 1, latency: 1s, "
      "outages: [{at: 00:10, for: 15m}]}]}\n");
  CHECK(s.start->text == "2024-11-10 22:00");
  CHECK(std::get<CacheConfig>(s.services[0].type).cold.at(0).at == 1 * kHour + 55 * 60);
  CHECK(s.services[1].outages.at(0).at == 2 * kHour + 60);
  CHECK(std::get<PaymentGatewayConfig>(s.services[2].type).providers.at(0).outages.at(0).at ==
        2 * kHour + 600);
}

TEST_CASE("clock times: --set window.from=23:50 and a flow list of outages") {
  const Scenario s = load(shop("start: \"22:00\"\nduration: 4h\n", "  rate: 5\n"),
                          {parse_override("window.from=23:50"),
                           parse_override("services.web.outages=[{at: \"00:10\", for: 15m}]")});
  REQUIRE(s.window);
  CHECK(s.window->from == 1 * kHour + 50 * 60);
  CHECK(s.window->to == 4 * kHour);  // `to` defaults to the duration
  CHECK(s.services.at(0).outages.at(0).at == 2 * kHour + 600);
}

TEST_CASE("clock times: errors") {
  // Without `start`, a clock time says to add it.
  CHECK_FAILURE(failure(shop("duration: 4h\n", "  rate: 5\n", "[{at: 00:10, for: 1m}]")),
                at(11, 72), "services.web.outages[0].at", "'00:10' is a clock time",
                "add e.g. `start: \"22:00\"`", "or write an offset from the start");
  CHECK_FAILURE(
      failure(shop("duration: 4h\n", "  rate: 5\n"), {parse_override("window.from=23:50")}),
      "--set window.from=23:50", "window.from", "'23:50' is a clock time",
      "needs the scenario's start");
  CHECK_FAILURE(
      failure(shop("start: \"22:00\"\nduration: 4h\n", "  rate: 5\n", "[{at: 24:10, for: 1m}]")),
      at(12, 72), "services.web.outages[0].at",
      "expected a time point: a clock time HH:MM or HH:MM:SS (hours 00-23)", "found \"24:10\"");
  // A profile point that would land more than 12 h after the previous one.
  CHECK_FAILURE(failure(shop("start: \"22:00\"\nduration: 4h\n",
                             "  profile:\n    - {at: 22:00, rate: 5}\n"
                             "    - {at: 23:00, rate: 5}\n    - {at: 22:30, rate: 5}\n")),
                at(8, 12), "traffic.profile[2].at", "points out of order",
                "the clock time \"22:30\" comes 23h30m after the previous point",
                "(23:00 = 1h from the start)", "more than 12 h");
  CHECK_FAILURE(failure(shop("start: \"22:00\"\nduration: 4h\n",
                             "  profile:\n    - {at: 1h, rate: 5}\n    - {at: 30m, rate: 5}\n")),
                at(7, 12), "traffic.profile[1].at",
                "expected a time after the previous point's (23:00 = 1h from the start",
                "found \"30m\"");
  // `start` itself.
  for (const char* bad : {"\"2023-02-29 22:00\"", "\"24:00\"", "22h", "[22, 0]"}) {
    CAPTURE(bad);
    CHECK_FAILURE(failure(shop(std::string("start: ") + bad + "\nduration: 4h\n", "  rate: 5\n")),
                  at(2, 8), "start", "expected the shop's local time when the run starts",
                  "\"HH:MM\" or \"YYYY-MM-DD HH:MM\"");
  }
}

TEST_CASE("window: errors") {
  const std::string top = "start: \"22:00\"\nduration: 4h\n";
  CHECK_FAILURE(failure(shop(top + "window: {from: 02:00}\n", "  rate: 5\n")), at(4, 16),
                "window.from", "before the end of the scenario (its duration: 02:00 (4h from",
                "found \"02:00\" = 02:00 (4h from the start)");
  CHECK_FAILURE(failure(shop(top + "window: {from: 23:50, to: 02:30}\n", "  rate: 5\n")), at(4, 27),
                "window.to", "no later than the end of the scenario",
                "found \"02:30\" = 02:30 (4h30m from the start)",
                "a clock time means the first moment after the window's from");
  CHECK_FAILURE(failure(shop(top + "window: {from: 1h, to: 30m}\n", "  rate: 5\n")), at(4, 24),
                "window.to", "expected a time point after the window's from (23:00 (1h from",
                "found \"30m\" = 22:30 (30m from the start)");
  CHECK_FAILURE(
      failure(shop(top + "window: {from: 23:50, to: 00:30}\nwarmup: 40m\n", "  rate: 5\n")),
      at(5, 9), "warmup", "a warm-up shorter than the window (40m;",
      "counts from the window's from");
  CHECK_FAILURE(failure(shop(top + "window: {from: 1h, until: 2h}\n", "  rate: 5\n")), at(4, 20),
                "window.until", "unknown key 'until'", "known keys: from, to");
  CHECK_FAILURE(failure(shop(top + "window: 1h\n", "  rate: 5\n")), at(4, 9), "window",
                "expected a map with 'from' and 'to'");
}

TEST_CASE("CSV rows: clock times across midnight with start, offsets without") {
  const ScratchDir dir;
  dir.write("night.csv", "t,rate\n22:00,5\n23:59,6\n00:00,50\n00:00:30,40\n01:59,7\n");
  const std::string top = "duration: 4h\n";
  const std::string traffic = "  csv: " + (dir.path / "night.csv").string() + "\n";
  const Scenario clock = load(shop("start: \"22:00\"\n" + top, traffic));
  REQUIRE(clock.traffic.steps.size() == 5);
  CHECK(clock.traffic.steps[0].at == 0.0);
  CHECK(clock.traffic.steps[1].at == 1 * kHour + 59 * 60);
  CHECK(clock.traffic.steps[2].at == 2 * kHour);
  CHECK(clock.traffic.steps[3].at == 2 * kHour + 30);
  CHECK(clock.traffic.steps[4].at == 3 * kHour + 59 * 60);

  // Without start, HH:MM is an offset and hours may exceed 23; durations are offsets.
  dir.write("offsets.csv", "t,rate\n0,5\n00:30,6\n1h,7\n25:30,8\n");
  const Scenario offsets =
      load(shop("duration: 30h\n", "  csv: " + (dir.path / "offsets.csv").string() + "\n"));
  REQUIRE(offsets.traffic.steps.size() == 4);
  CHECK(offsets.traffic.steps[1].at == 1800.0);
  CHECK(offsets.traffic.steps[2].at == kHour);
  CHECK(offsets.traffic.steps[3].at == 25.5 * kHour);

  // With start, seconds and durations stay offsets beside clock times.
  dir.write("mixed.csv", "t,rate\n0,5\n23:00,6\n1h30m,7\n00:00,8\n");
  const Scenario mixed =
      load(shop("start: \"22:00\"\n" + top, "  csv: " + (dir.path / "mixed.csv").string() + "\n"));
  CHECK(mixed.traffic.steps[1].at == kHour);
  CHECK(mixed.traffic.steps[2].at == 1.5 * kHour);
  CHECK(mixed.traffic.steps[3].at == 2 * kHour);
}

TEST_CASE("CSV rows: errors with start") {
  const ScratchDir dir;
  struct Case {
    std::string text, where;
    std::vector<std::string> words;
  };
  const std::vector<Case> cases = {
      {"t,rate\n22:00,5\n23:00,6\n22:30,7\n",
       "4:1",
       {"rows out of order: the clock time '22:30' comes 23h30m after the previous row",
        "(23:00 = 1h from the start)"}},
      {"t,rate\n00:00,5\n25:30,6\n",
       "3:1",
       {"expected a time t (a clock time HH:MM or HH:MM:SS with hours 00-23", "found '25:30'",
        "must be converted to clock times"}},
      {"t,rate\n22:00,5\n3600,6\n1800,7\n",
       "4:1",
       {"expected a time after the previous row's (23:00 = 1h from the start",
        "found '1800' = 30m"}},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    const std::string csv = dir.write("bad.csv", c.text);
    const surgesim::testing::Failure f =
        failure(shop("start: \"22:00\"\nduration: 4h\n", "  csv: " + csv + "\n"));
    CHECK(f.location == csv + ":" + c.where);
    CHECK(f.path == "traffic.csv");
    for (const std::string& w : c.words) CHECK_MESSAGE(f.problem.find(w) != std::string::npos, w);
  }
}

TEST_CASE("clock times stay text in the scenario as simulated (result files)") {
  // yaml-cpp drops quotes; a YAML 1.1 reader would take an unquoted 23:50 for 1430.
  const Scenario s = load(shop("start: 22:00\nduration: 4h\n", "  rate: 5\n"),
                          {parse_override("window.from=23:50")});
  CHECK(s.resolved_text.find("start: \"22:00\"") != std::string::npos);
  CHECK(s.resolved_text.find("from: \"23:50\"") != std::string::npos);
  CHECK(s.resolved_text.find("duration: 4h") != std::string::npos);
}
