#include "models/run/work_estimate.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numeric>
#include <string>

#include "models/analysis/analytic_estimate.hpp"
#include "models/run/shop_series.hpp"
#include "models/services/server_pool.hpp"
#include "models/sessions/traffic_rate.hpp"
#include "models/yaml/scenario_error.hpp"

namespace surgesim::models {
namespace {

// Measured on the engine (resident memory over millions of queued requests, summary
// trees of large shops), rounded up.
constexpr double kBytesPerRequest = 128.0;  // a request in flight with its session
constexpr double kBytesPerPage = 16'384.0;  // statistics of a page: two sketches, counters
constexpr double kBytesPerService = 16'384.0;
constexpr double kBytesPerLeaf = 120.0;  // one number of a summary tree
constexpr double kLeavesPerPage = 12.0, kLeavesPerService = 25.0, kLeavesPerJourney = 25.0;
// Closing a bucket appends a row to every table: about this many cells per event's time.
constexpr double kCellsPerEvent = 8.0;

// Events of a pool's own clockwork: crashes and repairs, autoscale checks.
double pool_events(const ServerPoolConfig& pool, double duration) {
  double events = 0.0;
  const double instances = pool.autoscale ? pool.autoscale->max : pool.instances;
  if (pool.crashes) {
    const double cycle = pool.crashes->mtbf + pool.crashes->mttr;
    if (cycle > 0.0) events += 2.0 * instances * duration / cycle;
  }
  if (pool.autoscale && pool.autoscale->interval > 0.0) {
    events += duration / pool.autoscale->interval;
  }
  return events;
}

// Requests per session at each service (downstream calls included) and pages per
// session, from the analytic estimate's rates at the peak; and the requests in flight
// at the peak by Little's law over the services it finds stable.
struct Flows {
  double pages_per_session = 0.0;
  std::vector<double> service_requests_per_session;  // in the scenario's order
  double in_flight = 0.0;
};

Flows flows(const Scenario& scenario) {
  Flows f;
  const AnalyticEstimate e = estimate(scenario);
  for (std::size_t j = 0; j < scenario.journeys.size(); ++j) {
    double pages = 0.0;
    for (const double v : e.visits[j]) pages += v;
    f.pages_per_session += scenario.journeys[j].share * pages;
  }
  if (e.session_rate > 0.0) {
    for (const ServiceEstimate& s : e.services) {
      f.service_requests_per_session.push_back(s.arrival_rate / e.session_rate);
      if (!s.saturated && std::isfinite(s.mean_response)) {
        f.in_flight += s.arrival_rate * s.mean_response;
      }
    }
  }
  return f;
}

}  // namespace

WorkEstimate estimate_work(const Scenario& scenario, const WorkShape& shape) {
  WorkEstimate w;
  // A window simulates only its span of the scenario.
  const double span = scenario.run_to() - scenario.run_from();
  w.sessions = RateFunction(scenario.traffic).integral(scenario.run_from(), scenario.run_to());
  const Flows f = flows(scenario);
  w.buckets = std::ceil(span / scenario.bucket);
  std::size_t pages = 0;
  for (const JourneyConfig& j : scenario.journeys) pages += j.pages.size();
  w.cells_per_bucket = static_cast<double>(
      series_cells_per_bucket(scenario.journeys.size(), pages, scenario.services.size()));

  for (const ServiceConfig& service : scenario.services) {
    w.clockwork_events += 2.0 * static_cast<double>(service.outages.size());
    if (const auto* pool = std::get_if<ServerPoolConfig>(&service.type)) {
      w.clockwork_events += pool_events(*pool, span);
    }
  }
  // Bucket ends, and the rows they append.
  const double buckets = w.buckets * (2.0 + w.cells_per_bucket / kCellsPerEvent);
  const double requests_per_session = std::accumulate(f.service_requests_per_session.begin(),
                                                      f.service_requests_per_session.end(), 0.0);
  w.events =
      w.sessions * (f.pages_per_session + requests_per_session) + w.clockwork_events + buckets;
  w.service_requests_per_session = std::move(f.service_requests_per_session);
  w.replications = shape.replications * (shape.pilot ? 2.0 : 1.0);
  w.cpu_seconds = w.events * w.replications / kEventsPerSecond;

  // Replications in flight hold their tables, their statistics and their requests; as
  // many finished ones may wait to be merged; the running sums hold two tables more
  // (mean and the sum of squares), the result two (mean and half-width).
  const double at_once = std::min<double>(shape.threads, shape.replications);
  const double one_series = w.buckets * w.cells_per_bucket * 8.0;
  const double series_copies =
      shape.keep_replication_series ? shape.replications + at_once + 2.0 : 2.0 * at_once + 4.0;
  // An automatic warm-up's pilot builds them whatever the run after it does.
  w.series_bytes = shape.series || shape.pilot ? series_copies * one_series : 0.0;
  const double statistics = static_cast<double>(pages) * kBytesPerPage +
                            static_cast<double>(scenario.services.size()) * kBytesPerService;
  const double tree = kBytesPerLeaf * (kLeavesPerPage * static_cast<double>(pages) +
                                       kLeavesPerService * scenario.services.size() +
                                       kLeavesPerJourney * scenario.journeys.size() + 100.0);
  w.in_flight_bytes = at_once * f.in_flight * kBytesPerRequest;
  w.memory_bytes =
      w.series_bytes + at_once * statistics + (shape.replications + 2.0) * tree + w.in_flight_bytes;
  return w;
}

double default_max_memory() {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page_size = ::sysconf(_SC_PAGE_SIZE);
  double physical = pages > 0 && page_size > 0 ? static_cast<double>(pages) * page_size : 0.0;
  // In a container the cgroup's limit is what the machine really gives.
  std::ifstream cgroup("/sys/fs/cgroup/memory.max");
  double limit = 0.0;
  if (cgroup >> limit && limit > 0.0 && (physical == 0.0 || limit < physical)) physical = limit;
  return physical > 0.0 ? physical / 2.0 : 4.0 * 1024 * 1024 * 1024;
}

std::string format_bytes(double bytes) {
  const char* units[] = {"bytes", "KB", "MB", "GB", "TB", "PB"};
  std::size_t u = 0;
  while (bytes >= 1024.0 && u + 1 < std::size(units)) {
    bytes /= 1024.0;
    ++u;
  }
  return u == 0 ? fmt::format("{:.0f} bytes", bytes) : fmt::format("{:.1f} {}", bytes, units[u]);
}

std::string format_seconds(double seconds) {
  if (seconds < 120.0) return fmt::format("{:.0f} s", seconds);
  if (seconds < 2.0 * 3600.0) return fmt::format("{:.0f} min", seconds / 60.0);
  if (seconds < 2.0 * 86400.0) return fmt::format("{:.1f} h", seconds / 3600.0);
  return fmt::format("{:.3g} days", seconds / 86400.0);
}

std::string run_time(double seconds) {
  const auto whole = static_cast<long long>(seconds);
  if (whole >= 3600) return fmt::format("{}h{:02}m", whole / 3600, whole % 3600 / 60);
  if (whole >= 60) return fmt::format("{}m{:02}s", whole / 60, whole % 60);
  return fmt::format("{:.1f}s", seconds);
}

std::string format_count(double count) {
  // Each bound is where one decimal would round up to 1000.0 of its unit.
  if (count < 1e4) return fmt::format("{:.0f}", count);
  if (count < 999.95e3) return fmt::format("{:.1f} k", count / 1e3);
  if (count < 999.95e6) return fmt::format("{:.1f} M", count / 1e6);
  if (count < 999.95e9) return fmt::format("{:.1f} G", count / 1e9);
  return fmt::format("{:.3g}", count);
}

void refuse_unfinishable(const WorkEstimate& w, double max_memory, const std::string& where,
                         const std::string& force_option, const std::string& memory_option) {
  if (w.cpu_seconds > kMostCpuSeconds) {
    const std::string change =
        w.clockwork_events >= w.events / 2.0
            ? fmt::format(
                  "{} of them crashes, repairs and autoscale checks of server pools: "
                  "lengthen crashes.mtbf and mttr or autoscale.interval",
                  format_count(w.clockwork_events))
            : "shorten the duration, lower the traffic or its scale, or run fewer replications";
    throw ScenarioError(
        where, "",
        fmt::format("the run would take at least {} on one core ({} sessions and {} events per "
                    "replication, {} replication{}), more than an hour: {}; {} runs it anyway",
                    format_seconds(w.cpu_seconds), format_count(w.sessions), format_count(w.events),
                    format_count(w.replications), w.replications == 1.0 ? "" : "s", change,
                    force_option));
  }
  if (w.memory_bytes > max_memory) {
    std::string biggest;
    if (w.series_bytes >= w.memory_bytes / 2.0) {
      biggest = fmt::format(
          ", {} of it time series ({} buckets x {} columns, per replication in flight): use "
          "wider buckets or fewer threads",
          format_bytes(w.series_bytes), format_count(w.buckets), format_count(w.cells_per_bucket));
    } else if (w.in_flight_bytes >= w.memory_bytes / 2.0) {
      biggest = fmt::format(", {} of it requests in flight: lower the traffic or use fewer threads",
                            format_bytes(w.in_flight_bytes));
    } else {
      biggest = ": use fewer pages, services or replications";
    }
    throw ScenarioError(
        where, "",
        fmt::format("the run would need about {} of memory, more than {} ({}){}; {} runs it "
                    "anyway",
                    format_bytes(w.memory_bytes), memory_option, format_bytes(max_memory), biggest,
                    force_option));
  }
}

void refuse_long_sweep(double cpu_seconds, std::size_t counted, std::size_t points,
                       const std::string& where, const std::string& force_option) {
  if (cpu_seconds <= kMostCpuSeconds) return;
  const std::string how_long =
      counted < points
          ? fmt::format(
                "over an hour on one core: the work estimates of its first {} of {} "
                "points already add up to {}",
                format_count(static_cast<double>(counted)),
                format_count(static_cast<double>(points)), format_seconds(cpu_seconds))
          : fmt::format(
                "{} on one core ({} points, their work estimates added up), more than "
                "an hour",
                format_seconds(cpu_seconds), format_count(static_cast<double>(points)));
  throw ScenarioError(where, "",
                      fmt::format("the sweep would take {}: vary fewer values (a range's STEP), "
                                  "run fewer replications or a shorter duration; {} runs it "
                                  "anyway",
                                  how_long, force_option));
}

}  // namespace surgesim::models
