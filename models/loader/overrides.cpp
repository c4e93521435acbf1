#include "models/loader/overrides.hpp"

#include <algorithm>
#include <charconv>
#include <memory>
#include <utility>

#include "models/yaml/scenario_error.hpp"
#include "models/yaml/suggest.hpp"

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

std::string list(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

std::string join(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

std::string describe(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return "nothing";
  if (node.IsMap()) return "a map";
  if (node.IsSequence()) return "a list";
  return "\"" + node.Scalar() + "\"";
}

// One override: walks its key path and replaces the value found there.
class OverrideWalk {
 public:
  explicit OverrideWalk(const Override& o) : o_(o), option_("--set " + o.path + "=" + o.value) {}

  const std::string& option() const { return option_; }
  // The key path as the loader writes it (list items as [i]), for matching errors.
  const std::string& canonical() const { return canonical_; }

  // The key path of the first map key this option creates ("" if none): everything
  // below it came from the command line.
  const std::string& created() const { return created_; }

  // Finds the node at the path; missing map keys are created (as maps on the way, the
  // last one with the value). Typos then meet validation, which knows the keys.
  void find(const YAML::Node& root) {
    const std::vector<std::string> parts = split_path(o_.path);
    YAML::Node node = root;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      const std::string& key = parts[i];
      if (key.empty()) {
        fail(o_.path, "expected KEY.PATH without empty keys, found \"" + o_.path + "\"");
      }
      if (node.IsSequence()) {
        node.reset(item(node, key));
      } else if (node.IsMap() || node.IsNull() || !node.IsDefined()) {
        node.reset(value(node, key));
      } else {
        fail(canonical_,
             "expected a map or a list to look up '" + key + "' in, found " + describe(node));
      }
      path_nodes_.push_back(node);
    }
  }

  // Replaces the scalar (or empty or missing value) found with the option's YAML value,
  // which it returns.
  YAML::Node replace(YAML::Node& root) {
    YAML::Node node = path_nodes_.back();
    if (node.IsMap() || node.IsSequence()) {
      const std::string what = node.IsMap() ? "a map" : "a list";
      const std::string hint =
          node.IsMap() ? "; set one of its keys instead: " + list(keys_of(node)) : "";
      fail(canonical_, "expected a single value to replace, found " + what + hint);
    }
    YAML::Node value;
    try {
      value = YAML::Load(o_.value);
    } catch (const YAML::Exception& e) {
      fail(canonical_, "the value is not valid YAML: " + e.msg);
    }
    // yaml-cpp assigns in place, which would change every alias of the node as well.
    if (shared(root)) {
      root.reset(rebuilt(root, 0, value));
    } else {
      node = value;
    }
    return value;
  }

  [[noreturn]] void fail(const std::string& path, const std::string& problem) const {
    throw ScenarioError(option_, path, problem);
  }

 private:
  struct Step {
    std::string key;        // in a map
    std::size_t index = 0;  // in a list
  };

  YAML::Node item(YAML::Node& list_node, const std::string& key) {
    std::size_t index = 0;
    const auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), index);
    if (ec != std::errc() || end != key.data() + key.size() || index >= list_node.size()) {
      const std::string range =
          list_node.size() == 0 ? "a list index, but the list is empty"
                                : "a list index from 0 to " + std::to_string(list_node.size() - 1);
      fail(canonical_, "expected " + range + ", found \"" + key + "\"");
    }
    canonical_ += "[" + key + "]";
    steps_.push_back({"", index});
    return list_node[index];
  }

  YAML::Node value(YAML::Node& map, const std::string& key) {
    const std::string path = join(canonical_, key);
    const bool missing = !map.IsDefined() || !map.IsMap() || !std::as_const(map)[key].IsDefined();
    if (missing && created_.empty()) created_ = path;
    canonical_ = path;
    steps_.push_back({key, 0});
    return map[key];
  }

  // Whether an alias makes some node on the path appear more than once in the tree.
  bool shared(const YAML::Node& root) const {
    std::vector<std::size_t> refs(path_nodes_.size());
    count_refs(root, refs);
    return std::any_of(refs.begin(), refs.end(), [](std::size_t n) { return n > 1; });
  }

  void count_refs(const YAML::Node& node, std::vector<std::size_t>& refs) const {
    auto child = [&](const YAML::Node& c) {
      for (std::size_t i = 0; i < path_nodes_.size(); ++i) refs[i] += path_nodes_[i].is(c);
      count_refs(c, refs);
    };
    if (node.IsMap()) {
      for (const auto& kv : node) child(kv.second);
    } else if (node.IsSequence()) {
      for (const auto& c : node) child(c);
    }
  }

  // A copy of `node` with the value at steps_[i..] replaced. Only the maps and lists
  // on the path are new (and lose their marks); all else is shared, not copied.
  YAML::Node rebuilt(const YAML::Node& node, std::size_t i, const YAML::Node& value) const {
    if (i == steps_.size()) return value;
    const Step& step = steps_[i];
    if (node.IsSequence()) {
      YAML::Node out(YAML::NodeType::Sequence);
      std::size_t j = 0;
      for (const auto& c : node) {
        out.push_back(j++ == step.index ? rebuilt(c, i + 1, value) : YAML::Node(c));
      }
      return out;
    }
    YAML::Node out(YAML::NodeType::Map);
    bool found = false;
    if (node.IsMap()) {
      for (const auto& kv : node) {
        const bool here = !found && kv.first.IsScalar() && kv.first.Scalar() == step.key;
        found = found || here;
        out.force_insert(kv.first, here ? rebuilt(kv.second, i + 1, value) : kv.second);
      }
    }
    if (!found) out.force_insert(step.key, rebuilt(YAML::Node(), i + 1, value));
    return out;
  }

  const Override& o_;
  std::string option_;
  std::string canonical_;
  std::string created_;
  std::vector<Step> steps_;
  std::vector<YAML::Node> path_nodes_;  // the node after each step
};

}  // namespace

Override parse_override(const std::string& option) {
  const std::size_t eq = option.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw ScenarioError(
        "--set " + option, "",
        "expected KEY.PATH=VALUE, e.g. services.web.instances=60, found \"" + option + "\"");
  }
  return Override{option.substr(0, eq), option.substr(eq + 1)};
}

void apply_overrides(YAML::Node& root, const std::vector<Override>& overrides, YamlSource& source) {
  for (const Override& o : overrides) {
    OverrideWalk walk(o);
    walk.find(root);
    const YAML::Node node = walk.replace(root);
    source.overrides[walk.canonical()] = walk.option();
    if (!walk.created().empty()) source.overrides[walk.created()] = walk.option();
    // The file was checked before; the new value (`&a [*a]`, duplicate keys) was not.
    check_structure(YamlNode(node, walk.canonical(), std::make_shared<YamlSource>(source)));
  }
}

}  // namespace surgesim::models
