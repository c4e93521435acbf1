#include "models/slo.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace surgesim::models {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

const char* metric_name(SloMetric metric) {
  switch (metric) {
    case SloMetric::latency_p50:
      return "latency_p50";
    case SloMetric::latency_p95:
      return "latency_p95";
    case SloMetric::latency_p99:
      return "latency_p99";
    case SloMetric::latency_mean:
      return "latency_mean";
    case SloMetric::drop_rate:
      return "drop_rate";
    case SloMetric::error_rate:
      return "error_rate";
    case SloMetric::utilization:
      break;
  }
  return "utilization";
}

// How a metric is computed from named figures: one figure, or sum(numerator) /
// sum(denominator), undefined (NaN) when the denominator is zero.
struct Formula {
  std::vector<std::string> numerator;
  std::vector<std::string> denominator;  // empty: the numerator's single figure as is
};

[[noreturn]] void unsupported(const SloConfig& slo) {
  throw std::invalid_argument("SLO '" + slo.name + "': " + metric_name(slo.metric) +
                              " is not defined for scope '" + slo.scope + "'");
}

// `in_summary`: the whole-run figure from the summary tree, whose names differ from the
// tables' in two places (a service's mean response, and drop_rate of all/journeys, which
// the summary holds ready-made as the mean over replications of each one's rate).
// NOTE: per bucket, rates are ratios of the mean counts over replications (pooled), not
// means of per-replication ratios, which a bucket with a handful of sessions would swing.
Formula formula(const SloConfig& slo, bool in_summary) {
  const bool service = slo.scope_kind == SloScopeKind::service;
  if (slo.scope_kind == SloScopeKind::waiting_room) {
    // The wait in the room and the share of arrivals who left it.
    switch (slo.metric) {
      case SloMetric::latency_p50:
        return {{"p50_wait_s"}, {}};
      case SloMetric::latency_p95:
        return {{"p95_wait_s"}, {}};
      case SloMetric::latency_p99:
        return {{"p99_wait_s"}, {}};
      case SloMetric::latency_mean:
        return {{"mean_wait_s"}, {}};
      case SloMetric::drop_rate:
        return {{"left"}, {"arrivals"}};
      case SloMetric::error_rate:
      case SloMetric::utilization:
        break;
    }
    unsupported(slo);
  }
  switch (slo.metric) {
    case SloMetric::latency_p50:
      return {{"p50_s"}, {}};
    case SloMetric::latency_p95:
      return {{"p95_s"}, {}};
    case SloMetric::latency_p99:
      return {{"p99_s"}, {}};
    case SloMetric::latency_mean:
      return {{service && in_summary ? "mean_response_s" : "mean_s"}, {}};
    case SloMetric::drop_rate:
      if (service) unsupported(slo);
      if (slo.scope_kind == SloScopeKind::page) return {{"dropped"}, {"success", "dropped"}};
      if (in_summary) return {{"drop_rate"}, {}};
      return {{"dropped"}, {"completed", "dropped"}};
    case SloMetric::error_rate:
      if (service) return {{"rejected", "timeouts", "errors"}, {"arrivals"}};
      return {{"failed"}, {"requests"}};
    case SloMetric::utilization:
      if (!service) unsupported(slo);
      return {{"utilization"}, {}};
  }
  unsupported(slo);
}

// Evaluates a formula with `figure(name)` (NaN for "no observation").
template <class Figure>
double evaluate(const Formula& f, const Figure& figure) {
  double numerator = 0.0;
  for (const auto& name : f.numerator) numerator += figure(name);
  if (f.denominator.empty()) return numerator;
  double denominator = 0.0;
  for (const auto& name : f.denominator) denominator += figure(name);
  return denominator > 0.0 ? numerator / denominator : kNaN;  // NaN stays NaN
}

// The summary node a scope's figures live in.
const Json& summary_node(const SloConfig& slo, const Json& summary) {
  Json::json_pointer p;
  switch (slo.scope_kind) {
    case SloScopeKind::all:
      p = Json::json_pointer(slo.metric == SloMetric::drop_rate ? "" : "/latency");
      break;
    case SloScopeKind::journey:
      p = Json::json_pointer("/journeys") / slo.target;
      break;
    case SloScopeKind::page:
      p = Json::json_pointer("/pages") / slo.target;
      break;
    case SloScopeKind::service:
      p = Json::json_pointer("/services") / slo.target;
      break;
    case SloScopeKind::waiting_room:
      p = Json::json_pointer("/waiting_room");
      break;
  }
  if (!summary.contains(p)) {
    throw std::invalid_argument("SLO '" + slo.name + "': the summary has no " + p.to_string());
  }
  return summary[p];
}

std::string table_path(const SloConfig& slo) {
  switch (slo.scope_kind) {
    case SloScopeKind::journey:
      return "timeseries/journeys/" + slo.target;
    case SloScopeKind::page:
      return "timeseries/pages/" + slo.target;
    case SloScopeKind::service:
      return "timeseries/services/" + slo.target;
    case SloScopeKind::waiting_room:
      return "timeseries/waiting_room";
    case SloScopeKind::all:
      break;
  }
  return "timeseries/sessions";
}

