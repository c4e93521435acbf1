#include "models/run/experiment.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "models/json_members.hpp"
#include "models/results/series_merge.hpp"
#include "models/run/saturation.hpp"
#include "models/run/shop.hpp"
#include "models/slo.hpp"
#include "models/yaml/clock.hpp"
#include "models/yaml/scenario_error.hpp"
#include "models/yaml/units.hpp"
#include "sim/confidence.hpp"
#include "sim/mser.hpp"
#include "sim/replication_runner.hpp"
#include "sim/replications_in_order.hpp"

namespace surgesim::models {
namespace {

struct ReplicationOutcome {
  ReplicationResult result;
  std::uint64_t events;
};

void merge_into(const std::vector<const Json*>& nodes, Json& mean, Json& half_width) {
  const Json& first = *nodes.front();
  if (first.is_object()) {
    mean = Json::object();
    half_width = Json::object();
    // Replications share the tree's shape and its order: members are matched by position
    // (a lookup by key would be linear in the members), checked by key.
    std::size_t index = 0;
    for (const auto& [key, _] : first.items()) {
      std::vector<const Json*> children;
      children.reserve(nodes.size());
      for (const Json* n : nodes) {
        const bool aligned = index < n->size() && member_at(*n, index).first == key;
        children.push_back(aligned ? &member_at(*n, index).second : &n->at(key));
      }
      Json child_mean, child_half_width;
      merge_into(children, child_mean, child_half_width);
      append_member(mean, key, std::move(child_mean));
      append_member(half_width, key, std::move(child_half_width));
      ++index;
    }
    return;
  }
  if (!first.is_number() && !first.is_null()) {  // labels, not statistics
    mean = first;
    half_width = first;
    return;
  }
  std::vector<double> xs;
  xs.reserve(nodes.size());
  for (const Json* n : nodes) {
    if (n->is_number()) xs.push_back(n->get<double>());
  }
  if (xs.empty()) {
    mean = nullptr;
    half_width = nullptr;
    return;
  }
  const sim::MeanCI ci = sim::mean_ci(xs, 0.95);
  mean = ci.mean;
  half_width = ci.half_width;
}

// A half-width is within the goal below relative x |mean|; a field that is 0 in every
// replication (mean and half-width 0) has nothing left to estimate.
bool within_goal(double mean, double half_width, double relative) {
  if (mean == 0.0 && half_width == 0.0) return true;
  return half_width < relative * std::abs(mean);
}

// The smallest count k in (n, cap] whose expected half-width t(k-1) s / sqrt(k), with
// the standard deviation s seen at n replications, is below the goal; cap if none is.
int replications_needed(double mean, double half_width, int n, double relative, int cap) {
  const double bound = relative * std::abs(mean);
  if (bound == 0.0) return cap;
  const double s = half_width * std::sqrt(static_cast<double>(n)) /
                   sim::student_t_quantile(0.975, static_cast<double>(n - 1));
  for (int k = n + 1; k < cap; ++k) {
    const double expected =
        sim::student_t_quantile(0.975, static_cast<double>(k - 1)) * s / std::sqrt(double(k));
    if (expected < bound) return k;
  }
  return cap;
}

struct PrecisionCheck {
  std::vector<std::string> unmet;
  int next = 0;  // count to reach next (the current one when every field is met)
};

PrecisionCheck check_precision(const Json& mean, const Json& half_width, int n,
                               const PrecisionGoal& goal) {
  PrecisionCheck check{{}, n};
  int needed = n;
  for (const HeadlineField& field : headline_fields(mean)) {
    const double m = mean.at(field.pointer).get<double>();
    const Json& h = half_width.at(field.pointer);
    const double hw = h.is_number() ? h.get<double>() : std::numeric_limits<double>::infinity();
    if (within_goal(m, hw, goal.relative)) continue;
    check.unmet.push_back(field.name);
    needed = std::max(needed, replications_needed(m, hw, n, goal.relative, goal.max_replications));
  }
  // Half-widths estimated from a few replications are rough: at most double per step.
  if (!check.unmet.empty()) check.next = std::min({needed, 2 * n, goal.max_replications});
  return check;
}

const SeriesTable* find_table(const std::vector<SeriesTable>& tables, const std::string& path) {
  for (const SeriesTable& t : tables) {
    if (t.path == path) return &t;
  }
  return nullptr;
}

}  // namespace

void ExperimentProgress::restart(std::size_t count) {
  for (std::size_t r = 0; r < capacity_; ++r) fractions_[r].store(0.0);
  planned_.store(std::min(count, capacity_));
}

double ExperimentProgress::overall() const {
  const std::size_t planned = planned_.load();
  if (planned == 0) return 1.0;
  double sum = 0.0;
  for (std::size_t r = 0; r < planned; ++r) sum += fractions_[r].load(std::memory_order_relaxed);
  return sum / static_cast<double>(planned);
}

std::pair<Json, Json> merge_replications(const std::vector<Json>& trees) {
  std::vector<const Json*> nodes;
  for (const Json& t : trees) nodes.push_back(&t);
  Json mean, half_width;
  if (!nodes.empty()) merge_into(nodes, mean, half_width);
  return {mean, half_width};
}

std::vector<HeadlineField> headline_fields(const Json& summary) {
  std::vector<HeadlineField> fields;
  auto add = [&](const std::string& name, const std::string& pointer) {
    const Json::json_pointer p(pointer);
    if (summary.contains(p) && summary.at(p).is_number()) fields.push_back({name, p});
  };
  add("drop_rate", "/drop_rate");
  add("orders", "/orders");
  add("revenue", "/revenue");
  add("lost_revenue.total", "/lost_revenue/total");
  add("latency.p99_s", "/latency/p99_s");
  // Names cannot hold '/' or '~' (the loader refuses them), so they are pointer tokens.
  if (summary.contains("pages")) {
    for (const auto& [page, _] : summary["pages"].items()) {
      add("pages." + page + ".p99_s", "/pages/" + page + "/p99_s");
    }
  }
  if (summary.contains("services")) {
    for (const auto& [service, _] : summary["services"].items()) {
      add("services." + service + ".utilization", "/services/" + service + "/utilization");
    }
  }
  return fields;
}

namespace {

// Merges replications as they come, in replication order: summary trees are kept
// (the precision goal and /summary_replications want every one), time series go into
// running sums, to the store, and into the result only when kept.
class ReplicationMerger {
 public:
  ReplicationMerger(const RunOptions& options, ExperimentResult& result)
      : options_(options),
        result_(result),
        series_(!options.series_store && !options.keep_replication_series) {}

