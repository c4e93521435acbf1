#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/services/service_type.hpp"
#include "sim/distribution.hpp"

namespace surgesim::models {

struct AutoscaleConfig {
  double target = 0.0;  // utilisation in (0, 1]
  int min = 1;
  int max = 1;
  Time interval = 60.0;
  Time delay = 0.0;
  Time cooldown = 0.0;
};

struct CrashConfig {
  Time mtbf = 0.0;  // mean of the exponential time to failure, per instance
  Time mttr = 0.0;  // mean of the exponential repair time
};

struct ServerPoolConfig {
  int instances = 0;
  int workers = 1;
  std::optional<std::uint64_t> queue;  // none: unlimited
  sim::Distribution service;
  std::vector<CallConfig> calls;
  std::optional<AutoscaleConfig> autoscale;
  std::optional<CrashConfig> crashes;
  double cost_per_instance_hour = 0.0;
};

// instances x workers behind one load balancer with a single FCFS queue (an M/M/c with
// exponential work and no calls); after its own work a request makes its `calls` while
// still holding its worker. The component is in server_pool.cpp, the rest of the
// descriptor in server_pool_type.cpp.
struct ServerPoolType {
  using Config = ServerPoolConfig;
  static constexpr std::string_view name = "server_pool";
  static std::vector<std::string> keys();
  static Config read(const YamlMap& map);
  static std::unique_ptr<Service> make(const ServiceConfig& service, const ServiceContext& context,
                                       const ServiceStreams& streams);
  static std::vector<Callee> callees(const Config& config);
  static std::string size_label(const Config& config);
  static void estimate(const Config& config, const ResponseTimes& responses,
                       ServiceEstimate& estimate);
  static std::string estimate_note(const Config& config);
  static int max_outage_instances(const Config& config) { return config.instances; }
};

}  // namespace surgesim::models
