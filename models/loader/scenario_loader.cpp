#include "models/loader/scenario_loader.hpp"

#include <yaml-cpp/depthguard.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "models/loader/overrides.hpp"
#include "models/loader/scenario_error.hpp"
#include "models/loader/suggest.hpp"
#include "models/loader/traffic_loader.hpp"
#include "models/loader/yaml_node.hpp"

namespace surgesim::models {
namespace {

constexpr double kSumTolerance = 1e-6;  // SCENARIO.md: shares and `next` sum to 1 +- 1e-6

// Keys of SCENARIO.md that this version does not implement: rejected, never ignored.
const std::vector<std::string> kTopLater = {"slo"};
const std::vector<std::string> kJourneyLater = {"slowness"};
const std::vector<std::string> kPageLater = {"order"};
const std::vector<std::string> kServiceLater = {"outages"};
const std::vector<std::string> kServerPoolLater = {"calls", "autoscale", "crashes",
                                                   "cost_per_instance_hour"};
const std::vector<std::string> kTypesLater = {"cache", "database", "payment_gateway"};

// Names become parts of key paths and labels ("JOURNEY.PAGE"): no dots or spaces.
void check_name(const std::string& name, const YamlNode& node) {
  bool ok = !name.empty();
  for (const char c : name) {
    ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-');
  }
  if (!ok) {
    node.fail_key("expected a name of letters, digits, '_' or '-', found '" + name + "'");
  }
}

bool contains(const std::vector<std::string>& words, const std::string& word) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "'" : ", '") + n + "'";
  return out;
}

// Enough digits to show why a sum is off: to_string's six decimals print 1.0000004
// as 1.000000, which looks fine.
std::string format_sum(double sum) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", sum);
  return buf;
}

RetryConfig read_retry(const YamlNode& node) {
  const YamlMap m(node, {"max", "backoff"});
  RetryConfig retry;
  if (const auto n = m.get("max")) retry.max = static_cast<int>(n->as_integer(0, 100));
  if (const auto n = m.get("backoff")) retry.backoff = n->as_duration();
  return retry;
}

PageConfig read_page(const std::string& name, const YamlNode& node) {
  const YamlMap m(node, {"call", "think", "next"}, kPageLater);
  PageConfig page;
  page.name = name;
  page.call = m.required("call").as_name();
  if (const auto n = m.get("think")) page.think = n->as_distribution();
  const YamlNode next = m.required("next");
  double sum = 0.0;
  for (const auto& [target, p] : next.entries()) {
    page.next.emplace_back(target, p.as_probability());
    sum += page.next.back().second;
  }
  if (page.next.empty()) next.expected("at least one page name or 'exit' with a probability");
  if (std::abs(sum - 1.0) > kSumTolerance) {
    next.fail("expected probabilities that sum to 1 (within 1e-6), found a sum of " +
              format_sum(sum));
  }
  return page;
}

// Every `call` names a service, every `next` a page of the journey or 'exit'.
void check_references(const JourneyConfig& journey, const std::vector<YamlNode>& page_nodes,
                      const std::set<std::string>& services) {
  const std::vector<std::string> service_names(services.begin(), services.end());
  std::vector<std::string> page_names;
  for (const PageConfig& page : journey.pages) page_names.push_back(page.name);
  std::vector<std::string> targets = page_names;
  targets.emplace_back(kExit);
  for (std::size_t p = 0; p < journey.pages.size(); ++p) {
    const PageConfig& page = journey.pages[p];
    const YamlMap pm(page_nodes[p], {"call", "think", "next"}, kPageLater);
    if (!services.contains(page.call)) {
      pm.required("call").fail("no service named '" + page.call + "'" +
                               did_you_mean(page.call, service_names) +
                               "; services: " + join_names(service_names));
    }
    for (const auto& [target, node] : pm.required("next").entries()) {
      if (!contains(targets, target)) {
        node.fail_key("no page named '" + target + "' in journey '" + journey.name + "'" +
                      did_you_mean(target, targets) + "; pages: " + join_names(page_names) +
                      ", or 'exit' to leave the journey");
      }
    }
  }
}

