#pragma once

#include <string>
#include <vector>

#include "models/scenario.hpp"
#include "models/yaml/yaml_node.hpp"

namespace surgesim::models {

// Reads `journeys.NAME` of docs/scenario.md: its keys, its pages and their `next` maps (every
// target a page of the journey or 'exit', probabilities summing to 1). Which services
// the pages call, and whether every page is reachable, is checked on the call graph.
// `page_nodes` receives each page's node, in page order, for messages about it later.
JourneyConfig read_journey(const std::string& name, const YamlNode& node,
                           std::vector<YamlNode>& page_nodes);

}  // namespace surgesim::models
