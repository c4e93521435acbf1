#include "models/loader/scenario_loader.hpp"

#include <algorithm>
#include <cctype>
#include <climits>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "models/loader/overrides.hpp"
#include "models/loader/scenario_error.hpp"
#include "models/loader/suggest.hpp"
#include "models/loader/yaml_node.hpp"

namespace surgesim::models {
namespace {

constexpr double kSumTolerance = 1e-6;  // SCENARIO.md: shares and `next` sum to 1 +- 1e-6

// Keys of SCENARIO.md that this version does not implement: rejected, never ignored.
const std::vector<std::string> kTopLater = {"slo"};
const std::vector<std::string> kTrafficLater = {"profile", "csv", "spikes", "scale"};
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
  if (!ok) node.fail("the name '" + name + "' may hold only letters, digits, '_' and '-'");
}

TrafficConfig read_traffic(const YamlNode& node) {
  const YamlMap m(node, {"rate"}, kTrafficLater);
  TrafficConfig traffic;
  traffic.rate = m.required("rate").as_rate();
  return traffic;
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
    next.fail("probabilities must sum to 1, found " + std::to_string(sum));
  }
  return page;
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
  if (const auto n = m.get("patience_covers")) {
    const std::string covers = n->as_string();
    if (covers == "response") {
      journey.patience_covers = PatienceCovers::response;
    } else if (covers == "queue") {
      journey.patience_covers = PatienceCovers::queue;
    } else {
      n->expected("'response' or 'queue'" + did_you_mean(covers, {"response", "queue"}));
    }
  }
  if (const auto n = m.get("retry")) journey.retry = read_retry(*n);

  const YamlNode pages = m.required("pages");
  std::vector<std::string> page_names;
  std::vector<YamlNode> page_nodes;
  for (const auto& [page_name, page_node] : pages.entries()) {
    if (page_name == kExit) page_node.fail("'exit' is reserved for leaving the journey");
    check_name(page_name, page_node);
    page_names.push_back(page_name);
    page_nodes.push_back(page_node);
    journey.pages.push_back(read_page(page_name, page_node));
  }
  if (journey.pages.empty()) pages.expected("at least one page");

  auto known_page = [&](const std::string& target) {
    return std::find(page_names.begin(), page_names.end(), target) != page_names.end();
  };
  if (const auto n = m.get("start")) {
    journey.start = n->as_name();
    if (!known_page(journey.start)) {
      n->fail("no page named '" + journey.start + "'" + did_you_mean(journey.start, page_names));
    }
  } else {
    journey.start = journey.pages.front().name;
  }
  const std::vector<std::string> service_names(services.begin(), services.end());
  std::vector<std::string> targets = page_names;
  targets.emplace_back(kExit);
  for (std::size_t p = 0; p < journey.pages.size(); ++p) {
    const PageConfig& page = journey.pages[p];
    const YamlMap pm(page_nodes[p], {"call", "think", "next"}, kPageLater);
    if (!services.contains(page.call)) {
      pm.required("call").fail("no service named '" + page.call + "'" +
                               did_you_mean(page.call, service_names));
    }
    for (const auto& [target, node] : pm.required("next").entries()) {
      if (!known_page(target) && target != kExit) {
        node.fail("no page named '" + target + "'" + did_you_mean(target, targets) +
                  "; use 'exit' to leave the journey");
      }
    }
  }
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
  if (const auto n = m.get("queue")) {
    pool.queue = static_cast<std::uint64_t>(n->as_integer(0, 1'000'000'000));
  }
  pool.service = m.required("service").as_distribution();
  return pool;
}

ServiceConfig read_service(const std::string& name, const YamlNode& node) {
  static const std::vector<std::string> kTypes = {"server_pool", "cache", "database",
                                                  "payment_gateway"};
  if (!node.is_map()) node.expected("a service (a map with 'type')");
  const auto type_node = find_key(node, "type");
  if (!type_node)
    node.fail("missing required key 'type' (one of server_pool, cache, database, payment_gateway)");
  const std::string type = type_node->as_string();
  if (std::find(kTypesLater.begin(), kTypesLater.end(), type) != kTypesLater.end()) {
    type_node->fail("service type '" + type + "' is not supported yet by this version of surgesim");
  }
  if (type != "server_pool") {
    type_node->expected("a service type: server_pool, cache, database or payment_gateway" +
                        did_you_mean(type, kTypes));
  }
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

Scenario read_scenario(const YamlNode& root) {
  if (root.raw().IsNull()) root.fail("the scenario is empty");
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
    if (!(n->is_sequence() && n->raw().size() == 0)) {
      n->fail("'slo' is not supported yet by this version of surgesim (only an empty list)");
    }
  }
  scenario.traffic = read_traffic(m.required("traffic"));

  std::set<std::string> service_names;
  for (const auto& [name, node] : m.required("services").entries()) {
    check_name(name, node);
    service_names.insert(name);
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
    journeys.fail("journey shares must sum to 1, found " + std::to_string(share_sum));
  }
  return scenario;
}

}  // namespace

Scenario load_scenario_text(const std::string& text, const std::string& file,
                            const std::vector<Override>& overrides) {
  auto source = std::make_shared<YamlSource>();
  source->file = file;
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    throw ScenarioError(
        file + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1), "",
        "invalid YAML: " + e.msg);
  }
  check_structure(YamlNode(root, "", source));
  apply_overrides(root, overrides, *source);
  return read_scenario(YamlNode(root, "", source));
}

Scenario load_scenario_file(const std::string& path, const std::vector<Override>& overrides) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ScenarioError(path, "", "cannot open the scenario file");
  std::ostringstream text;
  text << in.rdbuf();
  return load_scenario_text(text.str(), path, overrides);
}

}  // namespace surgesim::models