std::size_t page_index(const JourneyConfig& journey, const std::string& name) {
  for (std::size_t p = 0; p < journey.pages.size(); ++p) {
    if (journey.pages[p].name == name) return p;
  }
  return journey.pages.size();  // 'exit'
}

// Pages a session can visit: reached from the start along `next` with probability > 0.
std::vector<bool> reachable_pages(const JourneyConfig& journey) {
  std::vector<bool> seen(journey.pages.size() + 1);  // the last one is 'exit'
  std::vector<std::size_t> todo = {page_index(journey, journey.start)};
  seen[todo.front()] = true;
  while (!todo.empty()) {
    const std::size_t p = todo.back();
    todo.pop_back();
    if (p == journey.pages.size()) continue;
    for (const auto& [target, prob] : journey.pages[p].next) {
      const std::size_t t = page_index(journey, target);
      if (prob > 0.0 && !seen[t]) {
        seen[t] = true;
        todo.push_back(t);
      }
    }
  }
  return seen;
}

// Pages from which 'exit' can be reached: grows until nothing changes.
std::vector<bool> pages_reaching_exit(const JourneyConfig& journey) {
  std::vector<bool> ok(journey.pages.size() + 1);
  ok.back() = true;
  for (bool changed = true; changed;) {
    changed = false;
    for (std::size_t p = 0; p < journey.pages.size(); ++p) {
      for (const auto& [target, prob] : journey.pages[p].next) {
        if (!ok[p] && prob > 0.0 && ok[page_index(journey, target)]) ok[p] = changed = true;
      }
    }
  }
  return ok;
}

// SCENARIO.md's graph checks: every page is reachable from the start (or it is a
// mistake) and can reach 'exit' (or sessions that get there never end).
void check_page_graph(const JourneyConfig& journey, const std::vector<YamlNode>& page_nodes) {
  const std::vector<bool> reachable = reachable_pages(journey);
  const std::vector<bool> ending = pages_reaching_exit(journey);
  for (std::size_t p = 0; p < journey.pages.size(); ++p) {
    if (!reachable[p]) {
      page_nodes[p].fail_key("page '" + journey.pages[p].name +
                             "' cannot be reached from the start page '" + journey.start +
                             "' (no 'next' with probability > 0 leads to it)");
    }
    if (!ending[p]) {
      page_nodes[p].fail_key("from page '" + journey.pages[p].name +
                             "' a session can never reach 'exit', so it would never end");
    }
  }
}

PatienceCovers read_patience_covers(const YamlNode& node) {
  const std::string covers = node.as_string();
  if (covers == "response") return PatienceCovers::response;
  if (covers == "queue") return PatienceCovers::queue;
  node.expected("'response' or 'queue'", did_you_mean(covers, {"response", "queue"}));
}

// Reads the pages in file order; returns their nodes, for messages about them later.
std::vector<YamlNode> read_pages(const YamlNode& pages, JourneyConfig& journey) {
  std::vector<YamlNode> page_nodes;
  for (const auto& [page_name, page_node] : pages.entries()) {
    if (page_name == kExit) {
      page_node.fail_key("'exit' is reserved for leaving the journey; name the page otherwise");
    }
    check_name(page_name, page_node);
    page_nodes.push_back(page_node);
    journey.pages.push_back(read_page(page_name, page_node));
  }
  if (journey.pages.empty()) pages.expected("at least one page");
  return page_nodes;
}

std::string read_start(const std::optional<YamlNode>& node, const JourneyConfig& journey) {
  if (!node) return journey.pages.front().name;
  const std::string start = node->as_name();
  std::vector<std::string> page_names;
  for (const PageConfig& page : journey.pages) page_names.push_back(page.name);
  if (!contains(page_names, start)) {
    node->fail("no page named '" + start + "' in journey '" + journey.name + "'" +
               did_you_mean(start, page_names) + "; pages: " + join_names(page_names));
  }
  return start;
}

