#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/results/experiment_result.hpp"
#include "models/results/series_store.hpp"
#include "models/run/work_estimate.hpp"
#include "models/scenario.hpp"
#include "models/series_table.hpp"
#include "models/services/service_stats.hpp"

namespace surgesim::models {

// How far along each replication is (0..1), readable from another thread. Sized for the
// most replications a run may reach; overall() averages over those planned so far.
class ExperimentProgress {
 public:
  explicit ExperimentProgress(std::size_t capacity)
      : fractions_(std::make_unique<std::atomic<double>[]>(capacity)), capacity_(capacity) {}
  std::atomic<double>* replication(std::size_t r) {
    return r < capacity_ ? &fractions_[r] : nullptr;
  }
  // A new pass (e.g. after a warm-up pilot) of `count` replications, all at 0.
  void restart(std::size_t count);
  // More replications joined the current pass.
  void extend(std::size_t count) { planned_.store(std::min(count, capacity_)); }
  double overall() const;

 private:
  std::unique_ptr<std::atomic<double>[]> fractions_;
  std::size_t capacity_;
  std::atomic<std::size_t> planned_{0};
};

// --precision REL: add replications until every headline half-width is below
// REL x |mean|, up to max_replications.
struct PrecisionGoal {
  double relative = 0.0;
  int max_replications = 100;
};

struct RunOptions {
  unsigned threads = 0;  // 0: all cores
  ExperimentProgress* progress = nullptr;
  const std::atomic<bool>* stop = nullptr;
  std::optional<PrecisionGoal> precision;
  // Keep every replication's own tables in ExperimentResult::replication_series: memory
  // then grows with the replications (0.7 MB each for Harbolnas' 4 h in minutes). For
  // tests and small studies; `surgesim run` keeps none, Python only when asked.
  bool keep_replication_series = true;
  // Receives every replication's tables in replication order as it is merged (a result
  // file being written) and computes the exact ci95 from them at the end.
  SeriesStore* series_store = nullptr;
  // The caller reads the time series. Without, the replications build them only where
  // builds_series says (a result file, SLOs) and otherwise skip every bucket's rows; the
  // summary is the same bit for bit (buckets still turn over into the totals).
  bool series = true;
  // Bytes the run may use (--max-memory): a replication whose requests in flight would
  // pass its share is stopped (overload_guard.hpp). 0: not watched.
  double max_memory = 0.0;
  std::string max_memory_option = "--max-memory";  // its name in messages
  // The run's work estimate: a replication doing far more work than it foresaw, enough
  // to take over an hour, is stopped (work_guard.hpp). None: not watched (--force).
  std::optional<WorkEstimate> work = std::nullopt;
  std::string force_option = "--force";  // its name in messages
};

// Runs scenario.replications independent replications (replication r draws from
// streams keyed by (seed, r)) and merges each as soon as those before it are merged, in
// replication order: the result is bit-identical whatever the number of threads, and
// memory does not grow with the replications (their summary trees aside) unless
// options.keep_replication_series. With a precision goal it starts from
// max(replications, 3) and adds replications in batches sized from the half-widths
// seen so far; the result depends only on the final count. Fills summary["slo"] when
// the scenario has SLOs. Throws Interrupted when `stop` became true.
ExperimentResult run_experiment(const Scenario& scenario, const RunOptions& options = {});

// Whether the replications build time series: when `wanted` by the caller, for a result
// file (`to_file`), or for SLOs, which are judged on them.
bool builds_series(const Scenario& scenario, bool wanted, bool to_file);

// Leaf-wise mean and 95% Student-t half-width over replication trees of equal shape.
// Nulls (no observation in that replication) are skipped; a leaf null everywhere stays null.
std::pair<Json, Json> merge_replications(const std::vector<Json>& trees);

// The headline fields a precision goal covers, as present in `summary`: drop_rate,
// orders, revenue, lost_revenue.total, latency.p99_s, pages.*.p99_s and
// services.*.utilization, as dotted names with their JSON pointers.
struct HeadlineField {
  std::string name;
  Json::json_pointer pointer;
};
std::vector<HeadlineField> headline_fields(const Json& summary);

// --warmup auto: a pilot run without warm-up, then MSER-5 on the mean over replications
// of timeseries/sessions mean_s (page response time).
struct WarmupEstimate {
  double warmup_s = 0.0;         // truncated batches x 5 x bucket
  std::size_t batches = 0;       // MSER-5 batches in the series
  std::size_t truncated = 0;     // d*
  std::string describe() const;  // "warm-up: auto -> 12m (MSER-5 over 60 batches)"
};
WarmupEstimate estimate_warmup(const Scenario& scenario, const RunOptions& options = {});

// --warmup DURATION: replaces the scenario's warm-up. Throws ScenarioError, located at
// `option` (e.g. "--warmup 2h"), unless `text` is a duration shorter than the run.
void override_warmup(Scenario& scenario, const std::string& text, const std::string& option);

}  // namespace surgesim::models
