#pragma once

#include <concepts>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "models/services/call_options.hpp"
#include "models/services/token_bucket.hpp"
#include "sim/random_stream.hpp"
#include "sim/time.hpp"

// What every service type shares, and what a type must provide to be listed in the
// table of service types (models/services/service_types.hpp). A type is one header
// (its config and its descriptor) and one source (its component and the descriptor's
// functions); nothing else in the code base names it.
namespace surgesim::models {

using sim::Time;

class Service;
class YamlMap;
class YamlNode;
struct ServiceConfig;
struct ServiceContext;
struct ServiceEstimate;

// Far beyond any real tier, and it keeps instances x workers (and the Erlang recursions
// of the analytic estimate, linear in it) within bounds.
inline constexpr std::int64_t kMaxWorkers = 10'000'000;
inline constexpr std::int64_t kMaxInstances = 1'000'000;

// `outages` of any service; for server pools `instances` says how many go down (0: the
// whole pool).
struct OutageConfig {
  Time at = 0.0;
  Time duration = 0.0;  // `for`
  int instances = 0;
};

// An entry of a pool's `calls`.
struct CallConfig {
  std::string to;
  double p = 1.0;
  CallOptions options;
};

// An edge of the call graph leaving a service: which service it calls, how often per
// request, and where the name was written (for errors the call graph finds).
enum class CalleeKind { call, miss };
struct Callee {
  std::string to;
  double p = 1.0;  // per request: a call's p, a cache's miss probability
  CalleeKind kind = CalleeKind::call;
  std::string key;  // inside the service's map, e.g. "calls.0.to" or "miss.to"
  CallOptions options;
  // An edge that can carry requests: a call with p > 0, or any miss (a cold cache
  // misses whatever its hit ratio).
  bool live() const { return kind == CalleeKind::miss || p > 0.0; }
  // The call inside the service's map: "calls.0", "miss".
  std::string call() const { return key.substr(0, key.rfind(".to")); }
};

// Mean response time of each service already estimated (callees before callers).
using ResponseTimes = std::map<std::string, double>;

// The random streams of one service in one replication, named "service.NAME.STREAM".
struct ServiceStreams {
  std::uint64_t seed = 0;
  std::uint64_t replication = 0;
  std::string prefix;  // "service.NAME"
  sim::RandomStream operator()(const char* stream) const {
    return sim::RandomStream(seed, replication, prefix + "." + stream);
  }
};

// A service type's descriptor: a stateless struct naming its config and its functions.
// Optional members, found when present: `max_outage_instances(config)` (> 0: outages may
// take down that many instances out of a pool) and `estimate_note(config)` (a line under
// the analytic estimate's table).
template <class T>
concept ServiceType = requires(const typename T::Config& config, const YamlMap& map,
                               const ServiceConfig& service, const ServiceContext& context,
                               const ServiceStreams& streams, const ResponseTimes& responses,
                               ServiceEstimate& estimate) {
  { T::name } -> std::convertible_to<std::string_view>;     // as written in YAML
  { T::keys() } -> std::same_as<std::vector<std::string>>;  // its own keys
  { T::read(map) } -> std::same_as<typename T::Config>;
  { T::make(service, context, streams) } -> std::same_as<std::unique_ptr<Service>>;
  { T::callees(config) } -> std::same_as<std::vector<Callee>>;
  { T::size_label(config) } -> std::same_as<std::string>;  // "server_pool 20x16"
  { T::estimate(config, responses, estimate) } -> std::same_as<void>;
};

// Readers shared by several types (the YAML of the scenario reference's common keys).
// `max_instances` > 0: a server pool's outages, which may take down some instances.
std::vector<OutageConfig> read_outages(const YamlNode& node, int max_instances);
std::vector<CallConfig> read_calls(const YamlNode& node);
RateLimitConfig read_rate_limit(const YamlNode& node);
// A journey's or a call's `retry`.
RetryConfig read_retry(const YamlNode& node);
// `optional`, `retry` and `breaker` of a call's map (its other keys read by the caller).
CallOptions read_call_options(const YamlMap& map);
// The keys read_call_options reads.
std::vector<std::string> call_option_keys();
// A duration > 0, or an error saying `what` was expected.
Time read_positive_duration(const YamlNode& node, const std::string& what);
// A list that may be written as `key:` with nothing (no items).
std::vector<YamlNode> read_list(const YamlNode& node);

}  // namespace surgesim::models
