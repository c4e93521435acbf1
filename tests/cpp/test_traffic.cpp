// Tests for the traffic model: lambda(t) against hand values and quadrature, the
// arrival process against the Poisson law of its integrated rate (counts, dispersion,
// and where in a window the arrivals fall), and every error of the traffic loader.
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>
#include <vector>

#include "models/loader/scenario_loader.hpp"
#include "models/sessions/traffic_rate.hpp"
#include "models/sessions/traffic_source.hpp"
#include "models/yaml/scenario_error.hpp"
#include "tests/cpp/scenario_failure.hpp"

using namespace surgesim::models;
using surgesim::sim::kForever;
using surgesim::sim::RandomStream;
using surgesim::testing::at;
using surgesim::testing::Failure;
using surgesim::testing::failure_of;

namespace {

// Two-sided 99.9% normal quantile, and the 99.9% Kolmogorov-Smirnov constant
// sqrt(-ln(0.0005) / 2) (the critical D is it / sqrt(n) for large n).
constexpr double kZ999 = 3.2905267314919;
constexpr double kKs999 = 1.9494746752836;

TrafficConfig profile_config(std::vector<RatePoint> points, std::vector<Spike> spikes = {},
                             double scale = 1.0) {
  TrafficConfig c;
  c.base = TrafficConfig::Base::profile;
  c.profile = std::move(points);
  c.spikes = std::move(spikes);
  c.scale = scale;
  return c;
}

TrafficConfig csv_config(std::vector<RatePoint> steps, std::vector<Spike> spikes = {},
                         double scale = 1.0) {
  TrafficConfig c;
  c.base = TrafficConfig::Base::csv;
  c.steps = std::move(steps);
  c.spikes = std::move(spikes);
  c.scale = scale;
  return c;
}

TrafficConfig rate_config(double rate, std::vector<Spike> spikes = {}, double scale = 1.0) {
  TrafficConfig c;
  c.rate = rate;
  c.spikes = std::move(spikes);
  c.scale = scale;
  return c;
}

// Composite Simpson over [a, b], split at `cuts` so that every part is smooth.
double simpson(const RateFunction& f, double a, double b, std::vector<double> cuts) {
  cuts.push_back(a);
  cuts.push_back(b);
  std::sort(cuts.begin(), cuts.end());
  double total = 0.0;
  for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
    const double lo = std::max(a, cuts[i]), hi = std::min(b, cuts[i + 1]);
    if (hi <= lo) continue;
    constexpr int kN = 2000;  // even
    const double h = (hi - lo) / kN;
    // Sample strictly inside the part: at a csv step lambda jumps, and the part's
    // integrand is the continuous piece, whose end values are limits.
    const auto g = [&](int k) {
      const double t = lo + k * h;
      return f.rate(std::clamp(t, lo + 1e-9 * (hi - lo), hi - 1e-9 * (hi - lo)));
    };
    double sum = g(0) + g(kN);
    for (int k = 1; k < kN; ++k) sum += (k % 2 ? 4.0 : 2.0) * g(k);
    total += sum * h / 3.0;
  }
  return total;
}

// Arrival times from `from` until `until` of one replication.
std::vector<double> arrivals(const TrafficConfig& c, std::uint64_t r, double from, double until) {
  TrafficSource source(c, RandomStream(2024, r, "traffic.arrivals"));
  std::vector<double> times;
  for (double t = source.next_arrival(from); t < until; t = source.next_arrival(t)) {
    times.push_back(t);
  }
  return times;
}

struct Window {
  double from, to;
};