  void operator()(ReplicationOutcome&& outcome) {
    result_.events += outcome.events;
    if (options_.series_store) options_.series_store->add(outcome.result.series);
    if (options_.keep_replication_series) {
      series_.add(outcome.result.series);
      result_.replication_series.push_back(std::move(outcome.result.series));
    } else {
      series_.add(std::move(outcome.result.series));
    }
    result_.replications.push_back(std::move(outcome.result.summary));
  }

  // Replications [first, first + count).
  void run(const Scenario& scenario, std::size_t first, std::size_t count) {
    const std::size_t waiting = sim::run_replications_in_order<ReplicationOutcome>(
        first, count, options_.threads,
        [&](std::size_t r) {
          Shop shop(scenario, r,
                    builds_series(scenario, options_.series, options_.series_store != nullptr));
          if (options_.max_memory > 0.0) {
            // Replications in flight at once share the memory.
            const double at_once = std::min<double>(sim::resolve_threads(options_.threads),
                                                    static_cast<double>(count));
            shop.watch(options_.max_memory / std::max(at_once, 1.0), options_.max_memory_option);
          }
          if (options_.work) shop.limit_work(*options_.work, options_.force_option);
          std::atomic<double>* progress =
              options_.progress ? options_.progress->replication(r) : nullptr;
          ReplicationResult replication = shop.run(progress, options_.stop);
          return ReplicationOutcome{std::move(replication), shop.events_fired()};
        },
        *this);
    result_.most_waiting_replications = std::max(result_.most_waiting_replications, waiting);
  }

  void finish_series() {
    const std::size_t n = series_.replications();
    if (n < 2) {
      result_.series_mean = series_.take_mean();
      return;
    }
    result_.series_mean = series_.mean();
    if (options_.series_store) {
      result_.series_ci95 = options_.series_store->ci95(result_.series_mean);
    } else if (options_.keep_replication_series) {
      result_.series_ci95 = two_pass_ci95(result_.series_mean, result_.replication_series);
    } else {
      result_.series_ci95 = series_.ci95();
    }
  }

