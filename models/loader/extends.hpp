#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

#include "models/loader/scenario_files.hpp"
#include "models/yaml/yaml_node.hpp"

namespace surgesim::models {

// `extends: BASE.yaml` (an extension of docs/scenario.md, for what-if scenarios): the
// scenario is the base file's YAML with this file's keys merged over it. Maps merge key
// by key in the base's order (new keys after), lists and scalars replace. A base may
// extend another; a cycle is an error. Key paths taken from a base are recorded in
// `source.inherited`, so errors about them name the base file and its line. A relative
// base is found from `dir` (the directory of `file`, or where a scenario given as text
// says its paths start) and read through `files`; the bases together may hold `budget`
// bytes (input_file.hpp).
YAML::Node resolve_extends(const YAML::Node& root, const std::string& file, const std::string& dir,
                           YamlSource& source, ScenarioFiles& files, std::size_t budget);

}  // namespace surgesim::models
