#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "models/scenario.hpp"
#include "models/series_table.hpp"
#include "models/service_stats.hpp"

namespace surgesim::models {

// How far along each replication is (0..1), readable from another thread.
class ExperimentProgress {
 public:
  explicit ExperimentProgress(std::size_t replications)
      : fractions_(std::make_unique<std::atomic<double>[]>(replications)), count_(replications) {}
  std::atomic<double>* replication(std::size_t r) { return &fractions_[r]; }
  double overall() const;

 private:
  std::unique_ptr<std::atomic<double>[]> fractions_;
  std::size_t count_;
};

struct RunOptions {
  unsigned threads = 0;  // 0: all cores
  ExperimentProgress* progress = nullptr;
  const std::atomic<bool>* stop = nullptr;
};

struct ExperimentResult {
  Json summary;                    // SCENARIO.md's summary, ci95 included when replications >= 2
  std::vector<Json> replications;  // per-replication trees, in replication order
  // Per replication, in replication order: its time series tables.
  std::vector<std::vector<SeriesTable>> replication_series;
  std::uint64_t events = 0;        // events fired over all replications
};

// Runs scenario.replications independent replications (replication r draws from
// streams keyed by (seed, r)) and merges them in replication order: the result is
// bit-identical whatever the number of threads.
ExperimentResult run_experiment(const Scenario& scenario, const RunOptions& options = {});

// Leaf-wise mean and 95% Student-t half-width over replication trees of equal shape.
// Nulls (no observation in that replication) are skipped; a leaf null everywhere stays null.
std::pair<Json, Json> merge_replications(const std::vector<Json>& trees);

}  // namespace surgesim::models
