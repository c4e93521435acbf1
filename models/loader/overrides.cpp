#include "models/loader/overrides.hpp"

#include <charconv>

#include "models/loader/scenario_error.hpp"
#include "models/loader/suggest.hpp"

namespace surgesim::models {
namespace {

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    const std::size_t dot = path.find('.', start);
    parts.push_back(path.substr(start, dot - start));
    if (dot == std::string::npos) return parts;
    start = dot + 1;
  }
}

std::vector<std::string> keys_of(const YAML::Node& map) {
  std::vector<std::string> keys;
  for (const auto& kv : map) {
    if (kv.first.IsScalar()) keys.push_back(kv.first.Scalar());
  }
  return keys;
}

}  // namespace

Override parse_override(const std::string& option) {
  const std::size_t eq = option.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw ScenarioError("--set " + option, "",
                        "expected KEY.PATH=VALUE, e.g. services.web.instances=60");
  }
  return Override{option.substr(0, eq), option.substr(eq + 1)};
}

void apply_overrides(YAML::Node& root, const std::vector<Override>& overrides, YamlSource& source) {
  for (const Override& o : overrides) {
    const std::string option = "--set " + o.path + "=" + o.value;
    auto fail = [&](const std::string& where, const std::string& problem) {
      throw ScenarioError(option, where, problem);
    };
    const std::vector<std::string> parts = split_path(o.path);
    YAML::Node node = root;
    std::string walked;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      const std::string& key = parts[i];
      const bool last = i + 1 == parts.size();
      walked = walked.empty() ? key : walked + "." + key;
      if (key.empty()) fail(o.path, "empty key in the key path");
      if (node.IsSequence()) {
        std::size_t index = 0;
        const auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), index);
        if (ec != std::errc() || end != key.data() + key.size() || index >= node.size()) {
          fail(walked, "expected a list index below " + std::to_string(node.size()) + ", found \"" +
                           key + "\"");
        }
        YAML::Node child = node[index];
        node.reset(child);
      } else if (node.IsMap() || (node.IsNull() && last)) {
        if (!node[key].IsDefined() && !last) {
          fail(walked, "no such key" + did_you_mean(key, keys_of(node)));
        }
        YAML::Node child = node[key];
        node.reset(child);
      } else {
        fail(walked, "cannot descend into a scalar");
      }
    }
    if (node.IsMap() || node.IsSequence()) {
      fail(o.path, "--set replaces a single value, but this key holds a " +
                       std::string(node.IsMap() ? "map" : "list"));
    }
    try {
      node = YAML::Load(o.value);
    } catch (const YAML::Exception& e) {
      fail(o.path, "the value is not valid YAML: " + e.msg);
    }
    source.overrides[o.path] = option;
  }
}

}  // namespace surgesim::models
