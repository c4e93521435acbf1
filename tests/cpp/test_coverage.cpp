// Confidence intervals that keep their promise, through models::run_experiment: the 95%
// interval of a 10-replication experiment covers an exact value 95% of the time, and
// --precision stops once its bound holds (or at its replication cap).
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

#include "models/loader/scenario_loader.hpp"
#include "models/run/experiment.hpp"
#include "sim/confidence.hpp"
#include "sim/queueing_theory.hpp"

using namespace surgesim;

namespace {

// M/M/c/K: one page served by a pool of c single-worker instances with K - c queue
// places (capacity 0: an unlimited queue, M/M/c); exponential arrivals and service,
// shoppers who wait forever.
std::string mmck_shop(double lambda, double mean_service, int servers, int capacity,
                      const std::string& timing) {
  const std::string queue =
      capacity > 0 ? fmt::format("\n    queue: {}", capacity - servers) : std::string();
  return fmt::format(R"(
name: mmck
{}
traffic: {{rate: {}}}
journeys:
  only:
    share: 1
    pages:
      view: {{call: pool, next: {{exit: 1}}}}
services:
  pool:
    type: server_pool
    instances: {}{}
    service: {{dist: exponential, mean: {}}}
)",
                     timing, lambda, servers, queue, mean_service);
}

models::ExperimentResult run(const models::Scenario& scenario,
                             std::optional<models::PrecisionGoal> precision = std::nullopt) {
  return models::run_experiment(scenario, {1, nullptr, nullptr, precision});
}

}  // namespace

TEST_CASE("coverage: the 95% interval of M/M/c/K utilisation covers the exact value 92-98%") {
  // M/M/2/5 at offered load 1.6: utilisation 0.718. The chain has 6 states and relaxes
  // within a few service times (1 s), so a 100 s warm-up leaves a bias of order e^-30,
  // nothing against a half-width of ~0.014. (2,000 experiments of this kind cover 95.2%.)
  const double lambda = 1.6, mean_service = 1.0;
  const int servers = 2, capacity = 5;
  const double exact = sim::theory::mmck(lambda, 1.0 / mean_service, servers, capacity).utilization;
  constexpr int kExperiments = 400;
  int covered = 0;
  std::vector<double> means;
  double half_widths = 0.0;
  for (int e = 0; e < kExperiments; ++e) {
    // A fixed schedule of master seeds: the test is deterministic.
    const std::string timing = fmt::format(
        "duration: 1000s\nwarmup: 100s\nbucket: 100s\nreplications: 10\nseed: {}", 90'000 + e);
    const models::Scenario scenario = models::load_scenario_text(
        mmck_shop(lambda, mean_service, servers, capacity, timing), "mmck.yaml");
    const models::ExperimentResult result = run(scenario);
    const double mean = result.summary["services"]["pool"]["utilization"].get<double>();
    const double half_width =
        result.summary["ci95"]["services"]["pool"]["utilization"].get<double>();
    if (std::abs(mean - exact) <= half_width) ++covered;
    means.push_back(mean);
    half_widths += half_width;
  }
  const double coverage = covered / double(kExperiments);
  INFO("exact " << exact << ", coverage " << coverage << ", mean half-width "
                << half_widths / kExperiments);
  // 92%..98% is 95% +- 2.75 binomial standard deviations (sqrt(0.95 x 0.05 / 400) = 1.1%).
  CHECK(coverage >= 0.92);
  CHECK(coverage <= 0.98);
  // The warm-up is long enough: pooled over 4,000 replications (an interval 20x
  // narrower than one experiment's), the mean still covers the exact value.
  const sim::MeanCI pooled = sim::mean_ci(means, 0.999);
  INFO("pooled " << pooled.mean << " +- " << pooled.half_width);
  CHECK(std::abs(pooled.mean - exact) <= pooled.half_width);
}

TEST_CASE("--precision: stops once every headline half-width is within its bound") {
  const std::string timing = "duration: 600s\nwarmup: 60s\nbucket: 60s\nreplications: 2\nseed: 3";
  const models::Scenario scenario =
      models::load_scenario_text(mmck_shop(4.0, 1.0, 8, 0, timing), "precision.yaml");
  const double relative = 0.02;
  const models::ExperimentResult result = run(scenario, models::PrecisionGoal{relative, 100});
  REQUIRE(result.precision);
  const int n = result.precision->replications;
  INFO("reached " << n << " replications");
  CHECK(result.precision->met);
  CHECK(result.precision->unmet.empty());
  CHECK(n > 3);  // the first batch of 3 is not precise enough: the loop did add some
  CHECK(n < 100);
  CHECK(result.summary["replications"] == n);
  CHECK(result.replications.size() == static_cast<std::size_t>(n));
  const auto fields = models::headline_fields(result.summary);
  // drop_rate, orders, revenue, lost_revenue.total (all 0 here: nobody is turned away
  // and nothing is sold), latency.p99_s, pages.only.view.p99_s, services.pool.utilization.
  CHECK(fields.size() == 7);
  for (const auto& field : fields) {
    CAPTURE(field.name);
    const double mean = result.summary.at(field.pointer).get<double>();
    const double half_width = result.summary["ci95"].at(field.pointer).get<double>();
    CHECK((half_width < relative * std::abs(mean) || (mean == 0.0 && half_width == 0.0)));
  }

  // The result depends only on the count reached: the same as asking for n at once.
  models::Scenario fixed = scenario;
  fixed.replications = n;
  CHECK(run(fixed).summary == result.summary);
}

TEST_CASE("--precision: an unreachable bound stops at max_replications and says so") {
  const std::string timing = "duration: 120s\nbucket: 60s\nreplications: 1\nseed: 4";
  const models::Scenario scenario =
      models::load_scenario_text(mmck_shop(4.0, 1.0, 8, 12, timing), "precision.yaml");
  const models::ExperimentResult result = run(scenario, models::PrecisionGoal{1e-6, 7});
  REQUIRE(result.precision);
  CHECK_FALSE(result.precision->met);
  CHECK(result.precision->replications == 7);
  CHECK(result.summary["replications"] == 7);
  CHECK(std::find(result.precision->unmet.begin(), result.precision->unmet.end(),
                  "services.pool.utilization") != result.precision->unmet.end());
  CHECK_THROWS_AS(run(scenario, models::PrecisionGoal{0.1, 2}), std::invalid_argument);
}
