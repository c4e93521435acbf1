#pragma once

#include <cstdint>
#include <optional>

#include "models/scenario.hpp"
#include "models/services/service.hpp"
#include "sim/random_stream.hpp"

namespace surgesim::models {

// A look-aside cache: every lookup takes the hit time (holding one of `workers`, FCFS
// when all are busy); a hit answers, a miss then calls the backend and the backend's
// response time is added. The worker is free again once the lookup is done: the
// backend fetch does not occupy the cache. After a cold start (deploy, flush) the hit
// ratio is 0 and climbs back linearly; during an outage every lookup misses at once
// (the stampede reaches the backend).
class Cache final : public Service {
 public:
  struct Streams {
    sim::RandomStream lookup;  // lookup times
    sim::RandomStream hits;    // hit or miss
  };
  Cache(const ServiceConfig& config, ServiceContext context, Streams streams);

  void arrive(RequestId id) override;
  void withdraw(RequestId id) override;
  void on_callee_response(RequestId parent, RequestId callee, Outcome outcome) override;
  void on_event(std::uint32_t tag, std::uint32_t arg) override;

  // The hit ratio at time t, cold starts included.
  double hit_ratio(Time t) const;

 private:
  enum Tag : std::uint32_t { kLookupDone, kTimeout, kOutageStart, kOutageEnd };

  void start(RequestId id);
  void lookup_done(RequestId id);
  void miss(RequestId id);
  void time_out(RequestId id);
  void set_levels();

  CacheConfig config_;
  std::optional<Time> timeout_;
  std::uint32_t backend_;
  Streams streams_;
  std::uint32_t outages_ = 0;  // in progress
  std::uint64_t busy_ = 0;
  RequestQueue queue_;
};

}  // namespace surgesim::models
