#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/services/service_type.hpp"
#include "sim/distribution.hpp"

namespace surgesim::models {

// `contention`: a query that starts while n connections are busy, its own included,
// takes its drawn time x (1 + slowdown x max(0, n - above)).
struct ContentionConfig {
  std::uint64_t above = 0;
  double slowdown = 0.0;  // per busy connection above `above`
};

struct DatabaseConfig {
  std::uint64_t connections = 0;
  sim::Distribution query;
  std::optional<Time> pool_timeout;
  std::optional<ContentionConfig> contention;
};

// A database behind a connection pool: `connections` queries run at once, the rest wait
// FCFS; a query that waits longer than `pool_timeout` for a connection fails with
// `pool_timeout`. An outage drops every connection: queries running or waiting fail.
struct DatabaseType {
  using Config = DatabaseConfig;
  static constexpr std::string_view name = "database";
  static std::vector<std::string> keys();
  static Config read(const YamlMap& map);
  static std::unique_ptr<Service> make(const ServiceConfig& service, const ServiceContext& context,
                                       const ServiceStreams& streams);
  static std::vector<Callee> callees(const Config&) { return {}; }
  static std::string size_label(const Config& config);
  static void estimate(const Config& config, const ResponseTimes& responses,
                       ServiceEstimate& estimate);
  static std::string estimate_note(const Config& config);
};

}  // namespace surgesim::models