const SeriesTable& find_table(const SloConfig& slo, const std::vector<SeriesTable>& tables) {
  const std::string path = table_path(slo);
  const auto it =
      std::find_if(tables.begin(), tables.end(), [&](const auto& t) { return t.path == path; });
  if (it == tables.end()) {
    throw std::invalid_argument("SLO '" + slo.name + "': no time series table " + path);
  }
  return *it;
}

double overall_value(const SloConfig& slo, const Json& summary) {
  const Json& node = summary_node(slo, summary);
  return evaluate(formula(slo, true), [&](const std::string& name) {
    if (!node.contains(name)) {
      throw std::invalid_argument("SLO '" + slo.name + "': the summary has no '" + name +
                                  "' for scope '" + slo.scope + "'");
    }
    const Json& v = node[name];
    return v.is_number() ? v.get<double>() : kNaN;  // null: no observation
  });
}

// Value of every bucket (NaN where there is nothing to judge).
std::vector<double> bucket_values(const SloConfig& slo, const SeriesTable& table) {
  const Formula f = formula(slo, false);
  std::vector<std::pair<std::string, const std::vector<double>*>> columns;
  for (const auto* names : {&f.numerator, &f.denominator}) {
    for (const auto& name : *names) {
      const auto* c = table.column(name);
      if (!c) {
        throw std::invalid_argument("SLO '" + slo.name + "': table " + table.path +
                                    " has no column '" + name + "'");
      }
      columns.emplace_back(name, c);
    }
  }
  std::vector<double> values(table.rows());
  for (std::size_t k = 0; k < values.size(); ++k) {
    values[k] = evaluate(f, [&](const std::string& name) {
      for (const auto& [n, c] : columns) {
        if (n == name) return (*c)[k];
      }
      return kNaN;  // not reached: every name was resolved above
    });
  }
  return values;
}

bool passes(const SloConfig& slo, double value) {
  return slo.is_max ? value <= slo.limit : value >= slo.limit;
}

struct Failures {
  int buckets = 0;
  Json ranges = Json::array();  // [[from_s, to_s], ...]
};

// The buckets from the warm-up on that fail, and their runs.
Failures failing_buckets(const Scenario& scenario, const SloConfig& slo, const SeriesTable& table) {
  const std::vector<double> values = bucket_values(slo, table);
  const std::vector<double>* starts = table.column("t_s");
  if (!starts) throw std::invalid_argument("table " + table.path + " has no column 't_s'");
  // Bucket starts are the simulated span's start plus multiples of the width; the slack
  // absorbs their rounding.
  const double first_counted = scenario.statistics_from() - 1e-9 * scenario.bucket;
  Failures failures;
  bool in_run = false;
  for (std::size_t k = 0; k < values.size(); ++k) {
    const double start = (*starts)[k];
    // A bucket with nothing to judge (NaN) neither fails nor continues a failing run.
    if (start < first_counted || std::isnan(values[k]) || passes(slo, values[k])) {
      in_run = false;
      continue;
    }
    ++failures.buckets;
    const double end = std::min(start + scenario.bucket, scenario.run_to());
    if (in_run) {
      failures.ranges.back()[1] = end;
    } else {
      failures.ranges.push_back(Json::array({start, end}));
      in_run = true;
    }
  }
  return failures;
}

}  // namespace

Json clock_ranges(const StartClock& start, const Json& ranges) {
  // HH:MM when every bound falls on a whole minute of the clock, else HH:MM:SS.
  bool seconds = false;
  for (const Json& range : ranges) {
    for (const Json& t : range) {
      const double shown = start.seconds_of_day + t.get<double>();
      seconds = seconds || std::abs(shown - std::round(shown / 60.0) * 60.0) > 1e-6;
    }
  }
  Json out = Json::array();
  for (const Json& range : ranges) {
    out.push_back({clock_text(start, range[0].get<double>(), seconds),
                   clock_text(start, range[1].get<double>(), seconds)});
  }
  return out;
}

Json evaluate_slos(const Scenario& scenario, const Json& summary,
                   const std::vector<SeriesTable>& mean_tables) {
  Json out = Json::array();
  for (const SloConfig& slo : scenario.slos) {
    const double value = overall_value(slo, summary);
    const SeriesTable& table = find_table(slo, mean_tables);
    Failures failures = failing_buckets(scenario, slo, table);
    // No observation over the whole run (NaN) is nothing to fail on.
    const bool overall_ok = std::isnan(value) || passes(slo, value);
    out.push_back({{"name", slo.name},
                   {"metric", metric_name(slo.metric)},
                   {"scope", slo.scope},
                   {"bound", slo.is_max ? "max" : "min"},
                   {"limit", slo.limit},
                   {"value", std::isnan(value) ? Json(nullptr) : Json(value)},
                   {"ok", overall_ok && failures.buckets == 0},
                   {"failed_buckets", failures.buckets},
                   {"failed_ranges", failures.ranges}});
    if (scenario.start) out.back()["failed_clock"] = clock_ranges(*scenario.start, failures.ranges);
  }
  return out;
}

Json slo_values(const Scenario& scenario, const Json& replication) {
  Json out = Json::array();
  for (const SloConfig& slo : scenario.slos) {
    const double value = overall_value(slo, replication);
    out.push_back({{"name", slo.name}, {"value", std::isnan(value) ? Json(nullptr) : Json(value)}});
  }
  return out;
}

}  // namespace surgesim::models
