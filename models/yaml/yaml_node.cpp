#include "models/yaml/yaml_node.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <set>
#include <stdexcept>

#include "models/limits.hpp"
#include "models/yaml/scenario_error.hpp"
#include "models/yaml/suggest.hpp"
#include "models/yaml/units.hpp"
#include "models/yaml/untrusted_text.hpp"

namespace surgesim::models {
namespace {

std::string join(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

// Long scalars are cut so that one bad value cannot flood the message.
std::string quoted(const std::string& s) {
  // Appended, not "\"" + excerpt(s): g++ 12 sees a false overlap there (-Wrestrict).
  std::string out = "\"";
  out += excerpt(s);
  out += '"';
  return out;
}

std::string list(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

bool contains(const std::vector<std::string>& words, const std::string& word) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

}  // namespace

std::string YamlNode::location_at(const YAML::Mark& mark) const {
  // An overridden key, or anything below it, came from the command line.
  for (const auto& [path, option] : source_->overrides) {
    if (path_ == path || path_.starts_with(path + ".") || path_.starts_with(path + "[")) {
      return option;
    }
  }
  // With `extends`, the key may be written in a base file.
  const std::string* file = &source_->file;
  std::size_t longest = 0;
  for (const auto& [path, written_in] : source_->inherited) {
    const bool covers = path.empty() || path_ == path || path_.starts_with(path + ".") ||
                        path_.starts_with(path + "[");
    if (covers && path.size() >= longest) {
      longest = path.size();
      file = &written_in;
    }
  }
  if (mark.is_null()) return *file;
  return *file + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

bool YamlNode::from_override() const {
  for (const auto& [path, option] : source_->overrides) {
    if (path_ == path || path_.starts_with(path + ".") || path_.starts_with(path + "[")) {
      return true;
    }
  }
  return false;
}

std::string YamlNode::location() const {
  // yaml-cpp marks an empty value (`key:`) at the next token, often the next line's
  // key, and maps rebuilt by --set have no mark; then the key is where to look.
  const bool unmarked = !node_.IsDefined() || node_.IsNull() || node_.Mark().is_null();
  return location_at(unmarked && !key_mark_.is_null() ? key_mark_ : node_.Mark());
}

std::string YamlNode::found() const {
  if (!node_.IsDefined() || node_.IsNull()) return "nothing";
  if (node_.IsMap()) return node_.size() == 0 ? "an empty map" : "a map";
  if (node_.IsSequence()) return node_.size() == 0 ? "an empty list" : "a list";
  return quoted(node_.Scalar());
}

void YamlNode::fail(const std::string& problem) const {
  throw ScenarioError(location(), path_, problem);
}

std::string YamlNode::key_location() const {
  return key_mark_.is_null() ? location() : location_at(key_mark_);
}

void YamlNode::fail_key(const std::string& problem) const {
  throw ScenarioError(key_location(), path_, problem);
}

void YamlNode::expected(const std::string& what, const std::string& hint) const {
  fail("expected " + what + ", found " + found() + hint);
}

std::vector<std::pair<std::string, YamlNode>> YamlNode::entries() const {
  if (!node_.IsMap()) expected("a map");
  std::vector<std::pair<std::string, YamlNode>> out;
  for (const auto& kv : node_) {
    if (!kv.first.IsScalar()) at(kv.first, path_).expected("a plain key");
    const std::string key = kv.first.Scalar();
    out.emplace_back(key, at(kv.second, join(path_, key), kv.first.Mark()));
  }
  return out;
}

std::vector<YamlNode> YamlNode::items() const {
  if (!node_.IsSequence()) expected("a list");
  std::vector<YamlNode> out;
  std::size_t i = 0;
  for (const auto& item : node_) out.push_back(at(item, path_ + "[" + std::to_string(i++) + "]"));
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

double YamlNode::as_duration() const {
  const std::string what = "a duration (seconds, or e.g. 250ms, 2s, 5m, 1h30m; not negative)";
  if (!node_.IsScalar()) expected(what);
  const auto value = parse_duration(node_.Scalar());
  if (!value) expected(what);
  // 1e308h is a finite number of hours but no finite number of seconds.
  if (!(*value <= limits::kTimeSpan)) {
    expected("a duration of at most 1e9 s (about 31 years; docs/scenario.md, Limits)");
  }
  return *value;
}

Time YamlNode::as_time_point() const {
  return time_point(std::nullopt, false);
}

Time YamlNode::as_time_point_after(Time previous) const {
  return time_point(previous, false);
}

Time YamlNode::as_next_time_point(Time previous) const {
  return time_point(previous, true);
}

Time YamlNode::time_point(std::optional<Time> previous, bool sequence) const {
  const StartClock* start = start_clock();
  const std::string what =
      start ? "a time point: a clock time HH:MM or HH:MM:SS (hours 00-23), or an offset from "
              "the start (seconds, or e.g. 2h10m)"
            : "a time point: an offset from the start (seconds, or e.g. 2h10m; not negative)";
  if (!node_.IsScalar()) expected(what);
  std::string_view text = node_.Scalar();
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  Time t = 0.0;
  const bool clock = looks_like_clock(text);
  if (clock) {
    if (!start) fail(clock_needs_start(text));
    const auto seconds = parse_clock(text);
    if (!seconds) expected(what);
    t = resolve_clock(*start, *seconds, previous.value_or(0.0), previous.has_value());
  } else {
    const auto offset = parse_duration(text);
    if (!offset) expected(what);
    t = *offset;
  }
  if (sequence) {
    if (const auto problem =
            order_problem(start, *previous, t, clock, quoted(std::string(text)), "point"))
      fail(*problem);
  }
  return t;
}

double YamlNode::as_rate() const {
  const std::string what = "a rate (per second, or e.g. 3000/s, 180000/m, 5e6/h; not negative)";
  if (!node_.IsScalar()) expected(what);
  const auto value = parse_rate(node_.Scalar());
  if (!value) expected(what);
  if (!(*value <= limits::kRate)) {
    expected("a rate of at most 1e9 sessions per second (docs/scenario.md, Limits)");
  }
  return *value;
}

bool YamlNode::as_bool() const {
  if (node_.IsScalar() && node_.Scalar() == "true") return true;
  if (node_.IsScalar() && node_.Scalar() == "false") return false;
  expected("true or false");
}

namespace {

const std::vector<std::string> kDistKinds = {"constant", "exponential", "uniform", "lognormal",
                                             "gamma",    "erlang",      "weibull", "empirical"};

// The keys each distribution takes besides `dist` (same order as kDistKinds).
const std::vector<std::vector<std::string>> kDistParams = {
    {"value"},      {"mean"},      {"min", "max"},     {"median", "sigma", "mean", "cv"},
    {"mean", "cv"}, {"k", "mean"}, {"shape", "scale"}, {"values", "weights"}};

std::vector<std::string> dist_keys(const std::string& dist) {
  std::vector<std::string> keys = {"dist"};
  for (std::size_t i = 0; i < kDistKinds.size(); ++i) {
    if (dist.empty() || kDistKinds[i] == dist) {
      for (const std::string& k : kDistParams[i]) {
        if (!contains(keys, k)) keys.push_back(k);
      }
    }
  }
  return keys;
}

// Reads the parameters of a known `dist`; the factories throw std::invalid_argument.
sim::Distribution build_distribution(const std::string& dist, const YamlMap& m, bool durations) {
  auto value = [&](const std::string& key) {
    const YamlNode n = m.required(key);
    return durations ? n.as_duration() : n.as_number();
  };
  auto number = [&](const std::string& key) { return m.required(key).as_number(); };
  using sim::Distribution;
  if (dist == "constant") return Distribution::constant(value("value"));
  if (dist == "exponential") return Distribution::exponential(value("mean"));
  if (dist == "uniform") return Distribution::uniform(value("min"), value("max"));
  if (dist == "lognormal") {
    const bool by_median = m.has("median") || m.has("sigma");
    const bool by_mean = m.has("mean") || m.has("cv");
    if (by_median == by_mean) {
      m.node().fail(std::string("lognormal takes median + sigma, or mean + cv") +
                    (by_median ? ", not both" : ""));
    }
    if (by_median) return Distribution::lognormal_median_sigma(value("median"), number("sigma"));
    return Distribution::lognormal_mean_cv(value("mean"), number("cv"));
  }
  if (dist == "gamma") return Distribution::gamma_mean_cv(value("mean"), number("cv"));
  if (dist == "erlang") {
    const int k = static_cast<int>(m.required("k").as_integer(1, 1000));
    return Distribution::erlang(k, value("mean"));
  }
  if (dist == "weibull") return Distribution::weibull(number("shape"), value("scale"));
  std::vector<double> values, weights;  // empirical, the last kind
  check_count(m.required("values"), limits::kEmpiricalValues, "values",
              "sample the data, or give each distinct value once with its weight");
  for (const YamlNode& item : m.required("values").items()) {
    values.push_back(durations ? item.as_duration() : item.as_number());
  }
  if (const auto w = m.get("weights")) {
    for (const YamlNode& item : w->items()) weights.push_back(item.as_number());
  }
  return Distribution::empirical(std::move(values), std::move(weights));
}

// The factories name the culprit first ("cv must be > 0, ...", "values[2] must ...");
// point at that parameter when it is one of the map's keys.
[[noreturn]] void blame_parameter(const YamlMap& m, const std::string& dist,
                                  const std::string& why) {
  const std::string problem = "invalid " + dist + " distribution: " + why;
  const std::string culprit = why.substr(0, why.find(' '));
  const auto node = m.get(culprit.substr(0, culprit.find('[')));
  if (!node) m.node().fail(problem);
  const std::size_t bracket = culprit.find('[');
  if (bracket != std::string::npos && node->is_sequence()) {
    const std::size_t index = std::stoul(culprit.substr(bracket + 1));
    const std::vector<YamlNode> items = node->items();
    if (index < items.size()) items[index].fail(problem);
  }
  node->fail(problem);
}

}  // namespace

sim::Distribution YamlNode::as_distribution(bool durations) const {
  if (node_.IsScalar()) return sim::Distribution::constant(durations ? as_duration() : as_number());
  if (!node_.IsMap()) {
    expected(durations ? "a duration or a distribution map with 'dist'"
                       : "a number or a distribution map with 'dist'");
  }
  std::optional<YamlNode> dist_node;
  for (const auto& [key, child] : entries()) {
    if (key == "dist") dist_node = child;
  }
  if (!dist_node) {
    const YamlMap any(*this, dist_keys(""));  // a typo such as `dsit` says so first
    throw ScenarioError(location(), join(path_, "dist"),
                        "missing required key 'dist' (one of " + list(kDistKinds) + ")");
  }
  const std::string dist = dist_node->as_string();
  if (!contains(kDistKinds, dist)) {
    dist_node->expected("a distribution: " + list(kDistKinds), did_you_mean(dist, kDistKinds));
  }
  const YamlMap m(*this, dist_keys(dist));
  try {
    return build_distribution(dist, m, durations);
  } catch (const std::invalid_argument& e) {
    blame_parameter(m, dist, e.what());
  }
}

YamlMap::YamlMap(const YamlNode& node, std::vector<std::string> known,
                 std::vector<std::string> not_supported_yet)
    : node_(node) {
  if (node.node_.IsNull()) return;  // `key:` with nothing is an empty map
  for (const auto& [key, child] : node.entries()) {
    if (contains(known, key)) continue;
    if (contains(not_supported_yet, key)) {
      child.fail_key("'" + key + "' is not supported yet by this version of surgesim");
    }
    std::vector<std::string> all = known;
    all.insert(all.end(), not_supported_yet.begin(), not_supported_yet.end());
    child.fail_key("unknown key '" + excerpt(key) + "'" + did_you_mean(key, all) +
                   "; known keys: " + list(known));
  }
}

std::optional<YamlNode> YamlMap::child(const std::string& key) const {
  if (!node_.node_.IsMap()) return std::nullopt;
  for (const auto& kv : node_.node_) {
    if (kv.first.IsScalar() && kv.first.Scalar() == key) {
      return node_.at(kv.second, join(node_.path_, key), kv.first.Mark());
    }
  }
  return std::nullopt;
}

namespace {

// A quote left open (`name: "shop` and no closing quote) makes the rest of the file one
// quoted value, so the keys after it go missing: say so where one is reported missing.
std::string open_quote_hint(const YamlNode& map, const std::string& key) {
  if (!map.is_map()) return "";
  for (const auto& kv : map.raw()) {
    const YAML::Node& value = kv.second;
    // yaml-cpp tags quoted scalars "!" (plain ones "?").
    if (!value.IsScalar() || value.Tag() != "!" ||
        value.Scalar().find(key + ":") == std::string::npos)
      continue;
    return " (the quoted value of '" + excerpt(kv.first.Scalar()) + "' at " +
           map.at(value, "").location() + " holds '" + key + ":': is its closing quote missing?)";
  }
  return "";
}

}  // namespace

YamlNode YamlMap::required(const std::string& key) const {
  const auto n = child(key);
  if (!n)
    throw ScenarioError(node_.location(), join(node_.path_, key),
                        "missing required key '" + key + "'" + open_quote_hint(node_, key));
  return *n;
}

namespace {

// Walks the raw tree once, building key paths only when something is wrong.
class StructureCheck {
 public:
  explicit StructureCheck(const YamlNode& root) : root_(root), path_(root.path()) {}

  void visit(const YAML::Node& node, const YAML::Mark& key_mark) {
    for (const YAML::Node& a : ancestors_) {
      if (a.is(node)) fail(node, key_mark, "an alias refers to a node that contains it (a cycle)");
    }
    if (ancestors_.size() >= kMaxDepth) {
      fail(node, key_mark, "nested more than " + std::to_string(kMaxDepth) + " levels deep");
    }
    // Aliases can repeat a subtree exponentially often; a scenario is never this big.
    if (++visits_ > kMaxNodes) {
      fail(node, key_mark,
           "more than " + std::to_string(kMaxNodes) + " values (aliases expanding too much?)");
    }
    if (node.IsMap()) {
      visit_map(node);
    } else if (node.IsSequence()) {
      visit_sequence(node);
    }
  }

 private:
  static constexpr std::size_t kMaxDepth = 64;
  static constexpr std::size_t kMaxNodes = 2'000'000;

  void visit_map(const YAML::Node& node) {
    ancestors_.push_back(node);
    std::set<std::string> seen;
    for (const auto& kv : node) {
      const std::size_t length = path_.size();
      if (!kv.first.IsScalar()) root_.at(kv.first, path_).expected("a plain key");
      const std::string& key = kv.first.Scalar();
      path_ = join(path_, key);
      if (!seen.insert(key).second) {
        fail(kv.second, kv.first.Mark(), "duplicate key '" + excerpt(key) + "'");
      }
      visit(kv.second, kv.first.Mark());
      path_.resize(length);
    }
    ancestors_.pop_back();
  }

  void visit_sequence(const YAML::Node& node) {
    ancestors_.push_back(node);
    std::size_t i = 0;
    for (const auto& item : node) {
      const std::size_t length = path_.size();
      // Piecewise: GCC 12 warns falsely (-Wrestrict) about "[" + std::to_string(i).
      path_ += '[';
      path_ += std::to_string(i++);
      path_ += ']';
      visit(item, YAML::Mark::null_mark());
      path_.resize(length);
    }
    ancestors_.pop_back();
  }

  [[noreturn]] void fail(const YAML::Node& node, const YAML::Mark& key_mark,
                         const std::string& problem) const {
    root_.at(node, path_, key_mark).fail_key(problem);
  }

  const YamlNode& root_;
  std::string path_;
  std::vector<YAML::Node> ancestors_;
  std::size_t visits_ = 0;
};

}  // namespace

void check_structure(const YamlNode& root) {
  StructureCheck(root).visit(root.raw(), YAML::Mark::null_mark());
}

std::string quoted_names(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "'" : ", '") + n + "'";
  return out;
}

std::string format_sum(double sum) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", sum);
  return buf;
}

void check_key_name(const std::string& name, const YamlNode& node) {
  bool ok = !name.empty();
  for (const char c : name) {
    ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-');
  }
  if (!ok) {
    node.fail_key("expected a name of letters, digits, '_' or '-', found '" + excerpt(name) + "'");
  }
}

void check_count(const YamlNode& node, std::int64_t limit, const std::string& what,
                 const std::string& advice) {
  if (!node.is_map() && !node.is_sequence()) return;  // the reader says what it expected
  const auto n = static_cast<std::int64_t>(node.raw().size());
  if (n <= limit) return;
  node.fail("expected at most " + limits::grouped(limit) + " " + what + ", found " +
            limits::grouped(n) + "; " + advice + " (docs/scenario.md, Limits)");
}

}  // namespace surgesim::models
