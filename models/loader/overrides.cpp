#include "models/loader/overrides.hpp"

#include <algorithm>
#include <charconv>
#include <memory>
#include <optional>
#include <utility>

#include "models/yaml/scenario_error.hpp"
#include "models/yaml/suggest.hpp"
#include "models/yaml/untrusted_text.hpp"

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

std::string join(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

std::string describe(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return "nothing";
  if (node.IsMap()) return "a map";
  if (node.IsSequence()) return "a list";
  return "\"" + excerpt(node.Scalar()) + "\"";
}

bool is_index(const std::string& key) {
  return !key.empty() &&
         std::all_of(key.begin(), key.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// One override: walks its key path and replaces the value found there.
class OverrideWalk {
 public:
  explicit OverrideWalk(const Override& o) : o_(o), option_(override_origin(o)) {}

  const std::string& option() const { return option_; }
  // The key path as the loader writes it (list items as [i]), for matching errors.
  const std::string& canonical() const { return canonical_; }

  // The key path of the first map key or list item this override creates ("" if none):
  // everything below it came from the override.
  const std::string& created() const { return created_; }

  // Follows the path as far as it exists. Past that, the override creates what is
  // missing: a map for a name, a list for an index (0 starts a list; a list's size
  // appends to it). Typos then meet validation, which knows the keys.
  void find(const YAML::Node& root) {
    const std::vector<std::string> parts = split_path(o_.path);
    YAML::Node node = root;
    for (const std::string& key : parts) {
      if (key.empty()) {
        fail(o_.path, "expected KEY.PATH without empty keys, found \"" + o_.path + "\"");
      }
      if (missing_) {
        new_step(key, NewStep::fresh);
      } else if (node.IsSequence()) {
        node.reset(item(node, key));
      } else if (node.IsMap()) {
        node.reset(value(node, key));
      } else if (!node.IsDefined() || node.IsNull()) {  // `key:` with nothing: filled anew
        missing_ = true;
        null_parent_ = true;
        new_step(key, NewStep::fresh);
      } else {
        fail(canonical_,
             "expected a map or a list to look up '" + key + "' in, found " + describe(node));
      }
    }
  }

  // Replaces what was found (a scalar, a list or a map, or nothing) with the override's
  // YAML value, which it returns.
  YAML::Node replace(YAML::Node& root) {
    YAML::Node value;
    try {
      value = YAML::Load(o_.value);
    } catch (const YAML::Exception& e) {
      fail(canonical_, "the value is not valid YAML: " + e.msg);
    }
    // yaml-cpp assigns in place, which would change every alias of the node as well.
    if (shared(root)) {
      root.reset(rebuilt(root, 0, value));
      return value;
    }
    const std::size_t first_new = path_nodes_.size();
    if (first_new == steps_.size()) {
      YAML::Node node = path_nodes_.back();
      node = value;
    } else if (null_parent_) {  // the empty value becomes the list or map to create
      YAML::Node parent = first_new == 0 ? root : path_nodes_[first_new - 1];
      parent = rebuilt(YAML::Node(), first_new, value);
    } else {
      YAML::Node parent = first_new == 0 ? root : path_nodes_[first_new - 1];
      const YAML::Node fresh = rebuilt(YAML::Node(), first_new + 1, value);
      if (steps_[first_new].index) {
        parent.push_back(fresh);
      } else {
        parent[steps_[first_new].key] = fresh;
      }
    }
    return value;
  }

  [[noreturn]] void fail(const std::string& path, const std::string& problem) const {
    throw ScenarioError(option_, path, problem);
  }

 private:
  struct Step {
    std::string key;                   // in a map
    std::optional<std::size_t> index;  // in a list
  };

  YAML::Node item(YAML::Node& list_node, const std::string& key) {
    std::size_t index = 0;
    const auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), index);
    const std::size_t size = list_node.size();
    if (ec != std::errc() || end != key.data() + key.size() || index > size) {
      const std::string range = size == 0 ? "0 (a first item for the empty list)"
                                          : "a list index from 0 to " + std::to_string(size - 1) +
                                                " (or " + std::to_string(size) + " to add an item)";
      fail(canonical_, "expected " + range + ", found \"" + key + "\"");
    }
    if (index == size) {
      missing_ = true;
      new_step(key, NewStep::appends);
      return YAML::Node();
    }
    canonical_ += "[" + key + "]";
    steps_.push_back({"", index});
    path_nodes_.push_back(list_node[index]);
    return path_nodes_.back();
  }

  YAML::Node value(YAML::Node& map, const std::string& key) {
    if (!std::as_const(map)[key].IsDefined()) {
      missing_ = true;
      new_step(key, NewStep::in_map);
      return YAML::Node();
    }
    canonical_ = join(canonical_, key);
    steps_.push_back({key, std::nullopt});
    path_nodes_.push_back(map[key]);
    return path_nodes_.back();
  }

  // A step below the existing tree: `in_map`, a key missing from an existing map;
  // `appends`, the size of an existing list; else a step inside something new, where a
  // whole number starts a list (at 0) and anything else is a map key.
  enum class NewStep { in_map, appends, fresh };
  void new_step(const std::string& key, NewStep kind) {
    const bool index = kind == NewStep::appends || (kind == NewStep::fresh && is_index(key));
    if (kind == NewStep::fresh && index && key != "0") {
      fail(canonical_.empty() ? key : canonical_,
           "expected 0 to start a new list here (nothing is there yet), found \"" + key + "\"");
    }
    canonical_ = index ? canonical_ + "[" + key + "]" : join(canonical_, key);
    if (created_.empty()) created_ = canonical_;
    steps_.push_back({key, index ? std::optional<std::size_t>(std::stoul(key)) : std::nullopt});
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

  // A copy of `node` with the value at steps_[i..] replaced (or added). Only the maps and
  // lists on the path are new (and lose their marks); all else is shared, not copied.
  YAML::Node rebuilt(const YAML::Node& node, std::size_t i, const YAML::Node& value) const {
    if (i == steps_.size()) return value;
    const Step& step = steps_[i];
    if (step.index) {
      YAML::Node out(YAML::NodeType::Sequence);
      bool found = false;
      if (node.IsSequence()) {
        std::size_t j = 0;
        for (const auto& c : node) {
          const bool here = j++ == *step.index;
          found = found || here;
          out.push_back(here ? rebuilt(c, i + 1, value) : YAML::Node(c));
        }
      }
      if (!found) out.push_back(rebuilt(YAML::Node(), i + 1, value));
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
  std::vector<YAML::Node> path_nodes_;  // the existing node after each step, as far as it exists
  bool missing_ = false;                // the path leaves the existing tree
  bool null_parent_ = false;            // ... at an empty value (`key:`)
};

// What a scenario file may hold, an option may hold (from Python, a str can hold NUL).
void check_option_text(const Override& o) {
  try {
    check_text(o.path + "=" + o.value, "");
  } catch (const ScenarioError& e) {
    throw ScenarioError(override_origin(o), "", e.problem());
  }
}

}  // namespace

std::string override_origin(const Override& o) {
  // Cut and escaped as any quoted value: an option can hold anything (a NUL from Python).
  return o.origin.empty() ? "--set " + excerpt(o.path) + "=" + excerpt(o.value) : excerpt(o.origin);
}

Override parse_override(const std::string& option) {
  const std::size_t eq = option.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw ScenarioError("--set " + option, "",
                        "expected KEY.PATH=VALUE, e.g. services.web.instances=60, found \"" +
                            excerpt(option) + "\"");
  }
  return Override{option.substr(0, eq), option.substr(eq + 1), "--set " + option};
}

void apply_overrides(YAML::Node& root, const std::vector<Override>& overrides, YamlSource& source) {
  for (const Override& o : overrides) {
    check_option_text(o);
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
