#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "models/run/overload_guard.hpp"
#include "models/run/shop_series.hpp"
#include "models/run/work_guard.hpp"
#include "models/scenario.hpp"
#include "models/series_table.hpp"
#include "models/services/service.hpp"
#include "models/services/service_stats.hpp"
#include "models/sessions/sessions.hpp"
#include "sim/quantile_sketch.hpp"
#include "sim/simulator.hpp"

namespace surgesim::models {

// One replication of a scenario: the kernel, the services and the shoppers, wired.
class Shop final : public sim::EventTarget {
 public:
  // Without `series`, run() returns no time series and builds none (the summary is the
  // same).
  Shop(const Scenario& scenario, std::uint64_t replication, bool series = true);

  // Runs the simulated span ([0, duration) or the window) and returns this replication's summary
  // (docs/scenario.md shape, without the experiment-level fields) and time series. Throws
  // Interrupted if `stop` became true.
  ReplicationResult run(std::atomic<double>* progress = nullptr,
                        const std::atomic<bool>* stop = nullptr);

  // Stops the run (Overloaded) when its requests in flight would pass `budget_bytes`
  // (overload_guard.hpp); `option` names the limit in the shell's words.
  void watch(double budget_bytes, const std::string& option);
  // Stops the run (Overloaded) when it does far more work than `estimate` foresaw, enough
  // to take over an hour (work_guard.hpp); `force_option` names --force in the shell's words.
  void limit_work(const WorkEstimate& estimate, const std::string& force_option);

  std::uint64_t events_fired() const { return sim_.events_fired(); }
  std::size_t requests_in_flight() const { return requests_.in_flight(); }

  void on_event(std::uint32_t tag, std::uint32_t arg) override;

 private:
  void close_bucket(Time end);
  void restart_totals(Time t);
  Time bucket_start(std::uint64_t bucket) const;  // from the start of the simulated span

  const Scenario& scenario_;
  sim::Simulator sim_;
  RequestPool requests_;
  std::vector<std::unique_ptr<Service>> services_;
  std::unique_ptr<Sessions> sessions_;
  std::unique_ptr<ShopSeries> series_;  // null: no time series
  // Without time series: the empty sketch over which the buckets keep theirs
  // (Windowed::restart_bucket).
  std::optional<sim::QuantileSketch> spare_sketch_;
  std::unique_ptr<OverloadGuard> guard_;
  std::unique_ptr<WorkGuard> work_guard_;
  std::uint64_t bucket_ = 0;  // index of the bucket in progress
};

// The summary tree of one replication (the scenario reference's shape without the experiment-level
// fields).
Json shop_summary(const Scenario& scenario, const std::vector<std::unique_ptr<Service>>& services,
                  const Sessions& sessions);

}  // namespace surgesim::models
