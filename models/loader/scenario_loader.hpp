#pragma once

#include <optional>
#include <string>
#include <vector>

#include "models/loader/scenario_files.hpp"
#include "models/scenario.hpp"

namespace surgesim::models {

// A change to the YAML before validation: `--set KEY.PATH=VALUE` on the command line,
// `Scenario.set` in Python. List items are addressed by index (`slo.0.max`); the value
// is YAML text, so a whole list or map may be given in flow style.
struct Override {
  std::string path;
  std::string value;
  // How messages name it: "--set services.web.instances=60", or Python's
  // "set('services.web.instances', 60)". Empty: "--set PATH=VALUE".
  std::string origin;
};

// Where a scenario comes from.
struct ScenarioSource {
  std::string file;                 // the scenario file, or its name in messages with `text`
  std::optional<std::string> text;  // the YAML itself: the file is then not read
  // Where relative paths (`extends`, `csv`) start; none: the file's directory.
  std::optional<std::string> base_dir;
  std::vector<Override> overrides;  // applied in order
};

// Reads and validates a scenario. Throws ScenarioError (file:line:column or the override,
// key path, expected vs found) for anything that is not a valid scenario. An error that
// only the overrides bring about (a value in the file checked against an overridden one)
// names the first override that brings it about. The files the scenario names are read
// through `files`, which remembers them.
Scenario load_scenario(const ScenarioSource& source, ScenarioFiles& files);

// The same with files read from disk.
Scenario load_scenario_file(const std::string& path, const std::vector<Override>& overrides = {});
// From text; `file` names it in messages and its directory locates relative paths.
Scenario load_scenario_text(const std::string& text, const std::string& file,
                            const std::vector<Override>& overrides = {});

// Parses "KEY.PATH=VALUE"; throws ScenarioError if there is no '='.
Override parse_override(const std::string& option);
// How messages name an override (its origin, or "--set PATH=VALUE"), cut and escaped as
// messages quote values.
std::string override_origin(const Override& o);

}  // namespace surgesim::models
