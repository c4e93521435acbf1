#include "models/services/service_type.hpp"

#include <cmath>

#include "models/limits.hpp"
#include "models/yaml/yaml_node.hpp"

namespace surgesim::models {

Time read_positive_duration(const YamlNode& node, const std::string& what) {
  const Time t = node.as_duration();
  if (t <= 0.0) node.expected(what + " > 0");
  return t;
}

std::vector<YamlNode> read_list(const YamlNode& node) {
  if (node.raw().IsNull()) return {};
  return node.items();
}

std::vector<OutageConfig> read_outages(const YamlNode& node, int max_instances) {
  check_count(node, limits::kOutages, "outages", "merge outages that overlap");
  std::vector<OutageConfig> outages;
  for (const YamlNode& item : read_list(node)) {
    if (!item.is_map()) item.expected("an outage: a map with 'at' and 'for'");
    const YamlMap m = max_instances > 0 ? YamlMap(item, {"at", "for", "instances"})
                                        : YamlMap(item, {"at", "for"});
    OutageConfig outage;
    outage.at = m.required("at").as_time_point();
    outage.duration = read_positive_duration(m.required("for"), "an outage length");
    if (const auto n = m.get("instances")) {
      outage.instances = static_cast<int>(n->as_integer(1, max_instances));
    }
    outages.push_back(outage);
  }
  return outages;
}

std::vector<CallConfig> read_calls(const YamlNode& node) {
  check_count(node, limits::kCallsPerPool, "calls", "call each service once");
  std::vector<CallConfig> calls;
  for (const YamlNode& item : read_list(node)) {
    if (!item.is_map()) item.expected("a call: a map with 'to' and optionally 'p'");
    std::vector<std::string> keys = {"to", "p"};
    const std::vector<std::string> options = call_option_keys();
    keys.insert(keys.end(), options.begin(), options.end());
    const YamlMap m(item, keys);
    CallConfig call;
    call.to = m.required("to").as_name();
    if (const auto n = m.get("p")) call.p = n->as_probability();
    call.options = read_call_options(m);
    calls.push_back(call);
  }
  return calls;
}

RetryConfig read_retry(const YamlNode& node) {
  if (!node.is_map() && !node.raw().IsNull()) node.expected("a map with 'max' and 'backoff'");
  const YamlMap m(node, {"max", "backoff", "multiplier", "jitter"});
  RetryConfig retry;
  if (const auto n = m.get("max")) retry.max = static_cast<int>(n->as_integer(0, 100));
  if (const auto n = m.get("backoff")) retry.backoff = n->as_duration();
  if (const auto n = m.get("multiplier")) {
    retry.multiplier = n->as_number();
    if (!(retry.multiplier > 0.0) || !std::isfinite(retry.multiplier)) {
      n->expected("a multiplier > 0");
    }
  }
  if (const auto n = m.get("jitter")) retry.jitter = n->as_probability();
  return retry;
}

namespace {

BreakerConfig read_breaker(const YamlNode& node) {
  if (!node.is_map()) node.expected("a map with 'failure_rate', 'window', 'min_calls', 'open_for'");
  const YamlMap m(node, {"failure_rate", "window", "min_calls", "open_for"});
  BreakerConfig breaker;
  const YamlNode rate = m.required("failure_rate");
  breaker.failure_rate = rate.as_probability();
  if (!(breaker.failure_rate > 0.0)) rate.expected("a failure rate in (0, 1]");
  breaker.window = read_positive_duration(m.required("window"), "a window");
  breaker.min_calls = static_cast<std::uint32_t>(m.required("min_calls").as_integer(1, 1'000'000));
  breaker.open_for = read_positive_duration(m.required("open_for"), "an open time");
  return breaker;
}

}  // namespace

std::vector<std::string> call_option_keys() {
  return {"optional", "retry", "breaker"};
}

CallOptions read_call_options(const YamlMap& m) {
  CallOptions options;
  if (const auto n = m.get("optional")) options.optional = n->as_bool();
  if (const auto n = m.get("retry")) options.retry = read_retry(*n);
  if (const auto n = m.get("breaker")) options.breaker = read_breaker(*n);
  return options;
}

RateLimitConfig read_rate_limit(const YamlNode& node) {
  if (!node.is_map()) node.expected("a rate limit: a map with 'rate' and 'burst'");
  const YamlMap m(node, {"rate", "burst"});
  RateLimitConfig limit;
  const YamlNode rate = m.required("rate");
  limit.rate = rate.as_rate();
  if (!(limit.rate > 0.0)) rate.expected("a rate > 0");
  const YamlNode burst = m.required("burst");
  limit.burst = burst.as_number();
  if (!(limit.burst >= 1.0) || !std::isfinite(limit.burst)) burst.expected("a burst >= 1 (tokens)");
  return limit;
}

}  // namespace surgesim::models