 private:
  const RunOptions& options_;
  ExperimentResult& result_;
  SeriesAccumulator series_;
};

}  // namespace

bool builds_series(const Scenario& scenario, bool wanted, bool to_file) {
  return wanted || to_file || !scenario.slos.empty();
}

ExperimentResult run_experiment(const Scenario& scenario, const RunOptions& options) {
  int count = scenario.replications;
  if (options.precision) {
    count = std::max(count, 3);  // a half-width from two replications says little
    if (options.precision->max_replications < count) {
      throw std::invalid_argument("run_experiment: max_replications (" +
                                  std::to_string(options.precision->max_replications) +
                                  ") is below the first batch (" + std::to_string(count) + ")");
    }
  }
  if (options.progress) options.progress->restart(static_cast<std::size_t>(count));
  ExperimentResult result;
  ReplicationMerger merger(options, result);
  merger.run(scenario, 0, static_cast<std::size_t>(count));

  auto [mean, half_width] = merge_replications(result.replications);
  if (options.precision) {
    for (;;) {
      const PrecisionCheck check = check_precision(mean, half_width, count, *options.precision);
      if (check.unmet.empty() || count >= options.precision->max_replications) {
        result.precision = PrecisionOutcome{count, check.unmet.empty(), check.unmet};
        break;
      }
      if (options.progress) options.progress->extend(static_cast<std::size_t>(check.next));
      merger.run(scenario, static_cast<std::size_t>(count),
                 static_cast<std::size_t>(check.next - count));
      count = check.next;
      std::tie(mean, half_width) = merge_replications(result.replications);
    }
  }
  merger.finish_series();

  Json summary;
  summary["scenario"] = scenario.name;
  summary["seed"] = scenario.seed;
  summary["replications"] = count;
  summary["duration_s"] = scenario.duration;
  summary["warmup_s"] = scenario.warmup;
  summary["currency"] = scenario.currency;
  if (scenario.start) summary["start"] = scenario.start->text;
  if (scenario.window) {
    summary["window"] = {{"from_s", scenario.window->from}, {"to_s", scenario.window->to}};
  }
  // One replication: its own tree, counts stay integers.
  summary.update(count == 1 ? result.replications.front() : mean);
  // SLO verdicts are judged on the means; they have no half-width of their own.
  if (!scenario.slos.empty()) {
    summary["slo"] = evaluate_slos(scenario, summary, result.series_mean);
    // Each replication's own whole-run values, for confidence bounds on the SLOs.
    for (Json& tree : result.replications) tree["slo"] = slo_values(scenario, tree);
  }
  if (count >= 2) summary["ci95"] = std::move(half_width);
  merge_saturation(summary, result.replications);
  result.summary = std::move(summary);
  return result;
}

WarmupEstimate estimate_warmup(const Scenario& scenario, const RunOptions& options) {
  Scenario pilot = scenario;
  pilot.warmup = 0.0;
  pilot.slos.clear();  // verdicts of the pilot would be thrown away
  RunOptions pilot_options = options;
  pilot_options.precision.reset();
  pilot_options.keep_replication_series = false;  // only the mean is wanted
  pilot_options.series_store = nullptr;
  pilot_options.series = true;  // MSER-5 reads the sessions' series
  const ExperimentResult result = run_experiment(pilot, pilot_options);

  const SeriesTable* sessions = find_table(result.series_mean, "timeseries/sessions");
  const std::vector<double>* response = sessions ? sessions->column("mean_s") : nullptr;
  if (!response) {
    throw std::logic_error("estimate_warmup: the run has no timeseries/sessions mean_s series");
  }
  const sim::MserTruncation cut = sim::mser(*response, 5);
  return {static_cast<double>(cut.truncated_points()) * scenario.bucket, cut.batches,
          cut.truncated};
}

std::string WarmupEstimate::describe() const {
  return fmt::format("warm-up: auto -> {} (MSER-5 over {} batch{})", span_text(warmup_s), batches,
                     batches == 1 ? "" : "es");
}

std::string PrecisionOutcome::describe(double relative) const {
  const std::string bound = fmt::format("{:g}%", relative * 100.0);
  if (met) {
    return fmt::format(
        "precision: {} replications; every headline half-width is below {} of its mean",
        replications, bound);
  }
  std::string fields;
  for (const std::string& name : unmet) fields += (fields.empty() ? "" : ", ") + name;
  return fmt::format(
      "precision: stopped at {} replications (--max-replications); still above {}: {}",
      replications, bound, fields);
}

void override_warmup(Scenario& scenario, const std::string& text, const std::string& option) {
  const std::optional<double> warmup = parse_duration(text);
  if (!warmup) {
    throw ScenarioError(option, "warmup",
                        "expected a duration (e.g. 10m) or auto, found '" + text + "'");
  }
  const double span = scenario.run_to() - scenario.run_from();
  if (*warmup >= span) {
    throw ScenarioError(option, "warmup",
                        fmt::format("expected a warm-up shorter than the {} ({} s), found {} s",
                                    scenario.window ? "window" : "duration", span, *warmup));
  }
  scenario.warmup = *warmup;
}

}  // namespace surgesim::models
