#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/series_table.hpp"

namespace surgesim::models {

// What an experiment (all replications of a scenario) produced; result files, reports
// and the Python layer read it, run/experiment.hpp fills it.

// How a --precision run ended.
struct PrecisionOutcome {
  int replications = 0;            // the count reached
  bool met = false;                // every headline half-width below its bound
  std::vector<std::string> unmet;  // headline fields still above it ("pages.x.p99_s")
  // "precision: 14 replications; every headline half-width is below 2% of its mean" or
  // "precision: stopped at 100 replications (--max-replications); still above 2%: ..."
  std::string describe(double relative) const;
};

struct ExperimentResult {
  Json summary;  // the scenario reference's summary, ci95 included when replications >= 2
  std::vector<Json> replications;  // per-replication trees, in replication order
  // Per replication, in replication order: its time series tables, when
  // options.keep_replication_series (else empty).
  std::vector<std::vector<SeriesTable>> replication_series;
  // The tables merged over replications, one replication at a time: NaN-skipping mean
  // and 95% Student-t half-width per cell (ci95 empty with one replication). The mean
  // is exact; the half-width is the exact two-pass one from the series store or the kept
  // tables, else from Welford's M2, equal to it up to rounding.
  std::vector<SeriesTable> series_mean;
  std::vector<SeriesTable> series_ci95;
  std::optional<PrecisionOutcome> precision;  // set when options.precision was
  std::uint64_t events = 0;                   // events fired over all replications
  // The most replications finished and waiting to be merged at once: at most the
  // thread count, whatever the number of replications.
  std::size_t most_waiting_replications = 0;
};

}  // namespace surgesim::models
