#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/run/work_estimate.hpp"
#include "models/scenario.hpp"
#include "models/services/service.hpp"
#include "models/sessions/traffic_rate.hpp"
#include "sim/simulator.hpp"

namespace surgesim::models {

// Watches one replication's events so that a run doing far more work than its estimate
// foresaw ends with a sentence instead of running for hours. The estimate counts no
// retries: calls that fail at once, retried without backoff through a few levels of
// services, multiply a page into millions of requests at one instant of simulated time
// (five services deep with `retry.max: 100` and an outage at the bottom, 10^8 calls a
// page), and nothing else bounds them.
//
// At the event loop's checks (every 65,536 events) it takes the share of the run seen:
// the larger of the sessions arrived (of those the traffic brings) and the simulated time
// passed, and at least one session's. The replication is stopped (Overloaded) when all of
// these hold:
//   - it fired at least kLeastEvents (short runs always finish);
//   - it fired over kFactor times the estimated events for that share (a run doing what
//     its estimate says is never stopped: that estimate let it start);
//   - the events it fired, scaled to the whole run (÷ share × replications), pass what
//     the estimate allows: kMostCpuSeconds at kEventsPerSecond (work_estimate.hpp).
// A run started with --force (force=True) is not watched.
class WorkGuard final : public sim::LoopWatcher {
 public:
  static constexpr std::uint64_t kLeastEvents = std::uint64_t{1} << 24;
  static constexpr double kFactor = 4.0;

  // `estimate` is the run's (estimate_work); `force_option` names --force in the shell's
  // words.
  WorkGuard(const Scenario& scenario, const std::vector<std::unique_ptr<Service>>& services,
            const WorkEstimate& estimate, std::string force_option);

  void check(Time now, std::uint64_t fired) override;

  // The share of the run seen at `now` (see above); exposed for its tests.
  double share_seen(Time now) const;

 private:
  [[noreturn]] void stop(Time now, double fired, double expected, double share) const;
  std::string busiest_service(Time now) const;  // ", service e received ..." or ""
  std::string retries() const;                  // "; retries: ..." or ""

  const Scenario& scenario_;
  const std::vector<std::unique_ptr<Service>>& services_;
  RateFunction traffic_;
  double sessions_;      // the traffic's integral over the run
  double events_;        // estimated per replication
  double replications_;  // counted by the estimate
  std::vector<double> requests_per_session_;
  std::string force_option_;
};

}  // namespace surgesim::models