// Over R replications, the count in each window has mean and variance integral(lambda)
// (Poisson): the mean count lies within its 99.9% interval, and the sample variance
// within the 99.9% interval of (R - 1) s^2 / mu ~ chi-square(R - 1) (normal approx.).
void check_counts(const TrafficConfig& c, const std::vector<Window>& windows, double start,
                  double until, int replications) {
  const RateFunction f(c);
  std::vector<double> sum(windows.size()), sum_sq(windows.size());
  for (int r = 0; r < replications; ++r) {
    const std::vector<double> times = arrivals(c, static_cast<std::uint64_t>(r), start, until);
    CHECK(std::is_sorted(times.begin(), times.end()));
    for (std::size_t w = 0; w < windows.size(); ++w) {
      const auto lo = std::lower_bound(times.begin(), times.end(), windows[w].from);
      const auto hi = std::lower_bound(times.begin(), times.end(), windows[w].to);
      const double n = static_cast<double>(hi - lo);
      sum[w] += n;
      sum_sq[w] += n * n;
    }
  }
  const double R = replications;
  for (std::size_t w = 0; w < windows.size(); ++w) {
    const double mu = f.integral(windows[w].from, windows[w].to);
    const double mean = sum[w] / R;
    const double variance = (sum_sq[w] - R * mean * mean) / (R - 1.0);
    CAPTURE(windows[w].from);
    CAPTURE(windows[w].to);
    CAPTURE(mu);
    CAPTURE(mean);
    CAPTURE(variance);
    if (mu == 0.0) {  // lambda is 0 in the window: no arrival at all
      CHECK(sum[w] == 0);
      continue;
    }
    CHECK(std::abs(mean - mu) <= kZ999 * std::sqrt(mu / R));
    CHECK(std::abs(variance / mu - 1.0) <= kZ999 * std::sqrt(2.0 / (R - 1.0)));
  }
}

// Given the count, arrivals in [a, b] are independent with density lambda / Lambda, so
// u = integral(a, t) / integral(a, b) is uniform: KS test at 99.9% on the pooled u.
void check_shape(const TrafficConfig& c, double a, double b, int replications) {
  const RateFunction f(c);
  const double total = f.integral(a, b);
  std::vector<double> u;
  for (int r = 0; r < replications; ++r) {
    for (const double t : arrivals(c, static_cast<std::uint64_t>(r) + 100'000, 0.0, b)) {
      if (t >= a) u.push_back(f.integral(a, t) / total);
    }
  }
  std::sort(u.begin(), u.end());
  const double n = static_cast<double>(u.size());
  double d = 0.0;
  for (std::size_t i = 0; i < u.size(); ++i) {
    d = std::max({d, (i + 1) / n - u[i], u[i] - i / n});
  }
  CAPTURE(n);
  CHECK(n > 1000);
  CHECK(d <= kKs999 / std::sqrt(n));
}

}  // namespace

// --- lambda(t) -----------------------------------------------------------------------

TEST_CASE("a constant rate") {
  const RateFunction f(rate_config(40.0, {}, 1.5));
  CHECK(f.rate(0.0) == doctest::Approx(60.0));
  CHECK(f.rate(1e6) == doctest::Approx(60.0));
  CHECK(f.integral(10.0, 20.0) == doctest::Approx(600.0));
  CHECK(f.integral(20.0, 10.0) == doctest::Approx(-600.0));
  CHECK(f.peak(0.0, 100.0) == doctest::Approx(60.0));
}

TEST_CASE("a profile: linear between points, constant outside") {
  const RateFunction f(profile_config({{0, 100}, {60, 160}, {120, 40}}));
  CHECK(f.rate(-5) == doctest::Approx(100));
  CHECK(f.rate(0) == doctest::Approx(100));
  CHECK(f.rate(30) == doctest::Approx(130));
  CHECK(f.rate(60) == doctest::Approx(160));
  CHECK(f.rate(90) == doctest::Approx(100));
  CHECK(f.rate(200) == doctest::Approx(40));
  CHECK(f.integral(0, 60) == doctest::Approx(7800));
  CHECK(f.integral(30, 90) == doctest::Approx(4350 + 3900));
  CHECK(f.integral(150, 250) == doctest::Approx(4000));
  CHECK(f.integral(-10, 0) == doctest::Approx(1000));
  CHECK(f.peak(0, 30) == doctest::Approx(130));
  CHECK(f.peak(30, 100) == doctest::Approx(160));
  CHECK(f.peak(100, 500) == doctest::Approx(160 - 120.0 * 40 / 60));

  const RateFunction later(profile_config({{300, 10}, {400, 20}}));
  CHECK(later.rate(0) == doctest::Approx(10));  // constant before the first point
  CHECK(later.integral(0, 300) == doctest::Approx(3000));
}

