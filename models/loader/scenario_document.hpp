#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

// A scenario's YAML document, as the text of a file (the scenario, or a base it
// extends) becomes one: text checked first (UTF-8, printable), one YAML document, and a
// top level that is a scenario's. A file that is not a scenario is described, never
// quoted: `extends: /etc/shadow` must not answer with the first line of the file.
namespace surgesim::models {

// The top-level keys of a scenario, in the order of docs/scenario.md (`extends` aside).
const std::vector<std::string>& scenario_keys();

// Parses `text` (named `file` in messages). Throws ScenarioError unless it is UTF-8 text
// of one YAML document that is empty (null) or a map whose keys are a scenario's
// top-level keys, `extends`, or near misses of them (a typo is reported later, with a
// did-you-mean). Any other key makes it "not a scenario", located at the key's line,
// the key not quoted.
YAML::Node parse_scenario_document(const std::string& text, const std::string& file);

}  // namespace surgesim::models
