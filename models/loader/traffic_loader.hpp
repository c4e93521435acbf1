#pragma once

#include <string>

#include "models/scenario.hpp"
#include "models/yaml/yaml_node.hpp"

namespace surgesim::models {

// Reads the `traffic` map of docs/scenario.md. `scenario_dir` resolves a relative `csv` path.
TrafficConfig read_traffic(const YamlNode& node, const std::string& scenario_dir);

}  // namespace surgesim::models
