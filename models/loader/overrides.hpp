#pragma once

#include <vector>

#include "models/loader/scenario_loader.hpp"
#include "models/yaml/yaml_node.hpp"

namespace surgesim::models {

// Replaces the value at each override's key path (a scalar, or a whole list or map),
// creating what is missing on the way (maps; lists for indices), and records the path so
// that errors there name the override.
void apply_overrides(YAML::Node& root, const std::vector<Override>& overrides, YamlSource& source);

}  // namespace surgesim::models