TEST_CASE("csv steps: constant from each row to the next, 0 before the first") {
  const RateFunction f(csv_config({{10, 50}, {20, 80}, {40, 20}}));
  CHECK(f.rate(5) == 0);
  CHECK(f.rate(10) == doctest::Approx(50));
  CHECK(f.rate(19.99) == doctest::Approx(50));
  CHECK(f.rate(20) == doctest::Approx(80));
  CHECK(f.rate(100) == doctest::Approx(20));
  CHECK(f.integral(0, 30) == doctest::Approx(500 + 800));
  CHECK(f.integral(0, 100) == doctest::Approx(500 + 1600 + 1200));
  CHECK(f.peak(0, 5) == 0);
  CHECK(f.peak(15, 25) == doctest::Approx(80));
  CHECK(f.peak(10, 20) == doctest::Approx(80));  // the value at 20
  CHECK(f.peak(30, 40) == doctest::Approx(80));  // the left limit at 40
  CHECK(f.peak(40, 50) == doctest::Approx(20));
  CHECK(f.peak(41, 50) == doctest::Approx(20));
}

// `surgesim check` says when the peak it estimates at is first reached.
TEST_CASE("the peak's time: the first moment the traffic reaches it") {
  const RateFunction profile(profile_config({{0, 100}, {60, 160}, {120, 40}, {180, 160}}));
  CHECK(profile.peak_at(0, 500).t == 60);  // 160 again at 180: the first is kept
  CHECK(profile.peak_at(70, 500).t == 180);
  CHECK(profile.peak_at(0, 30).t == 30);    // the end, on the rise
  CHECK(profile.peak_at(90, 100).t == 90);  // the start, on the fall
  const RateFunction steps(csv_config({{10, 50}, {20, 80}, {40, 20}}));
  CHECK(steps.peak_at(0, 100).t == 20);
  CHECK(steps.peak_at(30, 40).t == 30);  // 80 from the start (and up to 40)
  const RateFunction constant(rate_config(40.0, {}, 1.5));
  CHECK(constant.peak_at(5, 100).t == 5);
  CHECK(constant.peak_at(5, 100).rate == constant.peak(5, 100));
}

TEST_CASE("spikes: linear rise, exponential decay") {
  const Spike s{100, 200, 10, 30};
  const RateFunction f(rate_config(0.0, {s}));
  CHECK(f.rate(89) == 0);
  CHECK(f.rate(95) == doctest::Approx(100));
  CHECK(f.rate(100) == doctest::Approx(200));
  CHECK(f.rate(130) == doctest::Approx(200 / std::exp(1.0)));
  CHECK(f.integral(90, 100) == doctest::Approx(1000));
  CHECK(f.integral(100, kForever) == doctest::Approx(6000));
  CHECK(f.integral(100, 130) == doctest::Approx(6000 * (1 - 1 / std::exp(1.0))));
  CHECK(f.integral(0, 1e9) == doctest::Approx(7000));
  CHECK(f.peak(0, 200) == doctest::Approx(200));
  CHECK(f.peak(0, 99) == doctest::Approx(180));
  CHECK(f.peak(101, 200) == doctest::Approx(200 * std::exp(-1.0 / 30)));

  const RateFunction step_up(rate_config(5.0, {{50, 100, 0, 10}}));  // rise 0: a jump
  CHECK(step_up.rate(49.999) == doctest::Approx(5));
  CHECK(step_up.rate(50) == doctest::Approx(105));
  CHECK(step_up.peak(40, 50) == doctest::Approx(105));
  CHECK(step_up.peak(40, 49) == doctest::Approx(5));
  CHECK(step_up.integral(0, 50) == doctest::Approx(250));

  const RateFunction cut(rate_config(0.0, {{50, 100, 20, 0}}));  // decay 0: gone after at
  CHECK(cut.rate(50) == doctest::Approx(100));
  CHECK(cut.rate(50.001) == 0);
  CHECK(cut.integral(0, 1000) == doctest::Approx(1000));
  CHECK(cut.peak(51, 60) == 0);
}

