#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/services/service_type.hpp"
#include "sim/distribution.hpp"

namespace surgesim::models {

struct ColdStart {
  Time at = 0.0;
  Time warmup = 0.0;  // the hit ratio climbs linearly from 0 back over this span
};

struct CacheConfig {
  double hit_ratio = 0.0;
  sim::Distribution hit;
  std::string miss_to;
  CallOptions miss_options;              // `optional`, `retry`, `breaker` of the miss
  std::optional<std::uint64_t> workers;  // none: unlimited
  std::vector<ColdStart> cold;
};

// A look-aside cache in front of a backend (`miss.to`): hits answer after the lookup,
// misses call the backend. In an outage every lookup misses.
struct CacheType {
  using Config = CacheConfig;
  static constexpr std::string_view name = "cache";
  static std::vector<std::string> keys();
  static Config read(const YamlMap& map);
  static std::unique_ptr<Service> make(const ServiceConfig& service, const ServiceContext& context,
                                       const ServiceStreams& streams);
  static std::vector<Callee> callees(const Config& config);
  static std::string size_label(const Config& config);
  static void estimate(const Config& config, const ResponseTimes& responses,
                       ServiceEstimate& estimate);
  static std::string estimate_note(const Config& config);
};

}  // namespace surgesim::models
