#pragma once

#include "models/scenario.hpp"
#include "models/yaml/yaml_node.hpp"

namespace surgesim::models {

// Reads the top-level `waiting_room` of docs/scenario.md ("Sale-day levers"). `duration`
// bounds `to`.
WaitingRoomConfig read_waiting_room(const YamlNode& node, Time duration);

}  // namespace surgesim::models
