#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/scenario.hpp"

namespace surgesim::models {

// What a run will cost, estimated before it starts from the traffic and the analytic
// estimate's request rates, so that a run which cannot finish is refused with what to
// change instead of being started (docs/scenario.md, "What a run costs").
//
// Events: each page request and each request a service receives (downstream calls
// included) is about one event (its arrival or the end of its work), sessions walk
// their pages by events, and pools that crash or autoscale add theirs; the count is
// ∫λ dt × (pages per session + requests per session) plus those. Memory: the time series
// (buckets × columns × 8 bytes) of every replication in flight and of the running sums,
// the statistics of pages and services, the summary tree of every replication, and the
// requests in flight by Little's law (λ × response) where the analytic estimate finds a
// service stable. An overloaded service's queue is not foreseen here: the run watches it
// (overload_guard.hpp).
struct WorkEstimate {
  double sessions = 0.0;          // per replication
  double events = 0.0;            // per replication
  double clockwork_events = 0.0;  // of which crashes, repairs, autoscale checks, outages
  double replications = 1.0;      // runs counted: the most a precision goal may reach,
                                  // and the pilot of an automatic warm-up
  double cpu_seconds = 0.0;       // all of them, on one core
  double buckets = 0.0;           // per replication
  double cells_per_bucket = 0.0;  // time series columns, all tables
  double memory_bytes = 0.0;      // peak, the whole run
  double series_bytes = 0.0;      // of which time series
  double in_flight_bytes = 0.0;   // of which requests in flight (stable services)
  // Requests each service receives per session (downstream calls included), in the
  // scenario's order; empty without traffic.
  std::vector<double> service_requests_per_session;
};

// How the run is shaped beyond the scenario.
struct WorkShape {
  double replications = 1.0;  // the most that will run
  unsigned threads = 1;       // replications in flight at once
  bool keep_replication_series = false;
  bool pilot = false;  // an automatic warm-up runs the scenario twice
  bool series = true;  // the replications build time series (RunOptions::series)
};

WorkEstimate estimate_work(const Scenario& scenario, const WorkShape& shape);

// NOTE: events per second of one core, set above the fastest this engine was measured
// at, so that a run is never refused for time it would not take: 12.4 M events/s for
// the M/M/1 kernel bench (6.2 M requests/s, two events each) and 5.0 M/s for the whole
// Harbolnas shop (38 M events in 7.7 s), on the 2-core development machine; loaded by
// other builds it ran 1.2-3.2 M/s. A faster machine finishes sooner than estimated,
// which only makes the refusal generous.
inline constexpr double kEventsPerSecond = 15e6;

// The longest a run may be estimated to take on one core before it is refused.
inline constexpr double kMostCpuSeconds = 3600.0;

// Half the physical memory (or of the cgroup's limit, when lower): the default of
// --max-memory.
double default_max_memory();

// "1.4 GB", "512 MB", "3.2 h", "12 min", "54.1 M": sizes, times and counts in messages.
std::string format_bytes(double bytes);
std::string format_seconds(double seconds);
std::string format_count(double count);
// "1h23m", "12m30s", "45.0s": a time of the run.
std::string run_time(double seconds);

// Throws ScenarioError at `where` (the scenario file) when the run is estimated over an
// hour on one core or over `max_memory` bytes, saying what to change; `force_option`
// and `memory_option` name the options in the shell's words ("--force", "force=True").
void refuse_unfinishable(const WorkEstimate& estimate, double max_memory, const std::string& where,
                         const std::string& force_option, const std::string& memory_option);

// Throws ScenarioError at `where` when a sweep's `points` add up to over an hour on one
// core: `cpu_seconds` sums the work estimates of the first `counted` (the sum may stop
// once it passes the hour).
void refuse_long_sweep(double cpu_seconds, std::size_t counted, std::size_t points,
                       const std::string& where, const std::string& force_option);

}  // namespace surgesim::models
