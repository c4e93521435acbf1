#pragma once

#include <string>

#include "models/yaml/yaml_node.hpp"
#include "models/scenario.hpp"

namespace surgesim::models {

// Reads `services.NAME` of SCENARIO.md: the type, the common keys (`timeout`, `outages`)
// and the keys of that type. Whether `calls.to` and `miss.to` name services, and
// whether calls loop, is checked on the call graph once every service is read.
ServiceConfig read_service(const std::string& name, const YamlNode& node);

// The YAML node of a service's `calls[index].to` (server pools) or `miss.to` (caches,
// index ignored), for errors the call graph finds.
YamlNode service_reference_node(const ServiceConfig& service, const YamlNode& node,
                                std::size_t index);

// The name of a service type, as written in YAML.
std::string service_type_name(const ServiceConfig& service);

}  // namespace surgesim::models
