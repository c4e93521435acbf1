#include "models/loader/service_loader.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "models/yaml/scenario_error.hpp"
#include "models/yaml/suggest.hpp"

namespace surgesim::models {
namespace {

constexpr double kSumTolerance = 1e-6;  // SCENARIO.md: provider shares sum to 1 +- 1e-6

// Far beyond any real tier, and it keeps instances x workers (and the Erlang
// recursions of the analytic estimate, linear in it) within bounds.
constexpr std::int64_t kMaxWorkers = 10'000'000;
constexpr std::int64_t kMaxInstances = 1'000'000;

const std::vector<std::string> kTypes = {"server_pool", "cache", "database", "payment_gateway"};
const std::vector<std::string> kCommonKeys = {"type", "timeout", "outages"};

std::vector<std::string> keys_for(std::vector<std::string> own) {
  own.insert(own.begin(), kCommonKeys.begin(), kCommonKeys.end());
  return own;
}

const std::vector<std::string> kServerPoolKeys =
    keys_for({"instances", "workers", "queue", "service", "calls", "autoscale", "crashes",
              "cost_per_instance_hour"});
const std::vector<std::string> kCacheKeys =
    keys_for({"hit_ratio", "hit", "miss", "workers", "cold"});
const std::vector<std::string> kDatabaseKeys =
    keys_for({"connections", "query", "pool_timeout", "contention"});
const std::vector<std::string> kGatewayKeys = keys_for({"providers", "failover"});

std::optional<YamlNode> find_key(const YamlNode& map, const std::string& key) {
  for (const auto& [k, child] : map.entries()) {
    if (k == key) return child;
  }
  return std::nullopt;
}

Time positive_duration(const YamlNode& node, const std::string& what) {
  const Time t = node.as_duration();
  if (t <= 0.0) node.expected(what + " > 0");
  return t;
}

// A list that may be written as `key:` with nothing (no items).
std::vector<YamlNode> list_items(const YamlNode& node) {
  if (node.raw().IsNull()) return {};
  return node.items();
}

// `max_instances` > 0: a server pool, whose outages may take down only some instances.
std::vector<OutageConfig> read_outages(const YamlNode& node, int max_instances) {
  std::vector<OutageConfig> outages;
  for (const YamlNode& item : list_items(node)) {
    if (!item.is_map()) item.expected("an outage: a map with 'at' and 'for'");
    const YamlMap m = max_instances > 0 ? YamlMap(item, {"at", "for", "instances"})
                                        : YamlMap(item, {"at", "for"});
    OutageConfig outage;
    outage.at = m.required("at").as_duration();
    outage.duration = positive_duration(m.required("for"), "an outage length");
    if (const auto n = m.get("instances")) {
      outage.instances = static_cast<int>(n->as_integer(1, max_instances));
    }
    outages.push_back(outage);
  }
  return outages;
}

std::vector<CallConfig> read_calls(const YamlNode& node) {
  std::vector<CallConfig> calls;
  for (const YamlNode& item : list_items(node)) {
    if (!item.is_map()) item.expected("a call: a map with 'to' and optionally 'p'");
    const YamlMap m(item, {"to", "p"});
    CallConfig call;
    call.to = m.required("to").as_name();
    if (const auto n = m.get("p")) call.p = n->as_probability();
    calls.push_back(call);
  }
  return calls;
}

AutoscaleConfig read_autoscale(const YamlNode& node, int instances, int workers) {
  if (!node.is_map()) node.expected("a map with 'target', 'min' and 'max'");
  const YamlMap m(node, {"target", "min", "max", "interval", "delay", "cooldown"});
  AutoscaleConfig a;
  const YamlNode target = m.required("target");
  a.target = target.as_number();
  if (a.target <= 0.0 || a.target > 1.0) target.expected("a target utilisation in (0, 1]");
  a.min = static_cast<int>(m.required("min").as_integer(1, kMaxInstances));
  const YamlNode max = m.required("max");
  a.max = static_cast<int>(max.as_integer(a.min, kMaxInstances));
  if (std::int64_t{a.max} * workers > kMaxWorkers) {
    max.fail("expected at most " + std::to_string(kMaxWorkers) +
             " workers in all (max x workers), found " +
             std::to_string(std::int64_t{a.max} * workers));
  }
  if (const auto n = m.get("interval")) a.interval = positive_duration(*n, "an interval");
  if (const auto n = m.get("delay")) a.delay = n->as_duration();
  if (const auto n = m.get("cooldown")) a.cooldown = n->as_duration();
  if (instances < a.min || instances > a.max) {
    node.fail("expected 'instances' (" + std::to_string(instances) + ") within [min, max] = [" +
              std::to_string(a.min) + ", " + std::to_string(a.max) + "]");
  }
  return a;
}

CrashConfig read_crashes(const YamlNode& node) {
  if (!node.is_map()) node.expected("a map with 'mtbf' and 'mttr'");
  const YamlMap m(node, {"mtbf", "mttr"});
  CrashConfig c;
  c.mtbf = positive_duration(m.required("mtbf"), "a mean time between failures");
  c.mttr = positive_duration(m.required("mttr"), "a mean time to repair");
  return c;
}

ServerPoolConfig read_server_pool(const YamlMap& m) {
  ServerPoolConfig pool;
  pool.instances = static_cast<int>(m.required("instances").as_integer(1, kMaxInstances));
  if (const auto n = m.get("workers")) pool.workers = static_cast<int>(n->as_integer(1, 1'000'000));
  if (std::int64_t{pool.instances} * pool.workers > kMaxWorkers) {
    m.node().fail("expected at most " + std::to_string(kMaxWorkers) +
                  " workers in all (instances x workers), found " +
                  std::to_string(std::int64_t{pool.instances} * pool.workers));
  }
  if (const auto n = m.get("queue")) {
    pool.queue = static_cast<std::uint64_t>(n->as_integer(0, 1'000'000'000));
  }
  pool.service = m.required("service").as_distribution();
  if (const auto n = m.get("calls")) pool.calls = read_calls(*n);
  if (const auto n = m.get("autoscale")) {
    pool.autoscale = read_autoscale(*n, pool.instances, pool.workers);
  }
  if (const auto n = m.get("crashes")) pool.crashes = read_crashes(*n);
  if (const auto n = m.get("cost_per_instance_hour")) {
    pool.cost_per_instance_hour = n->as_number();
    if (pool.cost_per_instance_hour < 0.0) n->expected("a cost >= 0");
  }
  return pool;
}

std::vector<ColdStart> read_cold(const YamlNode& node) {
  std::vector<ColdStart> cold;
  for (const YamlNode& item : list_items(node)) {
    if (!item.is_map()) item.expected("a cold start: a map with 'at' and 'warmup'");
    const YamlMap m(item, {"at", "warmup"});
    ColdStart c;
    c.at = m.required("at").as_duration();
    c.warmup = positive_duration(m.required("warmup"), "a warm-up");
    cold.push_back(c);
  }
  return cold;
}

CacheConfig read_cache(const YamlMap& m) {
  CacheConfig cache;
  cache.hit_ratio = m.required("hit_ratio").as_probability();
  cache.hit = m.required("hit").as_distribution();
  const YamlNode miss = m.required("miss");
  if (!miss.is_map()) miss.expected("a map with 'to' (the service a miss goes to)");
  cache.miss_to = YamlMap(miss, {"to"}).required("to").as_name();
  if (const auto n = m.get("workers")) {
    cache.workers = static_cast<std::uint64_t>(n->as_integer(1, kMaxWorkers));
  }
  if (const auto n = m.get("cold")) cache.cold = read_cold(*n);
  return cache;
}

DatabaseConfig read_database(const YamlMap& m) {
  DatabaseConfig db;
  db.connections = static_cast<std::uint64_t>(m.required("connections").as_integer(1, kMaxWorkers));
  db.query = m.required("query").as_distribution();
  if (const auto n = m.get("pool_timeout"))
    db.pool_timeout = positive_duration(*n, "a pool timeout");
  if (const auto n = m.get("contention")) {
    if (!n->is_map()) n->expected("a map with 'above' and 'slowdown'");
    const YamlMap c(*n, {"above", "slowdown"});
    ContentionConfig contention;
    contention.above = static_cast<std::uint64_t>(
        c.required("above").as_integer(0, static_cast<std::int64_t>(db.connections)));
    const YamlNode slowdown = c.required("slowdown");
    contention.slowdown = slowdown.as_number();
    if (contention.slowdown < 0.0) slowdown.expected("a slowdown >= 0 (a fraction per connection)");
    db.contention = contention;
  }
  return db;
}

ProviderConfig read_provider(const YamlNode& node) {
  if (!node.is_map()) node.expected("a provider: a map with 'name', 'share' and 'latency'");
  const YamlMap m(node, {"name", "share", "latency", "concurrency", "decline", "error", "outages"});
  ProviderConfig p;
  p.name = m.required("name").as_name();
  p.share = m.required("share").as_probability();
  p.latency = m.required("latency").as_distribution();
  if (const auto n = m.get("concurrency")) {
    p.concurrency = static_cast<std::uint64_t>(n->as_integer(1, kMaxWorkers));
  }
  if (const auto n = m.get("decline")) p.decline = n->as_probability();
  if (const auto n = m.get("error")) p.error = n->as_probability();
  if (p.decline + p.error > 1.0) {
    node.fail("expected decline + error <= 1, found " + format_sum(p.decline + p.error));
  }
  if (const auto n = m.get("outages")) p.outages = read_outages(*n, 0);
  return p;
}

PaymentGatewayConfig read_payment_gateway(const YamlMap& m) {
  PaymentGatewayConfig gateway;
  const YamlNode providers = m.required("providers");
  std::vector<std::string> names;
  double share_sum = 0.0;
  for (const YamlNode& item : providers.items()) {
    gateway.providers.push_back(read_provider(item));
    const std::string& name = gateway.providers.back().name;
    if (std::find(names.begin(), names.end(), name) != names.end()) {
      find_key(item, "name")->fail("duplicate provider name '" + name + "'");
    }
    names.push_back(name);
    share_sum += gateway.providers.back().share;
  }
  if (gateway.providers.empty()) providers.expected("at least one provider");
  if (std::abs(share_sum - 1.0) > kSumTolerance) {
    providers.fail("expected provider shares that sum to 1 (within 1e-6), found a sum of " +
                   format_sum(share_sum));
  }
  if (const auto n = m.get("failover")) gateway.failover = n->as_bool();
  return gateway;
}

// The type decides which keys are known, so it is read before the rest.
std::string read_service_type(const YamlNode& node) {
  const std::string kinds = "server_pool, cache, database, payment_gateway";
  if (!node.is_map()) node.expected("a service (a map with 'type': " + kinds + ")");
  const auto type_node = find_key(node, "type");
  if (!type_node) {
    throw ScenarioError(node.location(), node.path() + ".type",
                        "missing required key 'type' (one of " + kinds + ")");
  }
  const std::string type = type_node->as_string();
  if (std::find(kTypes.begin(), kTypes.end(), type) == kTypes.end()) {
    type_node->expected("a service type: " + kinds, did_you_mean(type, kTypes));
  }
  return type;
}

}  // namespace

ServiceConfig read_service(const std::string& name, const YamlNode& node) {
  const std::string type = read_service_type(node);
  ServiceConfig service;
  service.name = name;
  int pool_instances = 0;  // outages of other types take down the whole service
  if (type == "server_pool") {
    const YamlMap m(node, kServerPoolKeys);
    service.kind = read_server_pool(m);
    pool_instances = std::get<ServerPoolConfig>(service.kind).instances;
  } else if (type == "cache") {
    service.kind = read_cache(YamlMap(node, kCacheKeys));
  } else if (type == "database") {
    service.kind = read_database(YamlMap(node, kDatabaseKeys));
  } else {
    service.kind = read_payment_gateway(YamlMap(node, kGatewayKeys));
  }
  if (const auto n = find_key(node, "timeout"))
    service.timeout = positive_duration(*n, "a timeout");
  if (const auto n = find_key(node, "outages")) service.outages = read_outages(*n, pool_instances);
  return service;
}

YamlNode service_reference_node(const ServiceConfig& service, const YamlNode& node,
                                std::size_t index) {
  if (std::holds_alternative<CacheConfig>(service.kind)) {
    return *find_key(*find_key(node, "miss"), "to");
  }
  return *find_key(find_key(node, "calls")->items().at(index), "to");
}

std::string service_type_name(const ServiceConfig& service) {
  return kTypes.at(service.kind.index());
}

}  // namespace surgesim::models
