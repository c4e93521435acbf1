// bench_scenario [FILE]: the full default scenario (configs/harbolnas-1111.yaml, or
// FILE) through the whole model: page requests, service visits and events per second
// and peak memory, at 1x and 10x traffic; then a constant-rate variant of the same shop
// for 6 and 60 minutes, to show that memory follows requests in flight, not requests
// simulated. Every case runs once, in its own process (its own peak memory).
#include <cstdio>
#include <exception>
#include <string>

#include "models/loader/scenario_loader.hpp"
#include "scenario_bench.hpp"

namespace {

using surgesim::bench::ScenarioSample;
using surgesim::models::Scenario;
using surgesim::models::TrafficConfig;

// A steady rate the default shop carries at its evening size, so that requests in
// flight stay level over the whole run.
constexpr double kConstantRate = 500.0;  // sessions per second

Scenario constant_rate(Scenario scenario, double minutes) {
  scenario.traffic = TrafficConfig{};
  scenario.traffic.base = TrafficConfig::Base::rate;
  scenario.traffic.rate = kConstantRate;
  scenario.duration = minutes * 60.0;
  return scenario;
}

void row(const char* label, const ScenarioSample& s) {
  std::printf(
      "  %-22s %11.0f %11.0f %11.0f %11.0f %7.1f   %6.2f %6.2f %6.2f  %5.1f%%  %7.1f %7.1f\n",
      label, s.sessions, s.page_requests, s.service_visits, s.events, s.seconds,
      s.page_requests / s.seconds / 1e6, s.service_visits / s.seconds / 1e6,
      s.events / s.seconds / 1e6, 100.0 * s.drop_rate, s.peak_rss_mib,
      s.peak_rss_mib - s.start_rss_mib);
}

void ratio(const char* label, const ScenarioSample& s, const ScenarioSample& base) {
  std::printf("  %-22s %8.2fx %8.2fx %8.2fx %10.2fx %10.2fx\n", label, s.events / base.events,
              s.seconds / base.seconds, (s.events / s.seconds) / (base.events / base.seconds),
              s.peak_rss_mib / base.peak_rss_mib,
              (s.peak_rss_mib - s.start_rss_mib) / (base.peak_rss_mib - base.start_rss_mib));
}

}  // namespace

int main(int argc, char** argv) {
  const std::string file =
      argc > 1 ? argv[1] : std::string(SURGESIM_CONFIGS_DIR) + "/harbolnas-1111.yaml";
  try {
    Scenario base = surgesim::models::load_scenario_file(file);
    base.warmup = 0.0;  // count all the work done, not just the statistics window
    Scenario tenfold = base;
    tenfold.traffic.scale *= 10.0;

    std::printf(
        "surgesim bench_scenario: %s, one replication per case, each in its own "
        "process\n(M = 10^6 per second of wall time; RSS = the case's peak resident "
        "set, growth = peak - at start)\n\n",
        file.c_str());
    std::printf("  %-22s %11s %11s %11s %11s %7s   %6s %6s %6s  %6s  %7s %7s\n", "case", "sessions",
                "page req", "visits", "events", "s", "M req", "M vis", "M ev", "drops", "RSS MiB",
                "growth");
    const ScenarioSample one = surgesim::bench::run_scenario(base);
    row("scenario, 1x traffic", one);
    const ScenarioSample ten = surgesim::bench::run_scenario(tenfold);
    row("scenario, 10x traffic", ten);
    const ScenarioSample short_run = surgesim::bench::run_scenario(constant_rate(base, 6.0));
    row("500/s for 6 min", short_run);
    const ScenarioSample long_run = surgesim::bench::run_scenario(constant_rate(base, 60.0));
    row("500/s for 60 min", long_run);

    std::printf("\nRatios against the baseline of each pair (measured above, same process tree)\n");
    std::printf("  %-22s %9s %9s %9s %11s %11s\n", "", "events", "time", "events/s", "peak RSS",
                "RSS growth");
    ratio("10x traffic / 1x", ten, one);
    ratio("60 min / 6 min", long_run, short_run);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_scenario: %s\n", e.what());
    return 1;
  }
  return 0;
}
