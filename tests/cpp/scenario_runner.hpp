#pragma once

// Helpers for tests that run scenarios through the real loader and experiment runner
// (the same path as `surgesim run`).
#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/loader/scenario_loader.hpp"
#include "models/run/experiment.hpp"
#include "sim/confidence.hpp"

namespace surgesim::testing {

inline models::ExperimentResult run_yaml(const std::string& yaml, unsigned threads = 0) {
  const models::Scenario scenario = models::load_scenario_text(yaml, "test.yaml");
  models::RunOptions options;
  options.threads = threads;
  return models::run_experiment(scenario, options);
}

// A shop whose sessions request one page served by `call`, then leave: `top` holds the
// top-level keys before `journeys`, `services` the services map's entries.
inline std::string one_page_shop(const std::string& top, const std::string& call,
                                 const std::string& services) {
  return top + "journeys:\n  only:\n    share: 1\n    pages:\n      view: {call: " + call +
         ", next: {exit: 1}}\nservices:\n" + services;
}

// One number per replication, by JSON pointer (e.g. "/services/web/mean_wait_s").
inline std::vector<double> per_replication(const models::ExperimentResult& result,
                                           const std::string& pointer) {
  std::vector<double> xs;
  for (const auto& tree : result.replications) {
    xs.push_back(tree.at(models::Json::json_pointer(pointer)).get<double>());
  }
  return xs;
}

// Ratio of two per-replication figures (e.g. rejected / arrivals).
inline std::vector<double> ratio(const models::ExperimentResult& result, const std::string& num,
                                 const std::string& den) {
  const auto a = per_replication(result, num);
  const auto b = per_replication(result, den);
  std::vector<double> xs;
  for (std::size_t i = 0; i < a.size(); ++i) xs.push_back(a[i] / b[i]);
  return xs;
}

// The exact value must lie in the 99.9% Student-t confidence interval of the
// replication means (widened by `relative_slack` x exact for a known deterministic
// error such as the quantile sketch's accuracy). With a fixed seed the outcome is
// deterministic; a 99.9% level keeps a correct model from failing when seeds change.
inline void check_in_ci(const std::vector<double>& xs, double exact, const std::string& what,
                        double relative_slack = 0.0, double max_relative_half_width = 0.05) {
  const sim::MeanCI ci = sim::mean_ci(xs, 0.999);
  const double allowed = ci.half_width + relative_slack * std::abs(exact);
  INFO(what << ": mean " << ci.mean << " ± " << ci.half_width << " (99.9%), exact " << exact);
  CHECK(ci.half_width > 0.0);
  // The check has teeth only if the interval is narrow (5% of the exact value by default).
  CHECK(ci.half_width <= max_relative_half_width * std::abs(exact));
  CHECK(std::abs(ci.mean - exact) <= allowed);
}

// A replication's time series table (requires options.keep_replication_series).
inline const models::SeriesTable& table(const models::ExperimentResult& result,
                                        std::size_t replication, const std::string& path) {
  for (const auto& t : result.replication_series.at(replication)) {
    if (t.path == path) return t;
  }
  FAIL("no table " << path);
  throw std::logic_error("unreachable");
}

// The sum of a column over the rows of buckets starting in [from, to).
inline double sum_rows(const models::SeriesTable& t, const std::string& column, double from,
                       double to) {
  const auto& ts = *t.column("t_s");
  const auto& xs = *t.column(column);
  double sum = 0.0;
  for (std::size_t i = 0; i < ts.size(); ++i) {
    if (ts[i] >= from && ts[i] < to) sum += xs[i];
  }
  return sum;
}

}  // namespace surgesim::testing
