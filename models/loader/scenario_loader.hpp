#pragma once

#include <string>
#include <vector>

#include "models/scenario.hpp"

namespace surgesim::models {

// A `--set KEY.PATH=VALUE` option, applied to the YAML before validation.
struct Override {
  std::string path;
  std::string value;
};

// Reads and validates a scenario file. Throws ScenarioError (file:line:column, key
// path, expected vs found) for anything that is not a valid scenario.
Scenario load_scenario_file(const std::string& path, const std::vector<Override>& overrides = {});
// The same from text; `file` names it in messages.
Scenario load_scenario_text(const std::string& text, const std::string& file,
                            const std::vector<Override>& overrides = {});

// Parses "KEY.PATH=VALUE"; throws ScenarioError if there is no '='.
Override parse_override(const std::string& option);

}  // namespace surgesim::models