TEST_CASE("scale multiplies base and spikes") {
  const std::vector<Spike> spikes = {{100, 200, 10, 30}};
  const RateFunction one(profile_config({{0, 10}, {100, 30}}, spikes));
  const RateFunction scaled(profile_config({{0, 10}, {100, 30}}, spikes, 2.5));
  for (const double t : {0.0, 50.0, 95.0, 100.0, 150.0}) {
    CHECK(scaled.rate(t) == doctest::Approx(2.5 * one.rate(t)));
  }
  CHECK(scaled.integral(0, 300) == doctest::Approx(2.5 * one.integral(0, 300)));
  CHECK(scaled.peak(0, 300) == doctest::Approx(2.5 * one.peak(0, 300)));
  const RateFunction off(profile_config({{0, 10}}, spikes, 0.0));
  CHECK(off.integral(0, 300) == 0);
}

TEST_CASE("integral and peak agree with quadrature and sampling") {
  const std::vector<Spike> spikes = {{150, 60, 20, 25}, {170, 40, 0, 5}, {260, 30, 50, 0}};
  const std::vector<double> profile_cuts = {0, 120, 240, 130, 150, 170, 210, 260};
  const std::vector<double> csv_cuts = {30, 90, 100, 200, 130, 150, 170, 210, 260};
  struct Case {
    TrafficConfig config;
    std::vector<double> cuts;
  };
  const std::vector<Case> cases = {
      {profile_config({{0, 10}, {120, 40}, {240, 20}}, spikes, 1.7), profile_cuts},
      {csv_config({{30, 12}, {90, 50}, {100, 5}, {200, 0}}, spikes, 0.6), csv_cuts},
  };
  for (const Case& c : cases) {
    const RateFunction f(c.config);
    RandomStream windows(7, 0, "test.windows");
    for (int i = 0; i < 200; ++i) {
      double a = -20 + 360 * windows.uniform01(), b = -20 + 360 * windows.uniform01();
      if (a > b) std::swap(a, b);
      CAPTURE(a);
      CAPTURE(b);
      // Simpson on smooth parts: the error is below 1e-9 of the value at this step.
      CHECK(f.integral(a, b) == doctest::Approx(simpson(f, a, b, c.cuts)).epsilon(1e-9));
      // The supremum: no sample exceeds it, and samples just inside every cut reach it.
      double sampled = std::max(f.rate(a), f.rate(b));
      for (int k = 0; k <= 20000; ++k) sampled = std::max(sampled, f.rate(a + (b - a) * k / 20000));
      for (const double cut : c.cuts) {
        for (const double t : {cut - 1e-9, cut}) {
          if (t >= a && t <= b) sampled = std::max(sampled, f.rate(t));
        }
      }
      if (b > a) sampled = std::max(sampled, f.rate(std::nextafter(b, a)));
      CHECK(f.peak(a, b) >= sampled * (1 - 1e-12));
      CHECK(f.peak(a, b) == doctest::Approx(sampled).epsilon(1e-6));
    }
  }
}

// --- the arrival process -------------------------------------------------------------

