#pragma once

#include <cstdint>
#include <optional>

#include "models/scenario.hpp"
#include "models/services/service.hpp"
#include "sim/random_stream.hpp"

namespace surgesim::models {

// A database behind a connection pool: `connections` queries run at once, the rest
// wait FCFS; a query that waits longer than `pool_timeout` for a connection fails with
// `pool_timeout`. With `contention`, every busy connection above `above` when a query
// starts stretches its time by the fraction `slowdown` (lock and I/O contention).
// During an outage it answers every request, waiting ones included, with `outage`.
class Database final : public Service {
 public:
  Database(const ServiceConfig& config, ServiceContext context, sim::RandomStream query_stream);

  void arrive(RequestId id) override;
  void withdraw(RequestId id) override;
  void on_event(std::uint32_t tag, std::uint32_t arg) override;

 private:
  enum Tag : std::uint32_t { kQueryDone, kTimeout, kPoolTimeout, kOutageStart, kOutageEnd };

  void start(RequestId id);
  void query_done(RequestId id);
  void leave_queue(RequestId id, Outcome outcome);
  void set_levels();

  DatabaseConfig config_;
  std::optional<Time> timeout_;
  sim::RandomStream query_stream_;
  std::uint32_t outages_ = 0;  // in progress
  std::uint64_t busy_ = 0;
  RequestQueue queue_;
};

}  // namespace surgesim::models
