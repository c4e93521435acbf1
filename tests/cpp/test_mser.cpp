// MSER-5 truncation (sim/mser.hpp) on synthetic series whose transient is known.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "models/loader/scenario_loader.hpp"
#include "models/run/experiment.hpp"
#include "sim/confidence.hpp"
#include "sim/mser.hpp"
#include "sim/queueing_theory.hpp"
#include "sim/random_stream.hpp"

using surgesim::sim::mean_ci;
using surgesim::sim::mser;
using surgesim::sim::RandomStream;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// `transient` observations at `level`, then `steady` standard normal ones.
std::vector<double> step_series(std::size_t transient, double level, std::size_t steady) {
  std::vector<double> xs(transient, level);
  RandomStream rng(7, 0, "mser-step");
  for (std::size_t i = 0; i < steady; ++i) xs.push_back(rng.normal());
  return xs;
}

std::vector<double> batch_means(const std::vector<double>& xs, std::size_t from_batch) {
  std::vector<double> means;
  for (std::size_t b = from_batch; (b + 1) * 5 <= xs.size(); ++b) {
    double sum = 0.0;
    for (std::size_t i = 0; i < 5; ++i) sum += xs[b * 5 + i];
    means.push_back(sum / 5.0);
  }
  return means;
}

}  // namespace

TEST_CASE("MSER by hand: one outlier at the start is cut, nothing more") {
  // Batch size 1. MSER(d) for d = 0..4: 0.77, 0.0350 (= 84/49 / 49), 0.0417, 0.048, 0.0625.
  const std::vector<double> xs = {10, 0, 1, 0, 1, 0, 1, 0};
  const auto cut = mser(xs, 1);
  CHECK(cut.batches == 8);
  CHECK(cut.truncated == 1);
  CHECK(cut.truncated_points() == 1);
}

TEST_CASE("MSER-5: a constant series needs no truncation") {
  const std::vector<double> xs(300, 4.2);
  const auto cut = mser(xs);
  CHECK(cut.batches == 60);
  CHECK(cut.truncated == 0);
}

TEST_CASE("MSER-5: a step transient of 20 batches is cut exactly there") {
  const std::vector<double> xs = step_series(100, 5.0, 900);
  const auto cut = mser(xs);
  CHECK(cut.batches == 200);
  CHECK(cut.truncated == 20);
  CHECK(cut.truncated_points() == 100);
}

TEST_CASE("MSER-5: NaN observations are skipped within a batch, empty batches in the sums") {
  const std::vector<double> xs = step_series(100, 5.0, 900);
  SUBCASE("a gap inside each transient batch leaves its mean, so d*, unchanged") {
    std::vector<double> gappy = xs;
    for (std::size_t i = 0; i < 100; i += 5) gappy[i + 2] = kNaN;
    CHECK(mser(gappy).truncated == 20);
  }
  SUBCASE("an empty batch in front shifts d* by one batch") {
    std::vector<double> shifted(5, kNaN);
    shifted.insert(shifted.end(), xs.begin(), xs.end());
    const auto cut = mser(shifted);
    CHECK(cut.batches == 201);
    CHECK(cut.truncated == 21);
  }
  SUBCASE("empty batches in the steady part change nothing in the transient's cut") {
    std::vector<double> holes = xs;
    for (std::size_t i = 500; i < 550; ++i) holes[i] = kNaN;
    CHECK(mser(holes).truncated == 20);
  }
}

TEST_CASE("MSER-5: after the cut of a decaying transient the mean is unbiased") {
  // x_t = 8 exp(-t/50) + N(0, 1): the steady-state mean is 0.
  RandomStream rng(11, 0, "mser-decay");
  std::vector<double> xs;
  for (int t = 0; t < 5000; ++t) xs.push_back(8.0 * std::exp(-t / 50.0) + rng.normal());
  const auto cut = mser(xs);
  INFO("d* = " << cut.truncated << " batches");
  // Without the cut, the transient (sum 8 x 50 = 400 over 5000 points, bias 0.08) lies
  // outside the 95% interval of the mean; after it, the interval covers 0.
  const auto all = mean_ci(batch_means(xs, 0));
  CHECK(std::abs(all.mean) > all.half_width);
  const auto kept = mean_ci(batch_means(xs, cut.truncated));
  CHECK(std::abs(kept.mean) <= kept.half_width);
  CHECK(cut.truncated < cut.batches / 2);
}

TEST_CASE("MSER-5: too short a series is not cut; a zero batch size is refused") {
  CHECK(mser(std::vector<double>{}).batches == 0);
  CHECK(mser(std::vector<double>{}).truncated == 0);
  const auto one_batch = mser(std::vector<double>{9, 1, 1, 1, 1, 1, 1, 1, 1});
  CHECK(one_batch.batches == 1);
  CHECK(one_batch.truncated == 0);
  CHECK(mser(std::vector<double>(10, kNaN)).truncated == 0);
  CHECK_THROWS_AS(mser(std::vector<double>{1.0}, 0), std::invalid_argument);
}

TEST_CASE("estimate_warmup: MSER-5 on a pilot run cuts the backlog of an overloaded start") {
  // 30 sessions/s for 10 min against 24 servers of 1 s: a backlog of 6/s x 600 s = 3,600
  // requests, drained at 24 - 10 = 14/s in another 257 s. Response times are back at
  // their steady level (M/M/24 at 10/s) from ~14.3 min on: batch 3 of 5 one-minute
  // buckets is the first steady one. Past it MSER is nearly flat and noise picks d*.
  const auto scenario = surgesim::models::load_scenario_text(R"(
name: backlog
duration: 2h
warmup: 30m
bucket: 1m
replications: 3
seed: 8
traffic:
  profile: [{at: 0, rate: 30}, {at: 600s, rate: 30}, {at: 601s, rate: 10}]
journeys:
  only:
    share: 1
    pages:
      view: {call: pool, next: {exit: 1}}
services:
  pool:
    type: server_pool
    instances: 24
    service: {dist: exponential, mean: 1s}
)",
                                                             "backlog.yaml");
  const surgesim::models::RunOptions options{1, nullptr, nullptr, {}};
  const auto estimate = surgesim::models::estimate_warmup(scenario, options);
  CHECK(estimate.batches == 24);
  CHECK(estimate.truncated >= 3);
  CHECK(estimate.truncated <= 12);  // never in the second half
  CHECK(estimate.warmup_s == estimate.truncated * 5 * 60.0);
  CHECK(estimate.describe() ==
        fmt::format("warm-up: auto -> {}m (MSER-5 over 24 batches)", estimate.truncated * 5));

  // What is kept is steady: its batch means cover the exact M/M/24 mean response.
  surgesim::models::Scenario pilot = scenario;
  pilot.warmup = 0.0;
  const auto result = surgesim::models::run_experiment(pilot, options);
  const std::vector<double>* response = nullptr;
  for (const auto& t : result.series_mean) {
    if (t.path == "timeseries/sessions") response = t.column("mean_s");
  }
  REQUIRE(response);
  const auto kept = mean_ci(batch_means(*response, estimate.truncated));
  const double exact = surgesim::sim::theory::mmc(10.0, 1.0, 24).mean_response;
  INFO("kept " << kept.mean << " +- " << kept.half_width << ", exact " << exact);
  CHECK(std::abs(kept.mean - exact) <= kept.half_width);
  // ...and the cut matters: without it the mean is off by many half-widths.
  const auto all = mean_ci(batch_means(*response, 0));
  CHECK(std::abs(all.mean - exact) > 10.0 * kept.half_width);
}
