#pragma once

#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/scenario.hpp"
#include "models/services/request.hpp"
#include "models/services/service.hpp"
#include "models/sessions/traffic_rate.hpp"
#include "sim/simulator.hpp"

namespace surgesim::models {

// A replication stopped because its requests in flight would pass its share of the
// memory the run may use (docs/scenario.md: exit status 1, naming the overloaded service).
class Overloaded : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Watches one replication's requests in flight so that an overloaded service ends the
// run with a sentence instead of eating the machine's memory (20,000 sessions/s into one
// worker with an unlimited queue grew 1.4 GB in 20 s).
//
// It wakes when the request pool's storage (which never shrinks) first holds a
// sixteenth of the budget: memory grows only there, so a healthy shop, or a transient
// overload that stays small, runs in full and pays nothing for the guard. Awake, it
// checks at most a second of simulated time apart; once the requests in flight fall
// below that share again it sleeps until the storage grows further. Beyond that share
// it projects each queue to the end of the run as a fluid: requests come in at the rate
// just seen, scaled by the traffic ahead (λ(t), known), leave at the pace the service
// showed (its starts over its utilisation: its capacity) and by giving up (patience and
// timeouts, at the per-request rate just seen). An overload that the traffic lets drain
// projects a peak and continues; the run stops only when the projected requests in
// flight would pass the budget, or already do, before they are allocated.
class OverloadGuard final : public sim::EventTarget, public PoolWatcher {
 public:
  OverloadGuard(const Scenario& scenario, sim::Simulator& sim, RequestPool& requests,
                const std::vector<std::unique_ptr<Service>>& services, double budget_bytes,
                std::string memory_option);

  void start();                    // watches the request pool
  void on_pool_growth() override;  // wakes: the checks begin
  void on_event(std::uint32_t tag, std::uint32_t arg) override;

  // Measured: resident memory over millions of queued page requests, each with its
  // session and its events, rounded up.
  static constexpr double kBytesPerRequest = 128.0;

 private:
  // What a service's total window held at the last check.
  struct Seen {
    double arrivals = 0.0;
    double started = 0.0;
    double left = 0.0;  // gave up in the queue or timed out
    double waiting = 0.0;
    double queue_area = 0.0;
    double busy_area = 0.0;
    double available_area = 0.0;
  };
  // A queue's fluid: in(t) = in x traffic(t) / traffic now, out = capacity + leave x q.
  struct Flow {
    std::size_t service = 0;
    double waiting = 0.0;                                   // now
    double in = 0.0;                                        // requests per second into the service
    double capacity = 0.0;                                  // starts per second when busy
    double leave = 0.0;                                     // per waiting request per second
    double growth = 0.0;                                    // seen, per second
    double most = std::numeric_limits<double>::infinity();  // a bounded queue's bound
  };

  void check();
  std::vector<Flow> flows(double dt) const;
  // The first time the projected requests in flight pass the budget (< 0: never), and
  // the flow that holds the most then.
  double projected_crossing(std::vector<Flow>& flows, double others, std::size_t& culprit) const;
  [[noreturn]] void stop(const Flow& flow, double at) const;
  Seen seen_now(const Service& service) const;

  const Scenario& scenario_;
  sim::Simulator& sim_;
  RequestPool& requests_;
  const std::vector<std::unique_ptr<Service>>& services_;
  RateFunction traffic_;
  double budget_requests_;
  double budget_bytes_;
  std::string memory_option_;
  double watched_requests_;  // in flight above this, the guard is awake
  Time last_t_ = 0.0;
  std::vector<Seen> last_;
};

}  // namespace surgesim::models
