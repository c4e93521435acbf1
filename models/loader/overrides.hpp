#pragma once

#include <vector>

#include "models/loader/scenario_loader.hpp"
#include "models/yaml/yaml_node.hpp"

namespace surgesim::models {

// Replaces the scalar at each override's key path (creating missing map keys on the
// way, as maps) and records the path so that errors there name the option.
void apply_overrides(YAML::Node& root, const std::vector<Override>& overrides, YamlSource& source);

}  // namespace surgesim::models
