#include "models/experiment.hpp"

#include "models/shop.hpp"
#include "sim/confidence.hpp"
#include "sim/replication_runner.hpp"

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
    for (const auto& [key, _] : first.items()) {
      std::vector<const Json*> children;
      children.reserve(nodes.size());
      for (const Json* n : nodes) children.push_back(&n->at(key));
      merge_into(children, mean[key], half_width[key]);
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

}  // namespace

double ExperimentProgress::overall() const {
  if (count_ == 0) return 1.0;
  double sum = 0.0;
  for (std::size_t r = 0; r < count_; ++r) sum += fractions_[r].load(std::memory_order_relaxed);
  return sum / static_cast<double>(count_);
}

std::pair<Json, Json> merge_replications(const std::vector<Json>& trees) {
  std::vector<const Json*> nodes;
  for (const Json& t : trees) nodes.push_back(&t);
  Json mean, half_width;
  if (!nodes.empty()) merge_into(nodes, mean, half_width);
  return {mean, half_width};
}

ExperimentResult run_experiment(const Scenario& scenario, const RunOptions& options) {
  const auto count = static_cast<std::size_t>(scenario.replications);
  auto outcomes =
      sim::run_replications<ReplicationOutcome>(0, count, options.threads, [&](std::size_t r) {
        Shop shop(scenario, r);
        std::atomic<double>* progress =
            options.progress ? options.progress->replication(r) : nullptr;
        ReplicationResult replication = shop.run(progress, options.stop);
        return ReplicationOutcome{std::move(replication), shop.events_fired()};
      });

  ExperimentResult result;
  for (ReplicationOutcome& o : outcomes) {
    result.events += o.events;
    result.replications.push_back(std::move(o.result.summary));
    result.replication_series.push_back(std::move(o.result.series));
  }
  Json summary;
  summary["scenario"] = scenario.name;
  summary["seed"] = scenario.seed;
  summary["replications"] = scenario.replications;
  summary["duration_s"] = scenario.duration;
  summary["warmup_s"] = scenario.warmup;
  summary["currency"] = scenario.currency;
  if (count == 1) {
    summary.update(result.replications.front());
  } else {
    auto [mean, half_width] = merge_replications(result.replications);
    summary.update(mean);
    summary["ci95"] = std::move(half_width);
  }
  result.summary = std::move(summary);
  return result;
}

}  // namespace surgesim::models
