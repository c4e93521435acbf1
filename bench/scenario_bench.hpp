#pragma once

#include "models/scenario.hpp"

namespace surgesim::bench {

// One replication of a whole scenario through the full model (shoppers, every service
// type, statistics, time series), run in a forked child so that the peak memory is
// this run's alone: ru_maxrss only ever grows within one process.
struct ScenarioSample {
  double seconds = 0.0;         // wall time of Shop::run, construction included
  double cpu_seconds = 0.0;     // its CPU time
  double sessions = 0.0;        // sessions started
  double page_requests = 0.0;   // requests shoppers sent (retries included)
  double service_visits = 0.0;  // requests that reached any service (calls, cache
                                // lookups, queries and payments included)
  double events = 0.0;
  double drop_rate = 0.0;
  double peak_rss_mib = 0.0;   // the child's peak resident set
  double start_rss_mib = 0.0;  // its resident set before the Shop was built
};

// Statistics must cover the whole run (warmup 0) for the counts to be all the work done.
// Throws std::runtime_error if the child fails.
ScenarioSample run_scenario(const models::Scenario& scenario);

}  // namespace surgesim::bench
