#include "models/loader/traffic_loader.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string_view>
#include <system_error>

#include "models/limits.hpp"
#include "models/loader/input_file.hpp"
#include "models/yaml/clock.hpp"
#include "models/yaml/scenario_error.hpp"
#include "models/yaml/units.hpp"
#include "models/yaml/untrusted_text.hpp"

namespace surgesim::models {
namespace {

// --- the csv base -------------------------------------------------------------------

// 'text', as CSV messages quote what they found.
std::string quoted(std::string_view text) {
  std::string out(1, '\'');
  out.append(excerpt(text));
  out.push_back('\'');
  return out;
}

// One comma-separated field of a csv line, trimmed, with its 1-based column.
struct CsvField {
  std::string_view text;
  int column = 1;
};

std::vector<CsvField> split_fields(std::string_view line) {
  std::vector<CsvField> fields;
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = line.find(',', start);
    std::string_view text =
        line.substr(start, comma == std::string_view::npos ? line.npos : comma - start);
    std::size_t lead = 0;
    while (lead < text.size() && (text[lead] == ' ' || text[lead] == '\t')) ++lead;
    text.remove_prefix(lead);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    fields.push_back({text, static_cast<int>(start + lead) + 1});
    if (comma == std::string_view::npos) return fields;
    start = comma + 1;
  }
}

// Non-negative whole number of only digits (of exactly `width` digits when given).
std::optional<int> parse_digits(std::string_view text, std::size_t width = 0) {
  if (text.empty() || (width > 0 && text.size() != width)) return std::nullopt;
  int value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9' || value > 100'000'000) return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

// An offset from the start: seconds ("90", "90.5"), a duration ("2h10m") or "HH:MM" /
// "HH:MM:SS" (hours may exceed 23: a file written for a scenario without `start`).
std::optional<double> parse_csv_offset(std::string_view text) {
  if (text.find(':') == std::string_view::npos) return parse_duration(text);
  std::vector<std::string_view> parts;
  for (std::size_t start = 0;;) {
    const std::size_t colon = text.find(':', start);
    parts.push_back(text.substr(start, colon == text.npos ? text.npos : colon - start));
    if (colon == text.npos) break;
    start = colon + 1;
  }
  if (parts.size() > 3) return std::nullopt;
  const auto hours = parse_digits(parts[0]);
  const auto minutes = parse_digits(parts[1], 2);
  const auto seconds = parts.size() == 3 ? parse_digits(parts[2], 2) : std::optional<int>(0);
  if (!hours || !minutes || !seconds || *minutes > 59 || *seconds > 59) return std::nullopt;
  return *hours * 3600.0 + *minutes * 60.0 + *seconds;
}

// A line with nothing but blanks.
bool blank(std::string_view line) {
  return split_fields(line).front().text.empty() && line.find(',') == std::string_view::npos;
}

class CsvReader {
 public:
  // With `start`, HH:MM[:SS] in `t` is a clock time; without, an offset.
  CsvReader(std::string path, std::string key_path, const StartClock* start)
      : path_(std::move(path)), key_path_(std::move(key_path)), start_(start) {}

  [[noreturn]] void fail(int line, int column, const std::string& problem) const {
    throw ScenarioError(path_ + ":" + std::to_string(line) + ":" + std::to_string(column),
                        key_path_, problem);
  }

  // Rows of `t,rate` after the header `t,rate`, strictly increasing in t.
  std::vector<RatePoint> read_steps(const std::string& text) const {
    std::vector<std::string_view> lines;
    std::string_view rest(text);
    if (rest.starts_with("\xEF\xBB\xBF")) rest.remove_prefix(3);  // a spreadsheet's BOM
    // The header, the rows, and the blank lines a file may end with. Past that the rest
    // is not even split: a runaway file must not cost memory for its lines.
    const std::size_t most_lines = static_cast<std::size_t>(limits::kRatePoints) + 1;
    for (int number = 1; !rest.empty(); ++number) {
      const std::size_t newline = rest.find('\n');
      std::string_view line = rest.substr(0, newline);
      if (line.ends_with('\r')) line.remove_suffix(1);
      rest.remove_prefix(newline == std::string_view::npos ? rest.size() : newline + 1);
      if (lines.size() >= most_lines && !blank(line)) {
        fail(number, 1,
             "expected at most " + limits::grouped(limits::kRatePoints) +
                 " rows, found more; a coarser time step (a row per minute, say) keeps the "
                 "shape (docs/scenario.md, Limits)");
      }
      if (lines.size() < most_lines) lines.push_back(line);
    }
    // Blank lines at the end (a trailing newline, or several) are tolerated.
    while (!lines.empty() && blank(lines.back())) lines.pop_back();
    if (lines.empty()) fail(1, 1, "expected the header 't,rate', found an empty file");
    const auto header = split_fields(lines[0]);
    // Said, not quoted: a file named by mistake (`csv: /etc/passwd`) must not leak.
    if (header.size() != 2 || header[0].text != "t" || header[1].text != "rate") {
      fail(1, 1, "this is not a traffic CSV: its first line is not the header 't,rate'");
    }
    if (lines.size() == 1) {
      fail(2, 1, "expected at least one row 't,rate' after the header, found none");
    }
    std::vector<RatePoint> steps;
    for (std::size_t i = 1; i < lines.size(); ++i) {
      const int line = static_cast<int>(i) + 1;
      const auto fields = split_fields(lines[i]);
      if (fields.size() != 2) {
        fail(line, 1,
             "expected a row 't,rate' (2 fields), found " +
                 (lines[i].empty()
                      ? std::string("an empty line")
                      : std::to_string(fields.size()) + " fields: '" + excerpt(lines[i]) + "'"));
      }
      const std::string_view written = fields[0].text;
      const auto t =
          read_time(written, steps.empty() ? std::nullopt : std::optional<Time>(steps.back().at));
      if (!t) fail(line, fields[0].column, bad_time(written));
      if (!steps.empty()) {
        const bool clock = start_ && looks_like_clock(written);
        if (const auto problem =
                order_problem(start_, steps.back().at, *t, clock, quoted(written), "row")) {
          fail(line, fields[0].column, *problem);
        }
      }
      const auto rate = parse_rate(fields[1].text);
      if (!rate) {
        fail(line, fields[1].column,
             "expected a rate (sessions per second, not negative), found '" +
                 excerpt(fields[1].text) + "'");
      }
      if (*rate > limits::kRate) {
        fail(line, fields[1].column,
             "expected a rate of at most 1e9 sessions per second (docs/scenario.md, "
             "Limits), found '" +
                 excerpt(fields[1].text) + "'");
      }
      steps.push_back({*t, *rate});
    }
    return steps;
  }

 private:
  // A row's t: a clock time (with `start`) resolved after the previous row, else an
  // offset; nullopt when it is neither.
  std::optional<Time> read_time(std::string_view written, std::optional<Time> previous) const {
    if (!start_ || !looks_like_clock(written)) return parse_csv_offset(written);
    const auto clock = parse_clock(written);
    if (!clock) return std::nullopt;
    return resolve_clock(*start_, *clock, previous.value_or(0.0), previous.has_value());
  }

  std::string bad_time(std::string_view written) const {
    if (!start_) {
      return "expected a time t (seconds, a duration such as 2h10m, or HH:MM / HH:MM:SS from "
             "the start), found '" +
             excerpt(written) + "'";
    }
    std::string problem =
        "expected a time t (a clock time HH:MM or HH:MM:SS with hours 00-23, or an offset "
        "from the start: seconds or a duration such as 2h10m), found '" +
        excerpt(written) + "'";
    if (looks_like_clock(written) && parse_csv_offset(written)) {
      problem +=
          "; with the scenario's start, HH:MM is a clock time: a file written as "
          "offsets from the start must be converted to clock times";
    }
    return problem;
  }

  std::string path_;
  std::string key_path_;
  const StartClock* start_;
};

void read_csv(const YamlNode& node, const ScenarioPaths& paths, TrafficConfig& traffic) {
  const std::string written = node.as_string();
  if (written.empty()) node.expected("the path of a CSV file with header 't,rate'");
  traffic.csv_path = (std::filesystem::path(paths.dir) / written).string();
  try {
    const std::string& text =
        paths.files.read(traffic.csv_path, kTrafficCsvInput, kTrafficCsvBytes);
    traffic.steps = read_traffic_csv(text, traffic.csv_path, node.path(), node.start_clock());
  } catch (const FileUnreadable& e) {
    // Where no file is read (a scenario loaded from text) where a path starts is moot.
    const bool relative = paths.files.reads_disk() && std::filesystem::path(written).is_relative();
    node.fail(std::string(e.what()) +
              (relative ? "; a relative path is relative to the scenario file's directory" : ""));
  }
}

// --- the other keys -----------------------------------------------------------------

std::vector<RatePoint> read_profile(const YamlNode& node) {
  const std::string what = "a list of at least one point {at, rate}";
  if (!node.is_sequence() || node.raw().size() == 0) node.expected(what);
  check_count(node, limits::kRatePoints, "profile points",
              "a coarser time step (a point per minute, say) keeps the shape");
  std::vector<RatePoint> points;
  for (const YamlNode& item : node.items()) {
    const YamlMap m(item, {"at", "rate"});
    const YamlNode at = m.required("at");
    const Time t = points.empty() ? at.as_time_point() : at.as_next_time_point(points.back().at);
    points.push_back({t, m.required("rate").as_rate()});
  }
  return points;
}

std::vector<Spike> read_spikes(const YamlNode& node) {
  // An empty list is fine: `--set traffic.spikes=[]` switches the spikes off.
  if (node.raw().IsNull()) return {};
  check_count(node, limits::kSpikes, "spikes",
              "a spike per flash sale is plenty; a base profile or CSV carries the rest");
  std::vector<Spike> spikes;
  for (const YamlNode& item : node.items()) {
    const YamlMap m(item, {"at", "peak", "rise", "decay"});
    Spike s;
    s.at = m.required("at").as_time_point();
    s.peak = m.required("peak").as_rate();
    s.rise = m.required("rise").as_duration();
    const YamlNode decay = m.required("decay");
    s.decay = decay.as_duration();
    if (s.rise == 0.0 && s.decay == 0.0 && s.peak > 0.0) {
      decay.expected("rise or decay > 0 (with both 0 the spike adds no sessions)");
    }
    spikes.push_back(s);
  }
  return spikes;
}

// An upper bound of the session rate (the base's highest rate plus every spike's peak,
// scaled), so that a rate times a scale can neither overflow nor ask for more sessions
// than any run could simulate. A bound, not the exact peak: it costs one pass.
void check_peak(const TrafficConfig& traffic, const YamlNode& blamed) {
  double base = traffic.rate;
  for (const RatePoint& p : traffic.profile) base = std::max(base, p.rate);
  for (const RatePoint& p : traffic.steps) base = std::max(base, p.rate);
  double spikes = 0.0;
  for (const Spike& s : traffic.spikes) spikes += s.peak;
  const double bound = traffic.scale * (base + spikes);
  if (bound <= limits::kRate) return;
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.3g", bound);
  blamed.fail(std::string("expected traffic of at most 1e9 sessions per second, found up to ") +
              (std::isfinite(bound) ? buffer : "more than 1e308") +
              " (base + spikes, times scale); lower the rates or the scale (docs/scenario.md, "
              "Limits)");
}

}  // namespace

std::vector<RatePoint> read_traffic_csv(const std::string& text, const std::string& file,
                                        const std::string& key_path, const StartClock* start) {
  check_text(text, file);
  return CsvReader(file, key_path, start).read_steps(text);
}

TrafficConfig read_traffic(const YamlNode& node, const ScenarioPaths& paths) {
  if (!node.is_map() && !node.raw().IsNull()) {
    node.expected("a map with one of 'rate', 'profile', 'csv' (and optional 'spikes', 'scale')");
  }
  const YamlMap m(node, {"rate", "profile", "csv", "spikes", "scale"});
  std::vector<std::string> given;
  for (const char* key : {"rate", "profile", "csv"}) {
    if (m.has(key)) given.emplace_back(key);
  }
  if (given.empty()) {
    // Like any missing key: the path names where it would go (the first choice).
    throw ScenarioError(node.location(), node.path() + ".rate",
                        "missing required key 'rate' (or 'profile' or 'csv': exactly one of "
                        "the three is required)");
  }
  if (given.size() > 1) {
    m.get(given[1])->fail_key("expected exactly one of 'rate', 'profile', 'csv', found '" +
                              given[0] + "' and '" + given[1] + "'" +
                              (given.size() == 3 ? " and 'csv'" : ""));
  }
  TrafficConfig traffic;
  if (given[0] == "rate") {
    traffic.base = TrafficConfig::Base::rate;
    traffic.rate = m.required("rate").as_rate();
  } else if (given[0] == "profile") {
    traffic.base = TrafficConfig::Base::profile;
    traffic.profile = read_profile(m.required("profile"));
  } else {
    traffic.base = TrafficConfig::Base::csv;
    read_csv(m.required("csv"), paths, traffic);
  }
  if (const auto n = m.get("spikes")) traffic.spikes = read_spikes(*n);
  if (const auto n = m.get("scale")) {
    traffic.scale = n->as_number();
    if (traffic.scale < 0.0) n->expected("a scale factor >= 0");
  }
  check_peak(traffic, m.get("scale") ? *m.get("scale") : node);
  return traffic;
}

}  // namespace surgesim::models