TEST_CASE("arrival counts follow the Poisson law of the integrated rate") {
  SUBCASE("a profile with a spike, scaled") {
    const TrafficConfig c =
        profile_config({{0, 10}, {120, 40}, {240, 20}}, {{150, 60, 20, 25}}, 1.5);
    check_counts(c, {{0, 60}, {60, 130}, {130, 150}, {150, 175}, {175, 300}, {250, 400}}, 0, 400,
                 2000);
  }
  SUBCASE("csv steps with an instant spike and a cut-off one") {
    const TrafficConfig c =
        csv_config({{30, 12}, {90, 50}, {100, 5}}, {{170, 40, 0, 5}, {260, 30, 50, 0}}, 0.6);
    check_counts(c, {{0, 30}, {30, 90}, {90, 100}, {165, 180}, {210, 261}, {100, 400}}, 0, 400,
                 2000);
  }
  SUBCASE("starting later than 0") {
    const TrafficConfig c = profile_config({{0, 10}, {120, 40}}, {{150, 60, 20, 25}});
    check_counts(c, {{50, 100}, {100, 200}}, 50, 200, 2000);
  }
  SUBCASE("a spike alone: its finite mass, then no more arrivals") {
    const TrafficConfig c = rate_config(0.0, {{20, 30, 10, 4}});
    check_counts(c, {{0, 20}, {20, kForever}}, 0, kForever, 4000);
  }
}

TEST_CASE("arrival times within a window are distributed as lambda") {
  const TrafficConfig profile =
      profile_config({{0, 10}, {120, 40}, {240, 20}}, {{150, 60, 20, 25}}, 1.5);
  check_shape(profile, 100, 250, 200);
  const TrafficConfig csv =
      csv_config({{30, 12}, {90, 50}, {100, 5}}, {{170, 40, 0, 5}, {260, 30, 50, 0}}, 0.6);
  check_shape(csv, 20, 300, 300);
}

TEST_CASE("no arrivals where lambda is 0, kForever when it stays 0") {
  const TrafficConfig closed_first = csv_config({{60, 20}, {120, 0}});
  for (std::uint64_t r = 0; r < 50; ++r) {
    const std::vector<double> times = arrivals(closed_first, r, 0, kForever);
    REQUIRE_FALSE(times.empty());
    CHECK(times.front() >= 60);
    CHECK(times.back() < 120);
  }
  TrafficSource none(rate_config(0.0), RandomStream(1, 0, "traffic.arrivals"));
  CHECK(none.next_arrival(0) == kForever);
  TrafficSource scaled_off(rate_config(50.0, {}, 0.0), RandomStream(1, 0, "traffic.arrivals"));
  CHECK(scaled_off.next_arrival(0) == kForever);
}

TEST_CASE("the same stream gives the same arrivals") {
  const TrafficConfig c = profile_config({{0, 10}, {120, 40}}, {{150, 60, 20, 25}});
  CHECK(arrivals(c, 3, 0, 300) == arrivals(c, 3, 0, 300));
  CHECK(arrivals(c, 3, 0, 300) != arrivals(c, 4, 0, 300));
}

// --- the loader ----------------------------------------------------------------------

namespace {

// A scenario around a traffic section (lines 3.. of the file).
std::string scenario(const std::string& traffic) {
  return "name: t\nduration: 1h\ntraffic:\n" + traffic +
         "journeys:\n  buy:\n    share: 1\n    pages:\n      home: {call: web, next: {exit: "
         "1}}\nservices:\n  web: {type: server_pool, instances: 1, service: 10ms}\n";
}

// A scratch directory that holds the scenario file's neighbours (csv files).
struct ScratchDir {
  std::filesystem::path path;
  ScratchDir() {
    path = std::filesystem::temp_directory_path() /
           ("surgesim-test-traffic-" + std::to_string(::getpid()));
    std::filesystem::create_directories(path / "traffic");
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name, std::ios::binary) << text;
    return (path / name).string();
  }
  std::string scenario_file() const { return (path / "s.yaml").string(); }
};

TrafficConfig load_traffic(const std::string& traffic, const std::string& file = "test.yaml") {
  return load_scenario_text(scenario(traffic), file).traffic;
}

Failure failure(const std::string& traffic, const std::string& file = "test.yaml") {
  return failure_of([&] { load_traffic(traffic, file); }, traffic);
}

}  // namespace

