#pragma once

#include <string>
#include <vector>

#include "models/loader/scenario_files.hpp"
#include "models/scenario.hpp"
#include "models/yaml/clock.hpp"
#include "models/yaml/yaml_node.hpp"

namespace surgesim::models {

// Reads the `traffic` map of docs/scenario.md.
TrafficConfig read_traffic(const YamlNode& node, const ScenarioPaths& paths);

// The rows of a traffic CSV's text (docs/scenario.md, "CSV traffic files"); errors are
// located in `file`, under `key_path`. With `start`, HH:MM[:SS] in `t` is a clock time.
std::vector<RatePoint> read_traffic_csv(const std::string& text, const std::string& file,
                                        const std::string& key_path,
                                        const StartClock* start = nullptr);

}  // namespace surgesim::models
