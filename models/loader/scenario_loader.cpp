#include "models/loader/scenario_loader.hpp"

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <filesystem>
#include <sstream>
#include <unordered_map>

#include "models/analysis/call_graph.hpp"
#include "models/limits.hpp"
#include "models/loader/extends.hpp"
#include "models/loader/input_file.hpp"
#include "models/loader/journey_loader.hpp"
#include "models/loader/overrides.hpp"
#include "models/loader/scenario_document.hpp"
#include "models/loader/slo_loader.hpp"
#include "models/loader/traffic_loader.hpp"
#include "models/loader/waiting_room_loader.hpp"
#include "models/services/service_types.hpp"
#include "models/yaml/scenario_error.hpp"
#include "models/yaml/suggest.hpp"
#include "models/yaml/yaml_node.hpp"

namespace surgesim::models {
namespace {

constexpr double kSumTolerance = 1e-6;  // docs/scenario.md: shares sum to 1 +- 1e-6

// The YAML nodes of what was read, so that checks made later (on the call graph) can
// point at the right file:line:column.
struct ScenarioNodes {
  std::vector<YamlNode> services;
  std::vector<YamlNode> journeys;
  std::vector<std::vector<YamlNode>> pages;
};

std::optional<YamlNode> find_key(const YamlNode& map, const std::string& key) {
  if (!map.is_map()) return std::nullopt;
  for (const auto& [k, child] : map.entries()) {
    if (k == key) return child;
  }
  return std::nullopt;
}

std::vector<std::string> service_names(const Scenario& scenario) {
  std::vector<std::string> names;
  for (const ServiceConfig& s : scenario.services) names.push_back(s.name);
  return names;
}

// A --set option on a path that did not exist creates it; an entry it created that lacks
// the key every such entry needs was most likely meant to be one of its siblings (the
// other entries of `names`).
void check_created_entry(const std::string& name, const YamlNode& node,
                         const std::vector<std::string>& names, const std::string& required,
                         const std::string& what) {
  if (!node.from_override() || find_key(node, required)) return;
  std::vector<std::string> siblings = names;
  siblings.erase(std::find(siblings.begin(), siblings.end(), name));
  const std::string match = closest_match(name, siblings);
  if (match.empty()) return;
  node.fail_key("no " + what + " named '" + name + "' (did you mean '" + match +
                "'?); the override created it, but it lacks '" + required + "'");
}

// The node at `key_path` ("calls.0.to") inside `node`; the path comes from the service
// type's callees, so it exists.
YamlNode node_at(YamlNode node, const std::string& key_path) {
  std::istringstream parts(key_path);
  for (std::string part; std::getline(parts, part, '.');) {
    if (node.is_map()) {
      node = *find_key(node, part);
    } else {
      node = node.items().at(std::stoul(part));
    }
  }
  return node;
}

// The node a call graph reference came from: a page's `call`, or the callee's key of a
// service (a pool's `calls.I.to`, a cache's `miss.to`).
YamlNode reference_node(const Scenario& scenario, const ScenarioNodes& nodes,
                        const UnknownService& ref) {
  if (ref.from == CallVertexKind::page)
    return *find_key(nodes.pages[ref.journey][ref.index], "call");
  return node_at(nodes.services[ref.index], callees(scenario.services[ref.index]).at(ref.call).key);
}

// The node naming service `to` among the live callees of service `from`.
YamlNode call_node(const Scenario& scenario, const ScenarioNodes& nodes, std::size_t from,
                   std::size_t to) {
  const std::vector<Callee> all = callees(scenario.services[from]);
  const auto it = std::find_if(all.begin(), all.end(), [&](const Callee& c) {
    return c.to == scenario.services[to].name && c.live();
  });
  return node_at(nodes.services[from], (it != all.end() ? *it : all.front()).key);
}

// the scenario reference's call graph checks, made on the Boost.Graph call graph.
void check_call_graph(Scenario& scenario, const ScenarioNodes& nodes) {
  const CallGraph graph = build_call_graph(scenario);
  const std::vector<std::string> names = service_names(scenario);
  if (!graph.unknown.empty()) {
    const UnknownService& ref = graph.unknown.front();
    reference_node(scenario, nodes, ref)
        .fail("no service named '" + ref.name + "'" + did_you_mean(ref.name, names) +
              "; services: " + quoted_names(names));
  }
  // Every page can be visited (or it is a mistake) and can reach 'exit' (or sessions that
  // get there never end).
  for (std::size_t j = 0; j < scenario.journeys.size(); ++j) {
    const JourneyConfig& journey = scenario.journeys[j];
    const std::vector<std::size_t> unreachable = unreachable_pages(graph, j);
    const std::vector<std::size_t> endless = pages_without_exit(graph, j);
    for (std::size_t p = 0; p < journey.pages.size(); ++p) {
      if (std::find(unreachable.begin(), unreachable.end(), p) != unreachable.end()) {
        nodes.pages[j][p].fail_key("page '" + journey.pages[p].name +
                                   "' cannot be reached from the start page '" + journey.start +
                                   "' (no 'next' with probability > 0 leads to it)");
      }
      if (std::find(endless.begin(), endless.end(), p) != endless.end()) {
        nodes.pages[j][p].fail_key("from page '" + journey.pages[p].name +
                                   "' a session can never reach 'exit', so it would never end");
      }
    }
  }
  // A request that reaches its own service again would recurse forever.
  const std::vector<std::size_t> cycle = find_call_cycle(graph);
  if (!cycle.empty()) {
    std::string loop;
    for (const std::size_t s : cycle) loop += (loop.empty() ? "" : " -> ") + names[s];
    call_node(scenario, nodes, cycle[cycle.size() - 2], cycle.back())
        .fail("calls loop: " + loop +
              " (a service must not reach itself through calls or "
              "cache misses: every request would call on forever)");
  }
  // Allowed but probably not meant: kept for a what-if, say.
  for (const std::size_t s : unreached_services(graph)) {
    const YamlNode& node = nodes.services[s];
    scenario.warnings.push_back(node.key_location() + ": " + node.path() +
                                ": no page calls this service, directly or through other "
                                "services, so it receives no requests");
  }
}

// Every bucket is a row of every time series table: a bucket of 1 ns (a unit typo) would
// ask for more rows than memory holds.
void check_bucket_count(const Scenario& scenario, const YamlNode& blamed) {
  const double buckets = std::ceil(scenario.duration / scenario.bucket);
  if (buckets <= static_cast<double>(limits::kBuckets)) return;
  blamed.fail(
      fmt::format("expected at most {} buckets (duration / bucket), found {:.3g}; "
                  "widen the bucket to at least {:g} s (docs/scenario.md, Limits)",
                  limits::grouped(limits::kBuckets), buckets,
                  scenario.duration / static_cast<double>(limits::kBuckets)));
}

// The longest chain of services one page request can pass through (calls and misses),
// the page's own service included. The loader has refused call cycles, so the services
// form a DAG and the depth is its longest path.
void check_call_depth(const Scenario& scenario, const ScenarioNodes& nodes) {
  const std::vector<std::string> order = topological_services(scenario);  // callees first
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t s = 0; s < scenario.services.size(); ++s) index[scenario.services[s].name] = s;
  std::vector<std::int64_t> depth(scenario.services.size(), 1);
  for (const std::string& name : order) {
    const std::size_t s = index.at(name);
    for (const Callee& callee : callees(scenario.services[s])) {
      depth[s] = std::max(depth[s], 1 + depth[index.at(callee.to)]);
    }
    if (depth[s] > limits::kCallDepth) {
      nodes.services[s].fail_key(
          "expected calls at most " + limits::grouped(limits::kCallDepth) +
          " services deep, found a chain of " + limits::grouped(depth[s]) +
          " from here; services that a request passes through one after the other, "
          "with nothing in between, can be one service (docs/scenario.md, Limits)");
    }
  }
}

void read_services(const YamlNode& services, Scenario& scenario, ScenarioNodes& nodes) {
  check_count(services, limits::kServices, "services",
              "a tier of identical servers is one server_pool with more instances");
  std::vector<std::string> names;
  for (const auto& [name, node] : services.entries()) names.push_back(name);
  for (const auto& [name, node] : services.entries()) {
    check_key_name(name, node);
    check_created_entry(name, node, names, "type", "service");
    if (name == "waiting_room") {
      node.fail(
          "'waiting_room' is a reserved name (lost revenue and SLOs name the waiting "
          "room so); give the service another name");
    }
    nodes.services.push_back(node);
    scenario.services.push_back(read_service(name, node));
  }
  if (scenario.services.empty()) services.expected("at least one service");
}

// Pages of all journeys together, counted before any is read.
void check_page_count(const YamlNode& journeys) {
  if (!journeys.is_map()) return;
  std::int64_t pages = 0;
  for (const auto& journey : journeys.raw()) {
    if (!journey.second.IsMap()) continue;
    for (const auto& key : journey.second) {
      if (key.first.IsScalar() && key.first.Scalar() == "pages" && key.second.IsMap()) {
        pages += static_cast<std::int64_t>(key.second.size());
      }
    }
  }
  if (pages <= limits::kPages) return;
  journeys.fail("expected at most " + limits::grouped(limits::kPages) +
                " pages in all journeys, found " + limits::grouped(pages) +
                "; pages that shoppers treat alike (product pages, say) are one page "
                "(docs/scenario.md, Limits)");
}

void read_journeys(const YamlNode& journeys, Scenario& scenario, ScenarioNodes& nodes) {
  check_count(journeys, limits::kJourneys, "journeys",
              "journeys that differ only in their share are one journey");
  check_page_count(journeys);
  std::vector<std::string> names;
  for (const auto& [name, node] : journeys.entries()) names.push_back(name);
  double share_sum = 0.0;
  for (const auto& [name, node] : journeys.entries()) {
    check_key_name(name, node);
    check_created_entry(name, node, names, "pages", "journey");
    nodes.journeys.push_back(node);
    nodes.pages.emplace_back();
    scenario.journeys.push_back(read_journey(name, node, nodes.pages.back()));
    share_sum += scenario.journeys.back().share;
  }
  if (scenario.journeys.empty()) journeys.expected("at least one journey");
  if (std::abs(share_sum - 1.0) > kSumTolerance) {
    journeys.fail("expected journey shares that sum to 1 (within 1e-6), found a sum of " +
                  format_sum(share_sum));
  }
}

// "5h" without `start`, "03:00 (5h from the start)" with it: how messages name a time.
std::string time_text(const Scenario& scenario, Time t) {
  if (!scenario.start) return span_text(t);
  return clock_text(*scenario.start, t, std::fmod(t, 60.0) != 0.0) + " (" + span_text(t) +
         " from the start)";
}

StartClock read_start(const YamlNode& node) {
  const auto start = node.is_scalar() ? parse_start(node.as_string()) : std::nullopt;
  if (!start) {
    node.expected(
        "the shop's local time when the run starts: \"HH:MM\" or \"YYYY-MM-DD HH:MM\" (a "
        "real date, hours 00-23)");
  }
  return *start;
}

// `window: {from, to}`: the span of the scenario to simulate.
WindowConfig read_window(const YamlNode& node, const Scenario& scenario) {
  if (!node.is_map() && !node.raw().IsNull()) {
    node.expected("a map with 'from' and 'to' (time points)");
  }
  const YamlMap m(node, {"from", "to"});
  WindowConfig window{0.0, scenario.duration};
  const auto from = m.get("from");
  if (from) {
    window.from = from->as_time_point();
    if (window.from >= scenario.duration) {
      from->fail("expected a time point before the end of the scenario (its duration: " +
                 time_text(scenario, scenario.duration) + "), found \"" + from->as_string() +
                 "\" = " + time_text(scenario, window.from));
    }
  }
  if (const auto to = m.get("to")) {
    window.to = to->as_time_point_after(window.from);
    if (window.to <= window.from) {
      to->fail("expected a time point after the window's from (" +
               time_text(scenario, window.from) + "), found \"" + to->as_string() +
               "\" = " + time_text(scenario, window.to));
    }
    if (window.to > scenario.duration) {
      to->fail("expected a time point no later than the end of the scenario (its duration: " +
               time_text(scenario, scenario.duration) + "), found \"" + to->as_string() +
               "\" = " + time_text(scenario, window.to) +
               (from ? " (a clock time means the first moment after the window's from that "
                       "shows it)"
                     : ""));
    }
  }
  return window;
}

Scenario read_scenario(const YamlNode& root, const std::string& file, const ScenarioPaths& paths,
                       YamlSource& source) {
  const std::string top = "name, duration, traffic, journeys and services";
  if (root.raw().IsNull()) {
    // No node, so no mark: the start of the file is where something is missing.
    throw ScenarioError(file + ":1:1", "", "the scenario is empty; expected a map with " + top);
  }
  if (!root.is_map()) root.expected("a scenario: a map with " + top);
  const YamlMap m(root, scenario_keys());
  Scenario scenario;
  // Every time point below may be a clock time once the start is known.
  if (const auto n = m.get("start")) source.start = scenario.start = read_start(*n);
  scenario.name = m.required("name").as_string();
  if (const auto n = m.get("description")) scenario.description = n->as_string();
  if (const auto n = m.get("currency")) scenario.currency = n->as_string();
  const YamlNode duration = m.required("duration");
  scenario.duration = duration.as_duration();
  if (scenario.duration <= 0.0) duration.expected("a duration > 0");
  if (scenario.duration > limits::kDuration) {
    duration.expected("a duration of at most 366 days (docs/scenario.md, Limits)");
  }
  if (const auto n = m.get("window")) scenario.window = read_window(*n, scenario);
  if (const auto n = m.get("warmup")) {
    scenario.warmup = n->as_duration();
    if (scenario.warmup >= scenario.run_to() - scenario.run_from()) {
      n->expected(scenario.window ? "a warm-up shorter than the window (" +
                                        span_text(scenario.run_to() - scenario.run_from()) +
                                        "; the warm-up counts from the window's from)"
                                  : std::string("a warm-up shorter than the duration"));
    }
  }
  if (const auto n = m.get("bucket")) {
    scenario.bucket = n->as_duration();
    if (scenario.bucket <= 0.0) n->expected("a bucket width > 0");
  }
  check_bucket_count(scenario, m.get("bucket") ? *m.get("bucket") : duration);
  if (const auto n = m.get("seed")) {
    scenario.seed = static_cast<std::uint64_t>(n->as_integer(0, INT64_MAX));
  }
  if (const auto n = m.get("replications")) {
    scenario.replications = static_cast<int>(n->as_integer(1, limits::kReplications));
  }
  scenario.traffic = read_traffic(m.required("traffic"), paths);

  ScenarioNodes nodes;
  read_services(m.required("services"), scenario, nodes);
  read_journeys(m.required("journeys"), scenario, nodes);
  check_call_graph(scenario, nodes);
  check_call_depth(scenario, nodes);
  if (const auto n = m.get("waiting_room")) {
    scenario.waiting_room = read_waiting_room(*n, scenario.duration);
  }
  if (const auto n = m.get("slo")) {
    check_count(*n, limits::kSlos, "SLOs", "one SLO per scope and metric is enough");
    scenario.slos = read_slos(*n, scenario);
  }
  return scenario;
}

// Emits `node` as yaml-cpp does, but with clock times quoted: yaml-cpp drops the
// quotes of "23:50", and a YAML 1.1 reader (PyYAML) takes 23:50 for the number 1430.
void emit_quoting_clocks(YAML::Emitter& out, const YAML::Node& node) {
  const auto style = [&] {
    return node.Style() == YAML::EmitterStyle::Flow ? YAML::Flow : YAML::Block;
  };
  switch (node.Type()) {
    case YAML::NodeType::Map:
      out << style() << YAML::BeginMap;
      for (const auto& kv : node) {
        out << YAML::Key;
        emit_quoting_clocks(out, kv.first);
        out << YAML::Value;
        emit_quoting_clocks(out, kv.second);
      }
      out << YAML::EndMap;
      return;
    case YAML::NodeType::Sequence:
      out << style() << YAML::BeginSeq;
      for (const auto& item : node) emit_quoting_clocks(out, item);
      out << YAML::EndSeq;
      return;
    case YAML::NodeType::Scalar:
      if (looks_like_clock(node.Scalar())) {
        out << YAML::DoubleQuoted << node.Scalar();
        return;
      }
      break;
    default:
      break;
  }
  out << node;
}

// The scenario as simulated (after --set), for result files.
std::string resolved_yaml(const YAML::Node& root) {
  YAML::Emitter out;
  emit_quoting_clocks(out, root);
  return std::string(out.c_str()) + "\n";
}

std::string read_scenario_file(const std::string& path) {
  try {
    return read_input_file(path, kScenarioInput, kScenarioBytes);
  } catch (const InputFileError& e) {
    throw ScenarioError(path, "", e.what());
  }
}

Scenario load_text(const std::string& text, const ScenarioSource& source,
                   const std::vector<Override>& overrides, ScenarioFiles& files) {
  const std::string& file = source.file;
  const std::string dir =
      source.base_dir ? *source.base_dir : std::filesystem::path(file).parent_path().string();
  auto yaml_source = std::make_shared<YamlSource>();
  yaml_source->file = file;
  // Text handed over (Python's loads, say) is held to the limit of a file.
  if (text.size() > kScenarioBytes) {
    throw ScenarioError(file, "",
                        "the scenario is larger than " + std::to_string(kScenarioBytes >> 20) +
                            " MiB, the most surgesim reads: " + kScenarioInput.advice);
  }
  YAML::Node root = parse_scenario_document(text, file);
  check_structure(YamlNode(root, "", yaml_source));
  root = resolve_extends(root, file, dir, *yaml_source, files, kScenarioBytes - text.size());
  apply_overrides(root, overrides, *yaml_source);
  Scenario scenario =
      read_scenario(YamlNode(root, "", yaml_source), file, ScenarioPaths{dir, files}, *yaml_source);
  scenario.resolved_text = resolved_yaml(root);
  return scenario;
}

// `error` points into the file although overrides were applied: unless the file has it
// by itself, the overrides brought it about (a value in the file checked against an
// overridden one), and the first override with which it appears is named.
ScenarioError blamed_on_override(const ScenarioError& error, const std::string& text,
                                 const ScenarioSource& source, ScenarioFiles& files) {
  const std::vector<Override>& overrides = source.overrides;
  for (const Override& o : overrides) {
    if (error.location() == override_origin(o)) return error;
  }
  // Whether the first `count` overrides bring the same error about.
  auto fails_with = [&](std::size_t count) {
    try {
      load_text(text, source, {overrides.begin(), overrides.begin() + count}, files);
      return false;
    } catch (const ScenarioError& e) {
      return e.key_path() == error.key_path() && e.problem() == error.problem();
    }
  };
  if (fails_with(0)) return error;  // the file has it by itself
  for (std::size_t k = 1; k <= overrides.size(); ++k) {
    if (fails_with(k)) {
      return ScenarioError(override_origin(overrides[k - 1]), error.key_path(),
                           error.problem() + " (the value at " + error.location() + ")");
    }
  }
  return error;
}

}  // namespace

Scenario load_scenario(const ScenarioSource& source, ScenarioFiles& files) {
  const std::string text = source.text ? *source.text : read_scenario_file(source.file);
  try {
    return load_text(text, source, source.overrides, files);
  } catch (const ScenarioError& e) {
    if (source.overrides.empty()) throw;
    throw blamed_on_override(e, text, source, files);
  }
}

Scenario load_scenario_text(const std::string& text, const std::string& file,
                            const std::vector<Override>& overrides) {
  ScenarioFiles disk;
  return load_scenario({file, text, std::nullopt, overrides}, disk);
}

Scenario load_scenario_file(const std::string& path, const std::vector<Override>& overrides) {
  ScenarioFiles disk;
  return load_scenario({path, std::nullopt, std::nullopt, overrides}, disk);
}

}  // namespace surgesim::models