TEST_CASE("the loader reads profile, spikes and scale") {
  const TrafficConfig t = load_traffic(
      "  profile:\n    - {at: 0, rate: 3000/s}\n    - {at: 30m, rate: 180000/m}\n"
      "    - {at: 1h, rate: 5e6/h}\n"
      "  spikes:\n    - {at: 30m, peak: 600/s, rise: 2m, decay: 5m}\n"
      "    - {at: 45m, peak: 10, rise: 0, decay: 90s}\n"
      "  scale: 1.5\n");
  CHECK(t.base == TrafficConfig::Base::profile);
  REQUIRE(t.profile.size() == 3);
  CHECK(t.profile[1].at == doctest::Approx(1800));
  CHECK(t.profile[1].rate == doctest::Approx(3000));
  CHECK(t.profile[2].at == doctest::Approx(3600));
  CHECK(t.profile[2].rate == doctest::Approx(5e6 / 3600));
  REQUIRE(t.spikes.size() == 2);
  CHECK(t.spikes[0].at == doctest::Approx(1800));
  CHECK(t.spikes[0].peak == doctest::Approx(600));
  CHECK(t.spikes[0].rise == doctest::Approx(120));
  CHECK(t.spikes[0].decay == doctest::Approx(300));
  CHECK(t.spikes[1].rise == 0);
  CHECK(t.spikes[1].decay == doctest::Approx(90));
  CHECK(t.scale == doctest::Approx(1.5));

  const TrafficConfig plain = load_traffic("  rate: 180000/m\n");
  CHECK(plain.base == TrafficConfig::Base::rate);
  CHECK(plain.rate == doctest::Approx(3000));
  CHECK(plain.scale == 1.0);
  CHECK(plain.spikes.empty());
  CHECK(load_traffic("  rate: 5\n  spikes: []\n").spikes.empty());
}

TEST_CASE("the loader reads a csv relative to the scenario file") {
  const ScratchDir dir;
  dir.write("traffic/a.csv",
            "\xEF\xBB\xBF t , rate \r\n0,10\r\n 00:01 , 20/s\r\n1:30:05,5\r\n\r\n");
  const TrafficConfig t = load_traffic("  csv: traffic/a.csv\n", dir.scenario_file());
  CHECK(t.base == TrafficConfig::Base::csv);
  CHECK(t.csv_path == (dir.path / "traffic/a.csv").string());
  REQUIRE(t.steps.size() == 3);
  CHECK(t.steps[0].at == 0);
  CHECK(t.steps[0].rate == doctest::Approx(10));
  CHECK(t.steps[1].at == doctest::Approx(60));
  CHECK(t.steps[1].rate == doctest::Approx(20));
  CHECK(t.steps[2].at == doctest::Approx(5405));
  dir.write("b.csv", "t,rate\n90.5,1");  // no trailing newline
  CHECK(load_traffic("  csv: b.csv\n", dir.scenario_file()).steps.at(0).at ==
        doctest::Approx(90.5));
}

TEST_CASE("the shipped Harbolnas csv loads on the clock, across midnight") {
  // Its rows are clock times 22:00..01:59, read with the scenario's start: "22:00".
  const TrafficConfig t =
      load_scenario_file(std::string(SURGESIM_SOURCE_DIR) + "/configs/harbolnas-1111.yaml").traffic;
  REQUIRE(t.steps.size() == 240);
  CHECK(t.steps.front().at == 0);
  CHECK(t.steps.back().at == doctest::Approx(239 * 60));
  const auto peak = std::max_element(t.steps.begin(), t.steps.end(),
                                     [](auto& x, auto& y) { return x.rate < y.rate; });
  CHECK(peak->at == doctest::Approx(7200));  // midnight
}

TEST_CASE("traffic errors: which base") {
  CHECK_FAILURE(failure("  scale: 2\n"), at(4, 3), "traffic.rate", "missing required key 'rate'",
                "'profile' or 'csv'", "exactly one");
  CHECK_FAILURE(failure("  rate: 5\n  profile: [{at: 0, rate: 1}]\n"), at(5, 3), "traffic.profile",
                "exactly one of 'rate', 'profile', 'csv'", "found 'rate' and 'profile'");
  CHECK_FAILURE(failure("  rate: 5\n  profile: []\n  csv: x.csv\n"), at(5, 3), "traffic.profile",
                "found 'rate' and 'profile' and 'csv'");
  CHECK_FAILURE(failure("  profile: []\n  csv: x.csv\n"), at(5, 3), "traffic.csv",
                "found 'profile' and 'csv'");
  CHECK_FAILURE(failure("  rate: 5\n  spike: []\n"), at(5, 3), "traffic.spike",
                "unknown key 'spike'", "did you mean 'spikes'");
  CHECK_FAILURE(failure("  - 5\n"), at(4, 3), "traffic", "expected a map", "found a list");
}

