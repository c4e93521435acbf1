#pragma once

#include <string>

#include "models/loader/scenario_files.hpp"
#include "models/scenario.hpp"
#include "models/yaml/yaml_node.hpp"

namespace surgesim::models {

// Reads the `traffic` map of docs/scenario.md.
TrafficConfig read_traffic(const YamlNode& node, const ScenarioPaths& paths);

}  // namespace surgesim::models
