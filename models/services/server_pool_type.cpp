#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "models/services/server_pool.hpp"
#include "models/services/service_estimate.hpp"
#include "models/yaml/yaml_node.hpp"

namespace surgesim::models {
namespace {

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
  if (const auto n = m.get("interval")) a.interval = read_positive_duration(*n, "an interval");
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
  c.mtbf = read_positive_duration(m.required("mtbf"), "a mean time between failures");
  c.mttr = read_positive_duration(m.required("mttr"), "a mean time to repair");
  return c;
}

// Where a pool's autoscaler settles at this load: ceil(load / (workers x target))
// instances, clamped to [min, max].
int settled_instances(const ServerPoolConfig& pool, double offered_load) {
  if (!pool.autoscale) return pool.instances;
  const AutoscaleConfig& a = *pool.autoscale;
  const double wanted = std::ceil(offered_load / (pool.workers * a.target));
  if (!(wanted < a.max)) return a.max;
  return std::max(a.min, static_cast<int>(wanted));
}

}  // namespace

std::vector<std::string> ServerPoolType::keys() {
  return {"instances", "workers",   "queue",   "service",
          "calls",     "autoscale", "crashes", "cost_per_instance_hour"};
}

ServerPoolConfig ServerPoolType::read(const YamlMap& m) {
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

std::vector<Callee> ServerPoolType::callees(const ServerPoolConfig& config) {
  std::vector<Callee> out;
  for (std::size_t i = 0; i < config.calls.size(); ++i) {
    out.push_back({config.calls[i].to, config.calls[i].p, CalleeKind::call,
                   fmt::format("calls.{}.to", i), config.calls[i].options});
  }
  return out;
}

std::string ServerPoolType::size_label(const ServerPoolConfig& config) {
  std::string size = fmt::format("server_pool {}x{}", config.instances, config.workers);
  if (config.autoscale) {
    size += fmt::format(" (autoscale {}-{})", config.autoscale->min, config.autoscale->max);
  }
  return size;
}

void ServerPoolType::estimate(const ServerPoolConfig& config, const ResponseTimes& responses,
                              ServiceEstimate& e) {
  double holding = config.service.mean();
  for (const CallConfig& call : config.calls) {
    if (call.p > 0.0) holding += call.p * responses.at(call.to);
  }
  // NOTE: with calls the holding time's variability is unknown here; it is taken as
  // exponential's (scv 1), the M/M/c case.
  const double scv = config.calls.empty() ? config.service.scv() : 1.0;
  const int instances = settled_instances(config, e.arrival_rate * holding);
  estimate_queue(e, instances * config.workers, holding, scv);
  e.unit_workers = config.workers;
  if (config.autoscale) e.target = config.autoscale->target;
}

std::string ServerPoolType::estimate_note(const ServerPoolConfig& config) {
  if (config.calls.empty()) return "";
  return "A pool's worker is held for its own work and the responses of its calls.";
}

}  // namespace surgesim::models
