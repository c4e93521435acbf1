#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "models/scenario.hpp"
#include "models/services/service.hpp"
#include "sim/random_stream.hpp"
#include "sim/time_weighted.hpp"

namespace surgesim::models {

// instances x workers behind one load balancer with a single FCFS queue, so with
// exponential service and no calls it is exactly an M/M/c (M/M/c/K with a bounded
// queue). After its own work a request makes its downstream `calls` in order while
// still holding its worker, so a slow database exhausts the web workers above it.
// Instances can go down (outages, crashes: the requests running on them fail) and
// come and go with the autoscaler.
class ServerPool final : public Service {
 public:
  struct Streams {
    sim::RandomStream service;  // own work
    sim::RandomStream calls;    // which calls are made (p < 1)
    sim::RandomStream crashes;  // times to failure and repair
  };
  ServerPool(const ServiceConfig& config, ServiceContext context, Streams streams);

  void arrive(RequestId id) override;
  void withdraw(RequestId id) override;
  void on_callee_response(RequestId parent, RequestId callee, Outcome outcome) override;
  void on_event(std::uint32_t tag, std::uint32_t arg) override;
  double cost_per_instance_hour() const override { return config_.cost_per_instance_hour; }

 private:
  enum Tag : std::uint32_t {
    kWorkDone,
    kTimeout,
    kOutageStart,
    kOutageEnd,
    kCrash,
    kRepair,
    kBooted,
    kAutoscale
  };
  static constexpr std::uint32_t kNoInstance = 0xffffffffu;

  struct Instance {
    std::uint32_t busy = 0;
    std::uint32_t outages = 0;  // outages holding it down (they may overlap)
    bool provisioned = false;   // paid for: booting, serving, down or draining
    bool booting = false;
    bool crashed = false;
    bool draining = false;  // scaled in: finishes its requests, takes no new ones
    bool in_free_list = false;
    sim::EventHandle crash;  // next failure (or repair while crashed)
    sim::EventHandle boot;
  };

  bool accepting(std::uint32_t i) const;
  std::uint32_t pick_instance();
  void start(RequestId id, std::uint32_t instance);
  void next_call(RequestId id);
  void finish(RequestId id, Outcome outcome);
  void free_worker(RequestId id);
  void serve_queue();
  void time_out(RequestId id);
  void leave_queue(RequestId id);

  void take_down(std::uint32_t instance, Outcome cause);
  void bring_up(std::uint32_t instance);
  void fail_running(std::uint32_t instance, Outcome cause);
  void start_outage(std::uint32_t outage);
  void end_outage(std::uint32_t outage);
  void crash(std::uint32_t instance);
  void repair(std::uint32_t instance);
  void provision(std::uint32_t instance);
  void deprovision(std::uint32_t instance);
  void autoscale();
  void capacity_changed();
  void set_busy();
  void set_queue();

  ServerPoolConfig config_;
  std::vector<std::pair<std::uint32_t, double>> calls_;  // callee index, probability
  std::vector<OutageConfig> outages_;
  std::optional<Time> timeout_;
  Streams streams_;
  std::vector<Instance> instances_;
  std::vector<RequestQueue> running_;     // per instance
  std::vector<std::uint32_t> free_list_;  // instances that may have a free worker
  std::vector<std::vector<std::uint32_t>> outage_instances_;  // who each outage took down
  std::uint32_t pool_outages_ = 0;                            // whole-pool outages in progress
  std::uint64_t busy_ = 0;
  RequestQueue queue_;
  // Busy workers since the last autoscale check.
  sim::TimeWeighted scale_busy_;
  Time last_scale_change_ = -sim::kForever;
};

}  // namespace surgesim::models
