#pragma once

#include <vector>

#include "models/scenario.hpp"
#include "models/yaml/yaml_node.hpp"

namespace surgesim::models {

// Reads the `slo` list of docs/scenario.md. Journeys and services must be read first: every
// scope names something that exists.
std::vector<SloConfig> read_slos(const YamlNode& node, const Scenario& scenario);

}  // namespace surgesim::models
