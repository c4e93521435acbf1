#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "models/services/service_types.hpp"
#include "models/yaml/clock.hpp"
#include "sim/distribution.hpp"
#include "sim/time.hpp"

// Plain, validated description of a shop on a sale day. The loader fills these from
// YAML; components are built from them and never see YAML.
namespace surgesim::models {

using sim::Distribution;
using sim::Time;

// --- traffic -------------------------------------------------------------------------

struct RatePoint {
  Time at = 0.0;
  double rate = 0.0;  // sessions per second
};

struct Spike {
  Time at = 0.0;      // when the peak is reached
  double peak = 0.0;  // sessions per second added at `at`
  Time rise = 0.0;    // linear ramp from 0 over [at - rise, at]
  Time decay = 0.0;   // exponential time constant after `at` (0: drops to 0 at once)
};

// lambda(t) = scale * (base(t) + sum of spikes(t)).
struct TrafficConfig {
  enum class Base { rate, profile, csv };
  Base base = Base::rate;
  double rate = 0.0;               // Base::rate
  std::vector<RatePoint> profile;  // Base::profile: linear between points, flat outside
  std::vector<RatePoint> steps;    // Base::csv: constant from each row to the next
  std::string csv_path;            // Base::csv, as resolved (for messages and reports)
  std::vector<Spike> spikes;
  double scale = 1.0;
};

// --- journeys ------------------------------------------------------------------------

enum class PatienceCovers { response, queue };

// After a successful page with response r > above, leave with probability
// 1 - (1 - leave)^((r - above) / per).
struct SlownessConfig {
  Time above = 0.0;
  Time per = 0.0;
  double leave = 0.0;
};

inline constexpr std::string_view kExit = "exit";

struct PageConfig {
  std::string name;
  std::string call;                                  // the service that serves the page
  std::optional<Distribution> think;                 // overrides the journey's think time
  std::vector<std::pair<std::string, double>> next;  // page name or "exit" -> probability
  std::optional<Distribution> order_value;           // an order page: money per order
};

struct JourneyConfig {
  std::string name;
  double share = 0.0;
  std::string start;  // first page
  Distribution think;
  std::optional<Distribution> patience;  // none: shoppers wait forever
  PatienceCovers patience_covers = PatienceCovers::response;
  RetryConfig retry;
  std::optional<SlownessConfig> slowness;
  std::vector<PageConfig> pages;
};

// --- service-level objectives ----------------------------------------------------------

enum class SloMetric {
  latency_p50,
  latency_p95,
  latency_p99,
  latency_mean,
  drop_rate,
  error_rate,
  utilization
};
enum class SloScopeKind { all, journey, page, service, waiting_room };

struct SloConfig {
  std::string name;
  SloMetric metric = SloMetric::latency_p99;
  SloScopeKind scope_kind = SloScopeKind::all;
  std::string scope;   // as written: "all", "journey.NAME", "page.JOURNEY.PAGE", "service.NAME"
  std::string target;  // NAME, JOURNEY.PAGE or NAME; empty for `all`
  bool is_max = true;  // `max` (value must stay <= limit) or `min` (>= limit)
  double limit = 0.0;  // seconds for latency metrics, a fraction otherwise
};

// `waiting_room`: at most `max_active` sessions in the shop, the others wait in the room
// (first come, first served) while it is on, in [from, to).
struct WaitingRoomConfig {
  std::uint64_t max_active = 0;
  std::optional<Distribution> patience;  // none: shoppers wait as long as it takes
  Time from = 0.0;
  Time to = sim::kForever;
};

// `window`: simulate only [from, to) of the scenario, times still counted from its 0.
struct WindowConfig {
  Time from = 0.0;
  Time to = 0.0;
};

struct Scenario {
  std::string name;
  std::string description;
  std::string currency = "IDR";
  Time duration = 0.0;
  Time warmup = 0.0;                // from the start of the simulated span (the window's `from`)
  std::optional<StartClock> start;  // the shop's clock at time 0
  std::optional<WindowConfig> window;
  Time bucket = 60.0;
  std::uint64_t seed = 1;
  int replications = 1;
  TrafficConfig traffic;
  std::vector<JourneyConfig> journeys;
  std::vector<ServiceConfig> services;
  std::vector<SloConfig> slos;
  std::optional<WaitingRoomConfig> waiting_room;
  // The YAML after --set overrides, for result files (what exactly was simulated).
  std::string resolved_text;
  // Things that are allowed but probably not meant ("file:line:col: key.path: ...").
  std::vector<std::string> warnings;

  // The simulated span: the window, or [0, duration).
  Time run_from() const { return window ? window->from : 0.0; }
  Time run_to() const { return window ? window->to : duration; }
  // Where the statistics window begins.
  Time statistics_from() const { return run_from() + warmup; }
};

}  // namespace surgesim::models
