#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/yaml/clock.hpp"
#include "sim/distribution.hpp"

namespace surgesim::models {

using sim::Time;

// Where the YAML came from: the file name for messages, and the key paths that a
// --set option replaced (errors there point at the option, not at a line).
struct YamlSource {
  std::string file;
  std::map<std::string, std::string> overrides;  // key path -> "--set path=value"
  // With `extends`: key path -> the file it is written in (the longest prefix decides).
  std::map<std::string, std::string> inherited;
  // The scenario's `start`: with it, time points may be clock times. Read before any
  // time point (the loader sets it first).
  std::optional<StartClock> start;
};

// A YAML node that knows its key path and source, so every error can say where it is.
// All conversions throw ScenarioError with what was expected and what was found.
class YamlNode {
 public:
  YamlNode(YAML::Node node, std::string path, std::shared_ptr<const YamlSource> source)
      : node_(std::move(node)), path_(std::move(path)), source_(std::move(source)) {}
  // A map entry's value; key_mark is where its key is written.
  YamlNode(YAML::Node node, std::string path, std::shared_ptr<const YamlSource> source,
           YAML::Mark key_mark)
      : YamlNode(std::move(node), std::move(path), std::move(source)) {
    key_mark_ = key_mark;
  }

  // Another node of the same source (for walking raw YAML, e.g. in check_structure).
  YamlNode at(YAML::Node node, std::string path,
              YAML::Mark key_mark = YAML::Mark::null_mark()) const {
    return YamlNode(std::move(node), std::move(path), source_, key_mark);
  }

  const std::string& path() const { return path_; }
  // The scenario's `start`, or null when it has none.
  const StartClock* start_clock() const { return source_->start ? &*source_->start : nullptr; }
  const YAML::Node& raw() const { return node_; }
  bool is_map() const { return node_.IsMap(); }
  bool is_sequence() const { return node_.IsSequence(); }
  bool is_scalar() const { return node_.IsScalar(); }

  std::string location() const;
  // Whether a --set option wrote this node or one above it.
  bool from_override() const;
  // Where the node's key stands (its value's location for list items and the root).
  std::string key_location() const;
  // A short description of the node for "found ..." (the scalar's text, "a map", ...).
  std::string found() const;
  [[noreturn]] void fail(const std::string& problem) const;
  // Blames the key rather than the value (unknown, duplicate or badly named keys).
  [[noreturn]] void fail_key(const std::string& problem) const;
  // "expected WHAT, found FOUND" and then `hint` (e.g. a did-you-mean).
  [[noreturn]] void expected(const std::string& what, const std::string& hint = "") const;

  // Map entries in file order; requires a map. Keys must be plain scalars.
  std::vector<std::pair<std::string, YamlNode>> entries() const;
  std::vector<YamlNode> items() const;  // requires a sequence

  std::string as_string() const;
  std::string as_name() const;  // letters, digits, '_' and '-' (names appear in key paths)
  double as_number() const;
  double as_probability() const;
  std::int64_t as_integer(std::int64_t min, std::int64_t max) const;
  double as_duration() const;  // seconds
  double as_rate() const;      // per second
  // A time point in seconds from time 0: an offset written as a duration (`2h10m`,
  // `7800`) or, when the scenario has a `start`, a clock time "HH:MM[:SS]", the first
  // moment at or after the start that shows it. A clock time without `start` is an
  // error that says to add it.
  Time as_time_point() const;
  // A time point that resolves after `previous` (`window.to` after `window.from`): a
  // clock time is the first moment after `previous` that shows it.
  Time as_time_point_after(Time previous) const;
  // The next point of a list in strictly increasing time (profile points): as
  // as_time_point_after, and an error naming this point when it is not after `previous`
  // or when a clock time lands more than 12 h after it (points out of order).
  Time as_next_time_point(Time previous) const;
  bool as_bool() const;  // `true` or `false`
  // A duration distribution (`dist` map or a bare duration = constant) or, with
  // durations = false, a money distribution whose parameters are plain numbers.
  sim::Distribution as_distribution(bool durations = true) const;

 private:
  friend class YamlMap;
  std::string location_at(const YAML::Mark& mark) const;
  Time time_point(std::optional<Time> previous, bool sequence) const;

  YAML::Node node_;
  std::string path_;
  std::shared_ptr<const YamlSource> source_;
  YAML::Mark key_mark_ = YAML::Mark::null_mark();
};

// Reads a YAML map against a list of known keys: unknown keys are errors with a
// suggestion, keys of the contract that are not built yet say so.
class YamlMap {
 public:
  YamlMap(const YamlNode& node, std::vector<std::string> known,
          std::vector<std::string> not_supported_yet = {});

  bool has(const std::string& key) const { return child(key).has_value(); }
  std::optional<YamlNode> get(const std::string& key) const { return child(key); }
  YamlNode required(const std::string& key) const;
  const YamlNode& node() const { return node_; }

 private:
  std::optional<YamlNode> child(const std::string& key) const;
  YamlNode node_;  // a map, or null (`key:` with nothing is an empty map)
};

// Rejects what yaml-cpp lets through: duplicate keys (it keeps both, silently), nodes
// that contain themselves through an alias (&a [*a]), which would recurse forever, and
// aliases that expand to a huge tree ("billion laughs"), which would take forever.
void check_structure(const YamlNode& root);

// --- helpers shared by the loaders --------------------------------------------------

// "'a', 'b', 'c'" for messages that list the names to choose from.
std::string quoted_names(const std::vector<std::string>& names);

// Enough digits to show why a sum is off: to_string's six decimals print 1.0000004
// as 1.000000, which looks fine.
std::string format_sum(double sum);

// Fails at `node` (a list or a map) when it holds more than `limit` entries (see
// models/limits.hpp): "expected at most LIMIT WHAT, found N; ADVICE (docs/scenario.md,
// Limits)".
void check_count(const YamlNode& node, std::int64_t limit, const std::string& what,
                 const std::string& advice);

// Names become parts of key paths and labels ("JOURNEY.PAGE"): letters, digits, '_'
// and '-' only. Blames the key `node` stands under.
void check_key_name(const std::string& name, const YamlNode& node);

}  // namespace surgesim::models
