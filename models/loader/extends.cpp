#include "models/loader/extends.hpp"

#include <filesystem>
#include <system_error>
#include <vector>

#include "models/loader/input_file.hpp"
#include "models/loader/scenario_document.hpp"
#include "models/yaml/scenario_error.hpp"
#include "models/yaml/untrusted_text.hpp"

namespace surgesim::models {
namespace {

constexpr std::size_t kMaxDepth = 16;

const std::string& read_base(const YamlNode& at, const std::string& path, ScenarioFiles& files,
                             std::size_t budget) {
  try {
    return files.read(path, kBaseInput, budget);
  } catch (const FileUnreadable& e) {
    at.fail(e.what());
  }
}

// The file's identity for the cycle check. A path the system refuses to resolve (a
// name longer than the file system allows, say) is compared as written: reading it
// then fails with the system's reason, at the 'extends' that names it.
std::string canonical_name(const std::filesystem::path& path) {
  std::error_code refused;
  const std::filesystem::path canonical = std::filesystem::weakly_canonical(path, refused);
  return (refused ? path.lexically_normal() : canonical).string();
}

std::string join(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

bool under(const std::string& path, const std::string& prefix) {
  return path.size() > prefix.size() && path.starts_with(prefix) &&
         (path[prefix.size()] == '.' || path[prefix.size()] == '[');
}

// The whole subtree at `path` comes from `file` (whatever deeper bases said before).
void owned_by(const std::string& path, const std::string& file, YamlSource& source) {
  std::erase_if(source.inherited, [&](const auto& entry) { return under(entry.first, path); });
  source.inherited[path] = file;
}

struct Files {
  std::string base;
  std::string child;
};

// Child over base: maps merge key by key, anything else replaces.
YAML::Node merge(const YAML::Node& base, const YAML::Node& child, const std::string& path,
                 const Files& files, YamlSource& source) {
  if (!base.IsMap() || !child.IsMap()) {
    owned_by(path, files.child, source);
    return child;
  }
  source.inherited[path] = files.child;  // the key itself is written in the child
  YAML::Node out(YAML::NodeType::Map);
  for (const auto& entry : base) {
    const std::string key = entry.first.Scalar();
    if (path.empty() && key == "extends") continue;
    const YAML::Node mine = child[key];
    if (mine) {
      out.force_insert(entry.first, merge(entry.second, mine, join(path, key), files, source));
    } else {
      out.force_insert(entry.first, entry.second);
      source.inherited.emplace(join(path, key), files.base);  // deeper bases may know better
    }
  }
  for (const auto& entry : child) {
    const std::string key = entry.first.Scalar();
    if (path.empty() && key == "extends") continue;
    if (base[key]) continue;
    out.force_insert(entry.first, entry.second);
    owned_by(join(path, key), files.child, source);
  }
  return out;
}

struct Resolving {
  YamlSource& source;
  ScenarioFiles& files;
  std::vector<std::string> chain;  // the files extended so far, canonical
  std::size_t budget;              // bytes the bases may still hold
};

// `dir` locates a relative base: the directory of `file`, or where a scenario given as
// text says its paths start.
YAML::Node resolve(const YAML::Node& root, const std::string& file, const std::string& dir,
                   Resolving& r) {
  if (!root.IsMap() || !root["extends"]) return root;
  const auto here = std::make_shared<YamlSource>();
  here->file = file;
  const YamlNode at(root["extends"], "extends", here);
  const std::string name = at.as_string();
  const std::filesystem::path base_path = (std::filesystem::path(dir) / name).lexically_normal();
  const std::string base_file = base_path.string();
  std::vector<std::string>& chain = r.chain;
  chain.push_back(canonical_name(file));
  const std::string canonical = canonical_name(base_path);
  for (const std::string& seen : chain) {
    if (seen != canonical) continue;
    std::string cycle;
    for (const std::string& f : chain)
      cycle += std::filesystem::path(f).filename().string() + " -> ";
    at.fail("the scenarios extend each other in a cycle: " + cycle +
            std::filesystem::path(canonical).filename().string());
  }
  if (chain.size() > kMaxDepth) at.fail("more than 16 levels of 'extends'");

  const std::string& text = read_base(at, base_file, r.files, r.budget);
  r.budget -= text.size();
  const YAML::Node base_root = parse_scenario_document(text, base_file);
  if (!base_root.IsMap()) {
    at.fail("expected a scenario in the base file '" + excerpt(base_file) +
            "', found an empty file");
  }
  auto base_source = std::make_shared<YamlSource>();
  base_source->file = base_file;
  check_structure(YamlNode(base_root, "", base_source));
  const YAML::Node resolved_base =
      resolve(base_root, base_file, base_path.parent_path().string(), r);
  return merge(resolved_base, root, "", Files{base_file, file}, r.source);
}

}  // namespace

YAML::Node resolve_extends(const YAML::Node& root, const std::string& file, const std::string& dir,
                           YamlSource& source, ScenarioFiles& files, std::size_t budget) {
  Resolving r{source, files, {}, budget};
  return resolve(root, file, dir, r);
}

}  // namespace surgesim::models