JourneyConfig read_journey(const std::string& name, const YamlNode& node,
                           const std::set<std::string>& services) {
  const YamlMap m(node,
                  {"share", "start", "think", "patience", "patience_covers", "retry", "pages"},
                  kJourneyLater);
  JourneyConfig journey;
  journey.name = name;
  journey.share = m.required("share").as_probability();
  if (const auto n = m.get("think")) journey.think = n->as_distribution();
  if (const auto n = m.get("patience")) journey.patience = n->as_distribution();
  if (const auto n = m.get("patience_covers")) journey.patience_covers = read_patience_covers(*n);
  if (const auto n = m.get("retry")) journey.retry = read_retry(*n);
  const std::vector<YamlNode> page_nodes = read_pages(m.required("pages"), journey);
  journey.start = read_start(m.get("start"), journey);
  check_references(journey, page_nodes, services);
  check_page_graph(journey, page_nodes);
  return journey;
}

std::optional<YamlNode> find_key(const YamlNode& map, const std::string& key) {
  for (const auto& [k, child] : map.entries()) {
    if (k == key) return child;
  }
  return std::nullopt;
}

ServerPoolConfig read_server_pool(const YamlMap& m) {
  ServerPoolConfig pool;
  pool.instances = static_cast<int>(m.required("instances").as_integer(1, 1'000'000));
  if (const auto n = m.get("workers")) pool.workers = static_cast<int>(n->as_integer(1, 1'000'000));
  // Far beyond any real tier, and it keeps instances x workers (and the Erlang
  // recursions of the analytic estimate, linear in it) within bounds.
  constexpr std::int64_t kMaxWorkers = 10'000'000;
  if (std::int64_t{pool.instances} * pool.workers > kMaxWorkers) {
    m.node().fail("expected at most " + std::to_string(kMaxWorkers) +
                  " workers in all (instances x workers), found " +
                  std::to_string(std::int64_t{pool.instances} * pool.workers));
  }
  if (const auto n = m.get("queue")) {
    pool.queue = static_cast<std::uint64_t>(n->as_integer(0, 1'000'000'000));
  }
  pool.service = m.required("service").as_distribution();
  return pool;
}

// The type decides which keys are known, so it is read before the rest.
std::string read_service_type(const YamlNode& node) {
  static const std::vector<std::string> kTypes = {"server_pool", "cache", "database",
                                                  "payment_gateway"};
  const std::string kinds = "server_pool, cache, database, payment_gateway";
  if (!node.is_map()) node.expected("a service (a map with 'type': " + kinds + ")");
  const auto type_node = find_key(node, "type");
  if (!type_node) {
    throw ScenarioError(node.location(), node.path() + ".type",
                        "missing required key 'type' (one of " + kinds + ")");
  }
  const std::string type = type_node->as_string();
  if (std::find(kTypesLater.begin(), kTypesLater.end(), type) != kTypesLater.end()) {
    type_node->fail("service type '" + type + "' is not supported yet by this version of surgesim");
  }
  if (type != "server_pool") {
    type_node->expected("a service type: " + kinds, did_you_mean(type, kTypes));
  }
  return type;
}

ServiceConfig read_service(const std::string& name, const YamlNode& node) {
  read_service_type(node);
  std::vector<std::string> later = kServiceLater;
  later.insert(later.end(), kServerPoolLater.begin(), kServerPoolLater.end());
  const YamlMap m(node, {"type", "timeout", "instances", "workers", "queue", "service"}, later);
  ServiceConfig service;
  service.name = name;
  if (const auto n = m.get("timeout")) {
    service.timeout = n->as_duration();
    if (*service.timeout <= 0.0) n->expected("a timeout > 0");
  }
  service.kind = read_server_pool(m);
  return service;
}

// SCENARIO.md: a service that no page reaches is worth a warning, not an error (it may
// be kept for a what-if). Until `calls` exist, a service is reached only by pages.
void warn_about_idle_services(Scenario& scenario, const std::vector<YamlNode>& service_nodes) {
  std::set<std::string> called;
  for (const JourneyConfig& journey : scenario.journeys) {
    for (const PageConfig& page : journey.pages) called.insert(page.call);
  }
  for (std::size_t i = 0; i < scenario.services.size(); ++i) {
    if (called.contains(scenario.services[i].name)) continue;
    const YamlNode& node = service_nodes[i];
    scenario.warnings.push_back(node.key_location() + ": " + node.path() +
                                ": no page calls this service, so it receives no requests");
  }
}

Scenario read_scenario(const YamlNode& root, const std::string& file) {
  const std::string scenario_dir = std::filesystem::path(file).parent_path().string();
  const std::string top = "name, duration, traffic, journeys and services";
  if (root.raw().IsNull()) {
    // No node, so no mark: the start of the file is where something is missing.
    throw ScenarioError(file + ":1:1", "", "the scenario is empty; expected a map with " + top);
  }
  if (!root.is_map()) root.expected("a scenario: a map with " + top);
  const YamlMap m(root, {"name", "description", "currency", "duration", "warmup", "bucket", "seed",
                         "replications", "traffic", "journeys", "services", "slo"});
  Scenario scenario;
  scenario.name = m.required("name").as_string();
  if (const auto n = m.get("description")) scenario.description = n->as_string();
  if (const auto n = m.get("currency")) scenario.currency = n->as_string();
  const YamlNode duration = m.required("duration");
  scenario.duration = duration.as_duration();
  if (scenario.duration <= 0.0) duration.expected("a duration > 0");
  if (const auto n = m.get("warmup")) {
    scenario.warmup = n->as_duration();
    if (scenario.warmup >= scenario.duration) n->expected("a warm-up shorter than the duration");
  }
  if (const auto n = m.get("bucket")) {
    scenario.bucket = n->as_duration();
    if (scenario.bucket <= 0.0) n->expected("a bucket width > 0");
  }
  if (const auto n = m.get("seed")) {
    scenario.seed = static_cast<std::uint64_t>(n->as_integer(0, INT64_MAX));
  }
  if (const auto n = m.get("replications")) {
    scenario.replications = static_cast<int>(n->as_integer(1, 100'000));
  }
  if (const auto n = m.get("slo")) {
    const bool empty = n->raw().IsNull() || (n->is_sequence() && n->raw().size() == 0);
    if (!empty) {
      n->fail_key("'slo' is not supported yet by this version of surgesim (only an empty list)");
    }
  }
  scenario.traffic = read_traffic(m.required("traffic"), scenario_dir);

  std::set<std::string> service_names;
  std::vector<YamlNode> service_nodes;
  for (const auto& [name, node] : m.required("services").entries()) {
    check_name(name, node);
    service_names.insert(name);
    service_nodes.push_back(node);
    scenario.services.push_back(read_service(name, node));
  }
  if (scenario.services.empty()) m.required("services").expected("at least one service");

  const YamlNode journeys = m.required("journeys");
  double share_sum = 0.0;
  for (const auto& [name, node] : journeys.entries()) {
    check_name(name, node);
    scenario.journeys.push_back(read_journey(name, node, service_names));
    share_sum += scenario.journeys.back().share;
  }
  if (scenario.journeys.empty()) journeys.expected("at least one journey");
  if (std::abs(share_sum - 1.0) > kSumTolerance) {
    journeys.fail("expected journey shares that sum to 1 (within 1e-6), found a sum of " +
                  format_sum(share_sum));
  }
  warn_about_idle_services(scenario, service_nodes);
  return scenario;
}

std::string mark_location(const std::string& file, const YAML::Mark& mark) {
  if (mark.is_null()) return file;
  return file + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
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
    throw ScenarioError(mark_location(file, e.mark), "", "invalid YAML: " + e.msg);
  }
}

}  // namespace

Scenario load_scenario_text(const std::string& text, const std::string& file,
                            const std::vector<Override>& overrides) {
  auto source = std::make_shared<YamlSource>();
  source->file = file;
  YAML::Node root = parse_yaml(text, file);
  check_structure(YamlNode(root, "", source));
  apply_overrides(root, overrides, *source);
  return read_scenario(YamlNode(root, "", source), file);
}

Scenario load_scenario_file(const std::string& path, const std::vector<Override>& overrides) {
  // A directory opens fine on Linux and reads as empty: "the scenario is empty" would mislead.
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw ScenarioError(path, "", "expected a scenario file, found a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw ScenarioError(path, "",
                        std::string("cannot open the scenario file: ") + std::strerror(errno));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return load_scenario_text(text.str(), path, overrides);
}

}  // namespace surgesim::models
