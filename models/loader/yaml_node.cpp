#include "models/loader/yaml_node.hpp"

#include <charconv>
#include <cmath>
#include <set>
#include <stdexcept>

#include "models/loader/scenario_error.hpp"
#include "models/loader/suggest.hpp"
#include "models/loader/units.hpp"

namespace surgesim::models {
namespace {

std::string join(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

std::string quoted(const std::string& s) {
  return "\"" + s + "\"";
}

std::string list(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

}  // namespace

std::string YamlNode::location() const {
  // An overridden key, or anything below it, came from the command line.
  for (const auto& [path, option] : source_->overrides) {
    if (path_ == path || path_.starts_with(path + ".")) return option;
  }
  const YAML::Mark mark = node_.Mark();
  if (mark.is_null()) return source_->file;
  return source_->file + ":" + std::to_string(mark.line + 1) + ":" +
         std::to_string(mark.column + 1);
}

std::string YamlNode::found() const {
  if (!node_.IsDefined() || node_.IsNull()) return "nothing";
  if (node_.IsMap()) return "a map";
  if (node_.IsSequence()) return "a list";
  return quoted(node_.Scalar());
}

void YamlNode::fail(const std::string& problem) const {
  throw ScenarioError(location(), path_, problem);
}

void YamlNode::expected(const std::string& what) const {
  fail("expected " + what + ", found " + found());
}

std::vector<std::pair<std::string, YamlNode>> YamlNode::entries() const {
  if (!node_.IsMap()) expected("a map");
  std::vector<std::pair<std::string, YamlNode>> out;
  for (const auto& kv : node_) {
    if (!kv.first.IsScalar()) {
      YamlNode(kv.first, path_, source_).expected("a plain key");
    }
    const std::string key = kv.first.Scalar();
    out.emplace_back(key, YamlNode(kv.second, join(path_, key), source_));
  }
  return out;
}

std::vector<YamlNode> YamlNode::items() const {
  if (!node_.IsSequence()) expected("a list");
  std::vector<YamlNode> out;
  std::size_t i = 0;
  for (const auto& item : node_) {
    out.emplace_back(item, path_ + "[" + std::to_string(i++) + "]", source_);
  }
  return out;
}

std::string YamlNode::as_string() const {
  if (!node_.IsScalar()) expected("text");
  return node_.Scalar();
}

std::string YamlNode::as_name() const {
  const std::string s = as_string();
  bool ok = !s.empty();
  for (const char c : s) {
    ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-');
  }
  if (!ok) expected("a name of letters, digits, '_' or '-'");
  return s;
}

double YamlNode::as_number() const {
  if (!node_.IsScalar()) expected("a number");
  const auto value = parse_number(node_.Scalar());
  if (!value) expected("a number");
  return *value;
}

double YamlNode::as_positive() const {
  const double value = as_number();
  if (!(value > 0.0)) expected("a number > 0");
  return value;
}

double YamlNode::as_probability() const {
  const double value = as_number();
  if (value < 0.0 || value > 1.0) expected("a probability between 0 and 1");
  return value;
}

std::int64_t YamlNode::as_integer(std::int64_t min, std::int64_t max) const {
  const std::string what =
      "a whole number from " + std::to_string(min) + " to " + std::to_string(max);
  if (!node_.IsScalar()) expected(what);
  const std::string& s = node_.Scalar();
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || value < min || value > max) {
    expected(what);
  }
  return value;
}

bool YamlNode::as_bool() const {
  if (node_.IsScalar()) {
    const std::string& s = node_.Scalar();
    if (s == "true") return true;
    if (s == "false") return false;
  }
  expected("true or false");
}

double YamlNode::as_duration() const {
  const std::string what = "a duration (seconds, or e.g. 250ms, 2s, 5m, 1h30m; not negative)";
  if (!node_.IsScalar()) expected(what);
  const auto value = parse_duration(node_.Scalar());
  if (!value) expected(what);
  return *value;
}

double YamlNode::as_rate() const {
  const std::string what = "a rate (per second, or e.g. 3000/s, 180000/m, 5e6/h; not negative)";
  if (!node_.IsScalar()) expected(what);
  const auto value = parse_rate(node_.Scalar());
  if (!value) expected(what);
  return *value;
}

sim::Distribution YamlNode::as_distribution(bool durations) const {
  auto value = [durations](const YamlNode& n) {
    return durations ? n.as_duration() : n.as_number();
  };
  if (node_.IsScalar()) return sim::Distribution::constant(value(*this));
  if (!node_.IsMap()) {
    expected(durations ? "a duration or a distribution map with 'dist'"
                       : "a number or a distribution map with 'dist'");
  }
  static const std::vector<std::string> kinds = {"constant", "exponential", "uniform", "lognormal",
                                                 "gamma",    "erlang",      "weibull", "empirical"};
  const YamlMap probe(*this, {"dist", "value", "mean", "min", "max", "median", "sigma", "cv", "k",
                              "shape", "scale", "values", "weights"});
  const YamlNode dist_node = probe.required("dist");
  const std::string dist = dist_node.as_string();
  try {
    if (dist == "constant") {
      const YamlMap m(*this, {"dist", "value"});
      return sim::Distribution::constant(value(m.required("value")));
    }
    if (dist == "exponential") {
      const YamlMap m(*this, {"dist", "mean"});
      return sim::Distribution::exponential(value(m.required("mean")));
    }
    if (dist == "uniform") {
      const YamlMap m(*this, {"dist", "min", "max"});
      return sim::Distribution::uniform(value(m.required("min")), value(m.required("max")));
    }
    if (dist == "lognormal") {
      const YamlMap m(*this, {"dist", "median", "sigma", "mean", "cv"});
      if (m.has("median") || m.has("sigma")) {
        if (m.has("mean") || m.has("cv"))
          fail("lognormal takes median + sigma, or mean + cv, not both");
        return sim::Distribution::lognormal_median_sigma(value(m.required("median")),
                                                         m.required("sigma").as_number());
      }
      return sim::Distribution::lognormal_mean_cv(value(m.required("mean")),
                                                  m.required("cv").as_number());
    }
    if (dist == "gamma") {
      const YamlMap m(*this, {"dist", "mean", "cv"});
      return sim::Distribution::gamma_mean_cv(value(m.required("mean")),
                                              m.required("cv").as_number());
    }
    if (dist == "erlang") {
      const YamlMap m(*this, {"dist", "k", "mean"});
      return sim::Distribution::erlang(static_cast<int>(m.required("k").as_integer(1, 1000)),
                                       value(m.required("mean")));
    }
    if (dist == "weibull") {
      const YamlMap m(*this, {"dist", "shape", "scale"});
      return sim::Distribution::weibull(m.required("shape").as_number(),
                                        value(m.required("scale")));
    }
    if (dist == "empirical") {
      const YamlMap m(*this, {"dist", "values", "weights"});
      std::vector<double> values, weights;
      for (const YamlNode& item : m.required("values").items()) values.push_back(value(item));
      if (const auto w = m.get("weights")) {
        for (const YamlNode& item : w->items()) weights.push_back(item.as_number());
      }
      return sim::Distribution::empirical(std::move(values), std::move(weights));
    }
  } catch (const std::invalid_argument& e) {
    fail(std::string("invalid ") + dist + " distribution: " + e.what());
  }
  dist_node.expected("one of " + list(kinds) + did_you_mean(dist, kinds));
}

YamlMap::YamlMap(const YamlNode& node, std::vector<std::string> known,
                 std::vector<std::string> not_supported_yet)
    : node_(node) {
  if (node.node_.IsNull()) {
    node_.node_ = YAML::Node(YAML::NodeType::Map);  // `key:` with nothing is an empty map
    return;
  }
  for (const auto& [key, child] : node.entries()) {
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    const YamlNode key_node(child);
    if (std::find(not_supported_yet.begin(), not_supported_yet.end(), key) !=
        not_supported_yet.end()) {
      key_node.fail("'" + key + "' is not supported yet by this version of surgesim");
    }
    std::vector<std::string> all = known;
    all.insert(all.end(), not_supported_yet.begin(), not_supported_yet.end());
    key_node.fail("unknown key '" + key + "'" + did_you_mean(key, all) +
                  "; known keys: " + list(known));
  }
}

bool YamlMap::has(const std::string& key) const {
  return node_.node_.IsMap() && node_.node_[key].IsDefined();
}

YamlNode YamlMap::child(const std::string& key) const {
  const YAML::Node& map = node_.node_;
  for (const auto& kv : map) {
    if (kv.first.IsScalar() && kv.first.Scalar() == key) {
      return YamlNode(kv.second, join(node_.path_, key), node_.source_);
    }
  }
  return YamlNode(YAML::Node(), join(node_.path_, key), node_.source_);
}

std::optional<YamlNode> YamlMap::get(const std::string& key) const {
  if (!has(key)) return std::nullopt;
  return child(key);
}

YamlNode YamlMap::required(const std::string& key) const {
  if (!has(key)) node_.fail("missing required key '" + key + "'");
  return child(key);
}

namespace {

void check_node(const YamlNode& node, std::vector<YAML::Node>& ancestors) {
  for (const YAML::Node& a : ancestors) {
    if (a.is(node.raw())) node.fail("an alias refers to a node that contains it (a cycle)");
  }
  if (ancestors.size() > 64) node.fail("nested more than 64 levels deep");
  if (!node.is_map() && !node.is_sequence()) return;
  ancestors.push_back(node.raw());
  if (node.is_map()) {
    std::set<std::string> seen;
    for (const auto& [key, child] : node.entries()) {
      if (!seen.insert(key).second) child.fail("duplicate key '" + key + "'");
      check_node(child, ancestors);
    }
  } else {
    for (const YamlNode& item : node.items()) check_node(item, ancestors);
  }
  ancestors.pop_back();
}

}  // namespace

void check_structure(const YamlNode& root) {
  std::vector<YAML::Node> ancestors;
  check_node(root, ancestors);
}

}  // namespace surgesim::models
