#pragma once

#include <cstdint>
#include <optional>

#include "models/scenario.hpp"
#include "models/service.hpp"
#include "sim/random_stream.hpp"

namespace surgesim::models {

// instances x workers behind one load balancer with a single FCFS queue, so with
// exponential service and no calls it is exactly an M/M/c (M/M/c/K with a bounded
// queue). A request that finds the queue full is rejected.
class ServerPool final : public Service {
 public:
  ServerPool(const ServiceConfig& config, ServiceContext context, sim::RandomStream service_stream);

  void arrive(RequestId id) override;
  void withdraw(RequestId id) override;
  void on_event(std::uint32_t tag, std::uint32_t arg) override;

 private:
  enum Tag : std::uint32_t { kServiceDone, kTimeout };

  void start(RequestId id);
  void finish(RequestId id);
  void time_out(RequestId id);
  void leave_queue(RequestId id);

  ServerPoolConfig config_;
  std::optional<Time> timeout_;
  sim::RandomStream service_stream_;
  std::uint64_t capacity_;
  std::uint64_t busy_ = 0;
  RequestQueue queue_;
};

}  // namespace surgesim::models
