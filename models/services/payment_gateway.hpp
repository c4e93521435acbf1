#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/services/service_type.hpp"
#include "sim/distribution.hpp"

namespace surgesim::models {

struct ProviderConfig {
  std::string name;
  double share = 0.0;
  sim::Distribution latency;
  std::optional<std::uint64_t> concurrency;  // none: unlimited
  double decline = 0.0;
  double error = 0.0;
  std::vector<OutageConfig> outages;
};

struct PaymentGatewayConfig {
  std::vector<ProviderConfig> providers;
  bool failover = false;
};

// Payment providers behind one gateway, picked by share; a decline is a business answer
// (final), errors, rejections at a provider's cap and its outages may fail over.
struct PaymentGatewayType {
  using Config = PaymentGatewayConfig;
  static constexpr std::string_view name = "payment_gateway";
  static std::vector<std::string> keys();
  static Config read(const YamlMap& map);
  static std::unique_ptr<Service> make(const ServiceConfig& service, const ServiceContext& context,
                                       const ServiceStreams& streams);
  static std::vector<Callee> callees(const Config&) { return {}; }
  static std::string size_label(const Config& config);
  static void estimate(const Config& config, const ResponseTimes& responses,
                       ServiceEstimate& estimate);
};

}  // namespace surgesim::models
