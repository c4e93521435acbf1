#include "models/loader/scenario_document.hpp"

#include <yaml-cpp/depthguard.h>

#include <algorithm>

#include "models/yaml/scenario_error.hpp"
#include "models/yaml/suggest.hpp"
#include "models/yaml/untrusted_text.hpp"

namespace surgesim::models {
namespace {

std::string mark_location(const std::string& file, const YAML::Mark& mark) {
  if (mark.is_null()) return file;
  return file + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

std::string list(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

// yaml-cpp's messages are fixed texts, a few of which end with what was read ("unknown
// escape character: X"): that part is dropped.
std::string yaml_problem(const std::string& message) {
  return message.substr(0, message.find(": "));
}

YAML::Node parse_yaml(const std::string& text, const std::string& file) {
  try {
    // YAML::Load would quietly drop every document after the first.
    const std::vector<YAML::Node> documents = YAML::LoadAll(text);
    for (std::size_t i = 1; i < documents.size(); ++i) {
      if (documents[i].IsNull()) continue;
      throw ScenarioError(mark_location(file, documents[i].Mark()), "",
                          "expected one YAML document, found another one here (after '---')");
    }
    return documents.empty() ? YAML::Node() : documents.front();
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp 0.7 says "bad file" here, which sends users looking in the wrong place.
    throw ScenarioError(
        mark_location(file, e.mark), "",
        "invalid YAML: nested too deeply (" + std::to_string(e.depth()) + " levels or more)");
  } catch (const YAML::Exception& e) {
    throw ScenarioError(mark_location(file, e.mark), "", "invalid YAML: " + yaml_problem(e.msg));
  }
}

[[noreturn]] void not_a_scenario(const std::string& location, const std::string& found) {
  throw ScenarioError(location, "",
                      "this is not a scenario: expected a map of a scenario's top-level keys (" +
                          list(scenario_keys()) + ", extends), found " + found);
}

void check_top_level(const YAML::Node& root, const std::string& file) {
  if (!root.IsDefined() || root.IsNull()) return;
  if (root.IsSequence()) not_a_scenario(mark_location(file, root.Mark()), "a list");
  if (!root.IsMap()) not_a_scenario(mark_location(file, root.Mark()), "text");
  for (const auto& kv : root) {
    const YAML::Node& key = kv.first;
    if (!key.IsScalar()) not_a_scenario(mark_location(file, key.Mark()), "a key that is not text");
    const std::vector<std::string>& keys = scenario_keys();
    const std::string& k = key.Scalar();
    if (k == "extends" || std::find(keys.begin(), keys.end(), k) != keys.end()) continue;
    if (!closest_match(k, keys).empty()) continue;  // a typo: the loader names it later
    not_a_scenario(mark_location(file, key.Mark()), "another key here");
  }
}

}  // namespace

const std::vector<std::string>& scenario_keys() {
  static const std::vector<std::string> keys = {
      "name",   "description", "currency", "start",        "duration", "warmup",   "window",
      "bucket", "seed",        "replications", "traffic",  "journeys", "services", "slo"};
  return keys;
}

YAML::Node parse_scenario_document(const std::string& text, const std::string& file) {
  check_text(text, file);
  YAML::Node root = parse_yaml(text, file);
  check_top_level(root, file);
  return root;
}

}  // namespace surgesim::models