TEST_CASE("traffic errors: rates and scale") {
  for (const std::string bad : {"-5", "-5/s", ".nan", "nan", "inf", "10/week"}) {
    CAPTURE(bad);
    CHECK_FAILURE(failure("  rate: " + bad + "\n"), at(4, 9), "traffic.rate", "expected a rate",
                  "not negative", "found \"" + bad + "\"");
  }
  CHECK_FAILURE(failure("  rate: 5\n  scale: -1\n"), at(5, 10), "traffic.scale",
                "expected a scale factor >= 0", "found \"-1\"");
  CHECK_FAILURE(failure("  rate: 5\n  scale: .nan\n"), at(5, 10), "traffic.scale",
                "expected a number", "found \".nan\"");
  CHECK_FAILURE(failure("  rate: 5\n  scale: 2x\n"), at(5, 10), "traffic.scale",
                "expected a number");
}

TEST_CASE("traffic errors: profile") {
  CHECK_FAILURE(failure("  profile: []\n"), at(4, 12), "traffic.profile",
                "expected a list of at least one point {at, rate}", "found an empty list");
  CHECK_FAILURE(failure("  profile: 5\n"), at(4, 12), "traffic.profile",
                "expected a list of at least one point", "found \"5\"");
  CHECK_FAILURE(failure("  profile:\n    - {at: 0, rate: 5}\n    - {at: 10m, rate: 5}\n"
                        "    - {at: 10m, rate: 7}\n"),
                at(7, 12), "traffic.profile[2].at", "after the previous point's (10m;",
                "strictly increasing", "found \"10m\"");
  CHECK_FAILURE(failure("  profile:\n    - {at: 5m, rate: 5}\n    - {at: 1m, rate: 5}\n"),
                at(6, 12), "traffic.profile[1].at", "strictly increasing", "found \"1m\"");
  CHECK_FAILURE(failure("  profile:\n    - {at: -5, rate: 5}\n"), at(5, 12),
                "traffic.profile[0].at", "expected a time point: an offset", "found \"-5\"");
  CHECK_FAILURE(failure("  profile:\n    - {at: 0, rate: -3/s}\n"), at(5, 21),
                "traffic.profile[0].rate", "expected a rate", "found \"-3/s\"");
  CHECK_FAILURE(failure("  profile:\n    - {at: 0, rate: .nan}\n"), at(5, 21),
                "traffic.profile[0].rate", "expected a rate", "found \".nan\"");
  CHECK_FAILURE(failure("  profile:\n    - {at: 0, rat: 5}\n"), at(5, 15), "traffic.profile[0].rat",
                "unknown key 'rat'", "known keys: at, rate");
  CHECK_FAILURE(failure("  profile:\n    - {at: 0}\n"), at(5, 7), "traffic.profile[0].rate",
                "missing required key 'rate'");
}

