#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "models/services/cache.hpp"
#include "models/services/database.hpp"
#include "models/services/payment_gateway.hpp"
#include "models/services/server_pool.hpp"
#include "models/services/service_type.hpp"
#include "models/services/token_bucket.hpp"

// The table of service types: the only list of them in the code base. Everything that
// depends on a service's type (reading its YAML, building its component, its call-graph
// edges, its size label, its analytic estimate) dispatches through visit_type, which
// std::visit makes exhaustive: a type added to the list without its descriptor
// functions does not compile, and a config whose type is not listed cannot be stored.
namespace surgesim::models {

template <ServiceType... Types>
struct ServiceTypeList {
  using Configs = std::variant<typename Types::Config...>;
};

// THE TABLE: add a type here (one header, one source, one entry).
using ServiceTypes = ServiceTypeList<ServerPoolType, CacheType, DatabaseType, PaymentGatewayType>;

template <class Config, class List>
struct DescriptorOf;
template <class Config, class First, class... Rest>
struct DescriptorOf<Config, ServiceTypeList<First, Rest...>>
    : std::conditional_t<std::is_same_v<typename First::Config, Config>, std::type_identity<First>,
                         DescriptorOf<Config, ServiceTypeList<Rest...>>> {};

// Every service: its name, the common keys, and the config of its type.
struct ServiceConfig {
  std::string name;
  std::optional<Time> timeout;
  std::vector<OutageConfig> outages;
  std::optional<RateLimitConfig> rate_limit;
  ServiceTypes::Configs type;
};

// Calls f(Descriptor{}, config) with the descriptor of the service's type.
template <class F>
decltype(auto) visit_type(const ServiceConfig& service, F&& f) {
  return std::visit(
      [&](const auto& config) -> decltype(auto) {
        using Descriptor =
            typename DescriptorOf<std::decay_t<decltype(config)>, ServiceTypes>::type;
        return f(Descriptor{}, config);
      },
      service.type);
}

// The YAML names of every type, in table order.
std::vector<std::string_view> service_type_names();
std::string_view type_name(const ServiceConfig& service);
// The services this one calls (edges of the call graph), in the order written.
std::vector<Callee> callees(const ServiceConfig& service);
// "server_pool 20x16", "cache 90% hits", ...: the type and what sizes it.
std::string size_label(const ServiceConfig& service);
// Fills the estimate's type-specific fields; `responses` holds every callee's.
void estimate_service(const ServiceConfig& service, const ResponseTimes& responses,
                      ServiceEstimate& estimate);
// The line the estimate's report prints under its table for this service ("" if none).
std::string estimate_note(const ServiceConfig& service);
// Builds the component; its random streams are "service.NAME.*" of (seed, replication).
std::unique_ptr<Service> make_service(const ServiceConfig& service, const ServiceContext& context,
                                      std::uint64_t seed, std::uint64_t replication);
// Reads `services.NAME` (the type, the common keys `timeout`, `outages` and `rate_limit`,
// the keys of that type). Whether callees exist and whether calls loop is checked on the
// call graph once every service is read.
ServiceConfig read_service(const std::string& name, const YamlNode& node);

}  // namespace surgesim::models
