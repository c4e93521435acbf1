// bench_scenario [FILE [RUNS]]: a whole scenario through the whole model (FILE, by default
// bench/in-flight.yaml), each case RUNS times (default 3) in its own process, the two
// cases of a pair in turn, medians:
//   - 1x traffic, and 10x traffic for a tenth of the duration: about the same work with
//     ten times the sessions in flight (~54,000 vs ~540,000 for the default file), which
//     is what the pending-event set has to carry: visits per second should hardly drop;
//   - a constant 500 sessions/s for 6 and for 60 minutes: memory follows requests in
//     flight, not requests simulated.
// Rates per second of wall time and of CPU time (steadier on a shared machine).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include "models/loader/scenario_loader.hpp"
#include "scenario_bench.hpp"

namespace {

using surgesim::bench::ScenarioSample;
using surgesim::models::Scenario;
using surgesim::models::TrafficConfig;

constexpr double kConstantRate = 500.0;  // sessions per second

Scenario constant_rate(Scenario scenario, double minutes) {
  scenario.traffic = TrafficConfig{};
  scenario.traffic.base = TrafficConfig::Base::rate;
  scenario.traffic.rate = kConstantRate;
  scenario.duration = minutes * 60.0;
  return scenario;
}

double median_of(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

// The run with the median CPU time of `samples` (counts are the same in every run: same
// seed), with the median wall time.
ScenarioSample median_run(std::vector<ScenarioSample> samples) {
  std::sort(samples.begin(), samples.end(),
            [](const auto& a, const auto& b) { return a.cpu_seconds < b.cpu_seconds; });
  ScenarioSample median = samples[samples.size() / 2];
  std::vector<double> wall;
  for (const auto& s : samples) wall.push_back(s.seconds);
  median.seconds = median_of(wall);
  return median;
}

// Two cases compared: each one's median run, and the median over pairs of the ratio of
// their visits per CPU second.
struct Compared {
  ScenarioSample first, second;
  double paired_ratio;
};

// The runs alternate, first then second, `runs` times: a shared machine's load changes
// over minutes, and run in two blocks the cases met different loads (the 10x/1x ratio
// moved between 0.80 and 0.90 from one bench run to the next).
Compared compare(const Scenario& first, const Scenario& second, int runs) {
  std::vector<ScenarioSample> a, b;
  std::vector<double> ratios;
  for (int run = 0; run < runs; ++run) {
    a.push_back(surgesim::bench::run_scenario(first));
    b.push_back(surgesim::bench::run_scenario(second));
    ratios.push_back((b.back().service_visits / b.back().cpu_seconds) /
                     (a.back().service_visits / a.back().cpu_seconds));
  }
  return {median_run(a), median_run(b), median_of(ratios)};
}

void row(const char* label, const ScenarioSample& s) {
  std::printf(
      "  %-24s %10.0f %11.0f %11.0f %7.2f %7.2f   %6.3f %6.3f %6.3f  %5.1f%%  %7.1f %7.1f\n", label,
      s.sessions, s.service_visits, s.events, s.seconds, s.cpu_seconds,
      s.service_visits / s.seconds / 1e6, s.service_visits / s.cpu_seconds / 1e6,
      s.events / s.cpu_seconds / 1e6, 100.0 * s.drop_rate, s.peak_rss_mib,
      s.peak_rss_mib - s.start_rss_mib);
}

void ratio(const char* label, const Compared& c) {
  const ScenarioSample& s = c.second;
  const ScenarioSample& base = c.first;
  std::printf("  %-24s %8.2fx %9.2fx %9.2fx %9.2fx %9.2fx %10.2fx\n", label,
              s.service_visits / base.service_visits,
              (s.service_visits / s.seconds) / (base.service_visits / base.seconds),
              (s.service_visits / s.cpu_seconds) / (base.service_visits / base.cpu_seconds),
              c.paired_ratio, s.peak_rss_mib / base.peak_rss_mib,
              (s.peak_rss_mib - s.start_rss_mib) / (base.peak_rss_mib - base.start_rss_mib));
}

}  // namespace

int main(int argc, char** argv) {
  const std::string file = argc > 1 ? argv[1] : std::string(SURGESIM_BENCH_DIR) + "/in-flight.yaml";
  const int runs = argc > 2 ? std::atoi(argv[2]) : 3;
  if (runs < 1) {
    std::fprintf(stderr, "usage: bench_scenario [FILE [RUNS >= 1]]\n");
    return 2;
  }
  try {
    Scenario base = surgesim::models::load_scenario_file(file);
    base.warmup = 0.0;  // count all the work done, not just the statistics window
    Scenario tenfold = base;
    tenfold.traffic.scale *= 10.0;
    tenfold.duration /= 10.0;

    std::printf(
        "surgesim bench_scenario: %s, one replication per run, each in its own process, "
        "median of %d runs\n(M = 10^6 per second of wall or CPU time; RSS = the run's peak "
        "resident set, growth = peak - at start)\n\n",
        file.c_str(), runs);
    std::printf("  %-24s %10s %11s %11s %7s %7s   %6s %6s %6s  %6s  %7s %7s\n", "case", "sessions",
                "visits", "events", "wall s", "cpu s", "M vis", "M vis", "M ev", "drops", "RSS MiB",
                "growth");
    std::printf("  %-24s %10s %11s %11s %7s %7s   %6s %6s %6s\n", "", "", "", "", "", "", "wall",
                "cpu", "cpu");
    const Compared in_flight = compare(base, tenfold, runs);
    row("1x traffic", in_flight.first);
    row("10x traffic, 1/10 time", in_flight.second);
    const Compared length = compare(constant_rate(base, 6.0), constant_rate(base, 60.0), runs);
    row("500/s for 6 min", length.first);
    row("500/s for 60 min", length.second);

    std::printf("\nRatios against the first of each pair (runs alternate between the two)\n");
    std::printf("  %-24s %9s %10s %10s %10s %10s %11s\n", "", "visits", "visits/s", "visits/s",
                "visits/s", "peak RSS", "RSS growth");
    std::printf("  %-24s %9s %10s %10s %10s\n", "", "", "wall", "cpu", "cpu pairs");
    ratio("10x traffic / 1x", in_flight);
    ratio("60 min / 6 min", length);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_scenario: %s\n", e.what());
    return 1;
  }
  return 0;
}