TEST_CASE("traffic errors: spikes") {
  CHECK_FAILURE(failure("  rate: 5\n  spikes: 3\n"), at(5, 11), "traffic.spikes", "expected a list",
                "found \"3\"");
  CHECK_FAILURE(failure("  rate: 5\n  spikes:\n    - {at: 1m, peak: 5, rise: 1s}\n"), at(6, 7),
                "traffic.spikes[0].decay", "missing required key 'decay'");
  CHECK_FAILURE(failure("  rate: 5\n  spikes:\n    - {at: 1m, peek: 5, rise: 1s, decay: 1s}\n"),
                at(6, 16), "traffic.spikes[0].peek", "unknown key 'peek'", "did you mean 'peak'");
  CHECK_FAILURE(failure("  rate: 5\n  spikes:\n    - {at: 1m, peak: -5, rise: 1s, decay: 1s}\n"),
                at(6, 22), "traffic.spikes[0].peak", "expected a rate", "found \"-5\"");
  CHECK_FAILURE(failure("  rate: 5\n  spikes:\n    - {at: 1m, peak: 5, rise: -1s, decay: 1s}\n"),
                at(6, 31), "traffic.spikes[0].rise", "expected a duration", "found \"-1s\"");
  CHECK_FAILURE(failure("  rate: 5\n  spikes:\n    - {at: 1m, peak: 5, rise: 0, decay: 0}\n"),
                at(6, 41), "traffic.spikes[0].decay", "rise or decay > 0", "adds no sessions",
                "found \"0\"");
}

TEST_CASE("traffic errors: csv file") {
  const ScratchDir dir;
  const std::string yaml = dir.scenario_file();
  const std::string yaml_at = yaml + ":4:8";
  const std::string missing = (dir.path / "traffic/none.csv").string();
  CHECK_FAILURE(failure("  csv: traffic/none.csv\n", yaml), yaml_at, "traffic.csv",
                "cannot open the traffic CSV '" + missing + "': No such file or directory",
                "relative to the scenario file's directory");
  CHECK_FAILURE(failure("  csv: traffic\n", yaml), yaml_at, "traffic.csv",
                "expected a CSV file, found a directory");
  CHECK_FAILURE(failure("  csv: [a.csv]\n", yaml), yaml_at, "traffic.csv", "expected text");

  struct Case {
    std::string text, where, words;
  };
  const std::vector<Case> cases = {
      {"", "1:1", "expected the header 't,rate', found an empty file"},
      // Said, not quoted: any file could be named here.
      {"time,rate\n0,5\n", "1:1",
       "this is not a traffic CSV: its first line is not the header 't,rate'"},
      {"t,rate,x\n0,5\n", "1:1", "its first line is not the header 't,rate'"},
      {"t,rate\n", "2:1", "expected at least one row"},
      {"t,rate\n0,5\n60\n", "3:1", "(2 fields), found 1 fields: '60'"},
      {"t,rate\n0,5\n60,5,7\n", "3:1", "found 3 fields"},
      {"t,rate\n0,5\n\n60,5\n", "3:1", "found an empty line"},
      {"t,rate\n0,5\n00:10,5\n00:10,6\n", "4:1", "strictly increasing"},
      {"t,rate\n0,5\n600,5\n00:05,6\n", "4:1",
       "previous row's (10m; rows must be in strictly increasing time), found '00:05' = 5m"},
      {"t,rate\n0,5\n  25:61,6\n", "3:3",
       "expected a time t (seconds, a duration such as 2h10m, or HH:MM / HH:MM:SS"},
      {"t,rate\n0,5\n1:2,6\n", "3:1", "found '1:2'"},
      // A time past any hour count (found by the loader's fuzz target: the message
      // converted it to an integer of hours and minutes, out of range).
      {"t,rate\n0,5\n7777777277777777777777777777777777777777777777,6\n00:02,7\n", "4:1",
       "previous row's (7.77778e+45s"},
      {"t,rate\n0,5\n-10,6\n", "3:1", "found '-10'"},
      {"t,rate\n0,5\n1:00:00:00,6\n", "3:1", "found '1:00:00:00'"},
      {"t,rate\n0,5\n60, -3\n", "3:5",
       "expected a rate (sessions per second, not negative), found '-3'"},
      {"t,rate\n0,5\n60,nan\n", "3:4", "found 'nan'"},
      {"t,rate\r\n0,5\r\n60,\r\n", "3:4", "found ''"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    const std::string csv = dir.write("bad.csv", c.text);
    CHECK_FAILURE(failure("  csv: bad.csv\n", yaml), csv + ":" + c.where, "traffic.csv", c.words);
  }
}
