#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "sim/distribution.hpp"
#include "sim/time.hpp"

// Plain, validated description of a shop on a sale day. The loader fills these from
// YAML; components are built from them and never see YAML.
namespace surgesim::models {

using sim::Distribution;
using sim::Time;

struct TrafficConfig {
  double rate = 0.0;  // sessions per second
};

enum class PatienceCovers { response, queue };

struct RetryConfig {
  int max = 0;
  Time backoff = 0.0;
};

inline constexpr std::string_view kExit = "exit";

struct PageConfig {
  std::string name;
  std::string call;                                  // the service that serves the page
  std::optional<Distribution> think;                 // overrides the journey's think time
  std::vector<std::pair<std::string, double>> next;  // page name or "exit" -> probability
};

struct JourneyConfig {
  std::string name;
  double share = 0.0;
  std::string start;  // first page
  Distribution think;
  std::optional<Distribution> patience;  // none: shoppers wait forever
  PatienceCovers patience_covers = PatienceCovers::response;
  RetryConfig retry;
  std::vector<PageConfig> pages;
};

struct ServerPoolConfig {
  int instances = 0;
  int workers = 1;
  std::optional<std::uint64_t> queue;  // none: unlimited
  Distribution service;
};

struct ServiceConfig {
  std::string name;
  std::optional<Time> timeout;
  std::variant<ServerPoolConfig> kind;
};

struct Scenario {
  std::string name;
  std::string description;
  std::string currency = "IDR";
  Time duration = 0.0;
  Time warmup = 0.0;
  Time bucket = 60.0;
  std::uint64_t seed = 1;
  int replications = 1;
  TrafficConfig traffic;
  std::vector<JourneyConfig> journeys;
  std::vector<ServiceConfig> services;
  // Things that are allowed but probably not meant ("file:line:col: key.path: ...").
  std::vector<std::string> warnings;
};

}  // namespace surgesim::models
