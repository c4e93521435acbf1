#include "models/services/service_types.hpp"

#include <algorithm>

#include "models/services/service.hpp"
#include "models/services/service_estimate.hpp"
#include "models/yaml/scenario_error.hpp"
#include "models/yaml/suggest.hpp"
#include "models/yaml/yaml_node.hpp"

namespace surgesim::models {
namespace {

const std::vector<std::string> kCommonKeys = {"type", "timeout", "outages", "rate_limit"};

template <class... Types>
std::vector<std::string_view> names_of(ServiceTypeList<Types...>) {
  return {Types::name...};
}

std::string names_text() {
  std::string text;
  for (const std::string_view name : service_type_names()) {
    text += (text.empty() ? "" : ", ") + std::string(name);
  }
  return text;
}

std::optional<YamlNode> find_key(const YamlNode& map, const std::string& key) {
  for (const auto& [k, child] : map.entries()) {
    if (k == key) return child;
  }
  return std::nullopt;
}

// The type decides which keys are known, so it is read before the rest.
std::string read_type(const YamlNode& node) {
  if (!node.is_map()) node.expected("a service (a map with 'type': " + names_text() + ")");
  const auto type_node = find_key(node, "type");
  if (!type_node) {
    throw ScenarioError(node.location(), node.path() + ".type",
                        "missing required key 'type' (one of " + names_text() + ")");
  }
  const std::string type = type_node->as_string();
  const std::vector<std::string_view> names = service_type_names();
  if (std::find(names.begin(), names.end(), type) == names.end()) {
    const std::vector<std::string> known(names.begin(), names.end());
    type_node->expected("a service type: " + names_text(), did_you_mean(type, known));
  }
  return type;
}

template <class Type>
void read_as(const YamlNode& node, ServiceConfig& service) {
  std::vector<std::string> keys = kCommonKeys;
  const std::vector<std::string> own = Type::keys();
  keys.insert(keys.end(), own.begin(), own.end());
  const auto config = Type::read(YamlMap(node, keys));
  int instances = 0;  // outages take down the whole service unless the type says otherwise
  if constexpr (requires { Type::max_outage_instances(config); }) {
    instances = Type::max_outage_instances(config);
  }
  service.type = config;
  if (const auto n = find_key(node, "outages")) service.outages = read_outages(*n, instances);
}

template <class... Types>
void read_by_name(ServiceTypeList<Types...>, const std::string& type, const YamlNode& node,
                  ServiceConfig& service) {
  // The first type of that name reads it; the fold stops there.
  static_cast<void>(((type == Types::name ? (read_as<Types>(node, service), true) : false) || ...));
}

}  // namespace

std::vector<std::string_view> service_type_names() {
  return names_of(ServiceTypes{});
}

std::string_view type_name(const ServiceConfig& service) {
  return visit_type(service, [](auto type, const auto&) { return std::string_view(type.name); });
}

std::vector<Callee> callees(const ServiceConfig& service) {
  return visit_type(service, [](auto type, const auto& config) { return type.callees(config); });
}

std::string size_label(const ServiceConfig& service) {
  return visit_type(service, [](auto type, const auto& config) { return type.size_label(config); });
}

void estimate_service(const ServiceConfig& service, const ResponseTimes& responses,
                      ServiceEstimate& estimate) {
  estimate.type = std::string(type_name(service));
  visit_type(service,
             [&](auto type, const auto& config) { type.estimate(config, responses, estimate); });
}

std::string estimate_note(const ServiceConfig& service) {
  return visit_type(service, [](auto type, const auto& config) -> std::string {
    if constexpr (requires { type.estimate_note(config); }) {
      return type.estimate_note(config);
    } else {
      return "";
    }
  });
}

std::unique_ptr<Service> make_service(const ServiceConfig& service, const ServiceContext& context,
                                      std::uint64_t seed, std::uint64_t replication) {
  const ServiceStreams streams{seed, replication, "service." + service.name};
  return visit_type(service,
                    [&](auto type, const auto&) { return type.make(service, context, streams); });
}

ServiceConfig read_service(const std::string& name, const YamlNode& node) {
  const std::string type = read_type(node);
  ServiceConfig service;
  service.name = name;
  read_by_name(ServiceTypes{}, type, node, service);
  if (const auto n = find_key(node, "timeout")) {
    service.timeout = read_positive_duration(*n, "a timeout");
  }
  if (const auto n = find_key(node, "rate_limit")) service.rate_limit = read_rate_limit(*n);
  return service;
}

}  // namespace surgesim::models
