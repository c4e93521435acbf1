// Tests for the streaming statistics in sim/: Welford, TimeWeighted,
// QuantileSketch and the Student-t confidence interval.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/confidence.hpp"
#include "sim/quantile_sketch.hpp"
#include "sim/time_weighted.hpp"
#include "sim/welford.hpp"

using surgesim::sim::mean_ci;
using surgesim::sim::QuantileSketch;
using surgesim::sim::student_t_quantile;
using surgesim::sim::TimeWeighted;
using surgesim::sim::Welford;

namespace {

struct TwoPass {
  double mean;
  double variance;
};

TwoPass two_pass(const std::vector<double>& xs) {
  double sum = 0.0;
  for (double x : xs) sum += x;
  const double mean = sum / static_cast<double>(xs.size());
  double ss = 0.0;
  for (double x : xs) ss += (x - mean) * (x - mean);
  return {mean, ss / static_cast<double>(xs.size() - 1)};
}

std::vector<double> generate(std::size_t n, std::uint64_t seed,
                             const std::function<double(std::mt19937_64&)>& f) {
  std::mt19937_64 rng(seed);
  std::vector<double> xs(n);
  for (double& x : xs) x = f(rng);
  return xs;
}

}  // namespace

TEST_CASE("Welford matches a two-pass computation") {
  SUBCASE("known data") {
    Welford w;
    for (double x : {2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0}) w.add(x);
    CHECK(w.count() == 8);
    CHECK(w.mean() == doctest::Approx(5.0));
    CHECK(w.variance() == doctest::Approx(32.0 / 7.0));
  }
  SUBCASE("large offset stays stable") {
    // Naive sum-of-squares loses all digits here; Welford must not.
    const auto xs = generate(10000, 1, [](std::mt19937_64& r) {
      return 1e9 + std::uniform_real_distribution<double>(0.0, 1.0)(r);
    });
    Welford w;
    for (double x : xs) w.add(x);
    const auto ref = two_pass(xs);
    CHECK(w.mean() == doctest::Approx(ref.mean).epsilon(1e-13));
    CHECK(w.variance() == doctest::Approx(ref.variance).epsilon(1e-6));
  }
  SUBCASE("empty and single") {
    Welford w;
    CHECK(w.count() == 0);
    CHECK(w.mean() == 0.0);
    CHECK(w.variance() == 0.0);
    w.add(3.5);
    CHECK(w.mean() == 3.5);
    CHECK(w.variance() == 0.0);
  }
}

TEST_CASE("Welford merge equals sequential accumulation") {
  const auto xs = generate(
      3000, 2, [](std::mt19937_64& r) { return std::normal_distribution<double>(10.0, 3.0)(r); });
  Welford all;
  Welford parts[3];
  for (std::size_t i = 0; i < xs.size(); ++i) {
    all.add(xs[i]);
    // Uneven split so the merge weights matter.
    parts[i < 100 ? 0 : (i < 2000 ? 1 : 2)].add(xs[i]);
  }
  Welford merged;
  merged.merge(Welford{});  // empty into empty
  for (const auto& p : parts) merged.merge(p);
  merged.merge(Welford{});  // empty into non-empty
  CHECK(merged.count() == all.count());
  CHECK(merged.mean() == doctest::Approx(all.mean()).epsilon(1e-12));
  CHECK(merged.variance() == doctest::Approx(all.variance()).epsilon(1e-12));
}

TEST_CASE("TimeWeighted integrates a hand-computed trace") {
  // value: 0 on [0,1), 2 on [1,3), 3 on [3,4), 0 on [4,6), 5 on [6,10]
  // area = 0 + 4 + 3 + 0 + 20 = 27
  TimeWeighted tw;
  tw.set(1.0, 2.0);
  tw.add(3.0, 1.0);
  CHECK(tw.value() == 3.0);
  tw.set(4.0, 0.0);
  tw.add(6.0, 5.0);
  CHECK(tw.area(6.0) == doctest::Approx(7.0));
  CHECK(tw.area(10.0) == doctest::Approx(27.0));
  CHECK(tw.mean(10.0) == doctest::Approx(2.7));

  SUBCASE("restart drops the warm-up area but keeps the value") {
    tw.restart(8.0);  // value 5 carries over
    CHECK(tw.value() == 5.0);
    CHECK(tw.area(8.0) == 0.0);
    tw.add(9.0, -4.0);  // 5 on [8,9), 1 on [9,12]
    CHECK(tw.area(12.0) == doctest::Approx(8.0));
    CHECK(tw.mean(12.0) == doctest::Approx(2.0));
  }
  SUBCASE("zero-length window reports the current value") {
    TimeWeighted z(2.0, 7.0);
    CHECK(z.mean(2.0) == 7.0);
    z.set(2.0, 4.0);
    CHECK(z.mean(2.0) == 4.0);
    CHECK(z.mean(4.0) == doctest::Approx(4.0));
  }
}

TEST_CASE("QuantileSketch quantiles are within alpha of exact order stats") {
  const std::size_t n = 20000;
  struct DataSet {
    const char* name;
    std::vector<double> xs;
  };
  const std::vector<DataSet> sets = {
      {"uniform", generate(n, 11,
                           [](std::mt19937_64& r) {
                             return std::uniform_real_distribution<double>(0.0, 100.0)(r);
                           })},
      {"exponential",
       generate(n, 12,
                [](std::mt19937_64& r) { return std::exponential_distribution<double>(0.5)(r); })},
      {"lognormal(0,2)", generate(n, 13,
                                  [](std::mt19937_64& r) {
                                    return std::lognormal_distribution<double>(0.0, 2.0)(r);
                                  })},
      {"pareto(1.1)", generate(n, 14,
                               [](std::mt19937_64& r) {
                                 // Inverse CDF; 1-u in (0,1] avoids division by zero.
                                 const double u =
                                     std::uniform_real_distribution<double>(0.0, 1.0)(r);
                                 return 1.0 / std::pow(1.0 - u, 1.0 / 1.1);
                               })},
      {"zeros+exponential", generate(n, 15,
                                     [](std::mt19937_64& r) {
                                       // ~30% exact zeros, a few sub-indexable values, the rest
                                       // positive.
                                       const double u =
                                           std::uniform_real_distribution<double>(0.0, 1.0)(r);
                                       if (u < 0.3) return 0.0;
                                       if (u < 0.31) return 1e-12;
                                       return std::exponential_distribution<double>(1.0)(r);
                                     })},
  };

  std::vector<double> qs = {0.5, 0.95, 0.99, 0.999, 0.0, 1.0};
  for (int i = 1; i < 100; ++i) qs.push_back(i / 100.0);

  for (double alpha : {0.005, 0.01, 0.05}) {
    for (const auto& set : sets) {
      CAPTURE(alpha);
      CAPTURE(std::string(set.name));
      QuantileSketch sk(alpha);
      for (double x : set.xs) sk.add(x);
      auto sorted = set.xs;
      std::sort(sorted.begin(), sorted.end());

      CHECK(sk.count() == n);
      CHECK(sk.relative_accuracy() == alpha);
      CHECK(sk.min() == sorted.front());
      CHECK(sk.max() == sorted.back());
      for (double q : qs) {
        CAPTURE(q);
        // Same rank convention as the sketch: x_k, k = floor(q*(n-1)).
        const double exact = sorted[static_cast<std::size_t>(q * static_cast<double>(n - 1))];
        const double est = sk.quantile(q);
        if (exact < QuantileSketch::kMinIndexable) {
          CHECK(est == doctest::Approx(0.0));  // zero bucket
        } else {
          CHECK(std::abs(est - exact) <= alpha * exact * (1.0 + 1e-9));
        }
      }
      CHECK(sk.quantile(0.0) == sorted.front());
      CHECK(sk.quantile(1.0) == sorted.back());
    }
  }
}

TEST_CASE("QuantileSketch merge equals a sketch of the union") {
  // Disjoint ranges force the merge to grow the store on both sides.
  const auto low = generate(5000, 21, [](std::mt19937_64& r) {
    return std::uniform_real_distribution<double>(1e-3, 1.0)(r);
  });
  auto high = generate(7000, 22, [](std::mt19937_64& r) {
    return std::lognormal_distribution<double>(8.0, 1.5)(r);
  });
  high.push_back(0.0);

  QuantileSketch a, b, u;
  for (double x : high) b.add(x);
  for (double x : low) a.add(x);
  for (double x : low) u.add(x);
  for (double x : high) u.add(x);

  SUBCASE("small into large and large into small") {
    QuantileSketch b_copy = b;
    b_copy.merge(a);
    a.merge(b);
    for (const auto* m : {&a, &b_copy}) {
      CHECK(m->count() == u.count());
      CHECK(m->min() == u.min());
      CHECK(m->max() == u.max());
      for (int i = 0; i <= 1000; ++i) {
        const double q = i / 1000.0;
        CAPTURE(q);
        CHECK(m->quantile(q) == u.quantile(q));
      }
    }
  }
  SUBCASE("empty and self merges") {
    QuantileSketch e;
    e.merge(u);
    CHECK(e.quantile(0.9) == u.quantile(0.9));
    u.merge(QuantileSketch{});
    CHECK(u.count() == e.count());
    const std::uint64_t n = u.count();
    u.merge(u);
    CHECK(u.count() == 2 * n);
    CHECK(u.quantile(1.0) == e.quantile(1.0));
  }
  SUBCASE("take is a merge that leaves the other sketch empty and reusable") {
    QuantileSketch merged = a, taken = a, from = b;
    merged.merge(b);
    taken.take(from);
    CHECK(taken.count() == merged.count());
    CHECK(taken.min() == merged.min());
    CHECK(taken.max() == merged.max());
    for (int i = 0; i <= 1000; ++i) {
      const double q = i / 1000.0;
      CAPTURE(q);
      CHECK(taken.quantile(q) == merged.quantile(q));
    }
    CHECK(from.count() == 0);
    CHECK(std::isnan(from.quantile(0.5)));
    // Refilled, it answers like a fresh sketch of the new data: no count survived.
    QuantileSketch fresh;
    for (double x : low) {
      from.add(x);
      fresh.add(x);
    }
    for (int i = 0; i <= 100; ++i) CHECK(from.quantile(i / 100.0) == fresh.quantile(i / 100.0));
    taken.take(taken);  // taking from itself: merged, then cleared
    CHECK(taken.count() == 0);
  }
  SUBCASE("accuracy mismatch throws") {
    QuantileSketch other(0.01);
    CHECK_THROWS_AS(a.merge(other), std::invalid_argument);
    CHECK_THROWS_AS(a.take(other), std::invalid_argument);
  }
}

namespace {
// What the sketch must answer, from the data: the rank convention's order statistic
// x_k, k = floor(q (n - 1)), reported as its bucket's value (the exact min and max at
// the ends, 0 for a value counted as zero, clamped to [min, max]), computed as the
// sketch computes bucket indices and values.
double bucket_of_order_statistic(std::vector<double> xs, double q, double alpha) {
  std::sort(xs.begin(), xs.end());
  const double rank = q * static_cast<double>(xs.size() - 1);
  if (rank < 1.0) return xs.front();
  if (rank >= static_cast<double>(xs.size() - 1)) return xs.back();
  const double x = xs[static_cast<std::size_t>(std::floor(rank))];
  if (x < QuantileSketch::kMinIndexable) return std::clamp(0.0, xs.front(), xs.back());
  // The mapping written out independently: log2 stood in for by exponent + P(s), P the
  // cubic through P(0) = 0 and P(1) = 1, steps of ln(gamma) * 10 / 7; bucket ends found
  // by bisection (the sketch solves the cubic in closed form).
  const auto approx_log2 = [](double v) {
    int e = 0;
    const double m = std::frexp(v, &e);  // v = m 2^e, m in [0.5, 1)
    const double s = 2.0 * m - 1.0;
    return (e - 1) + s * (10.0 / 7.0 + s * (-3.0 / 5.0 + s * (6.0 / 35.0)));
  };
  const auto approx_exp2 = [&](double y) {
    double lo = std::ldexp(1.0, static_cast<int>(std::floor(y))), hi = 2.0 * lo;
    for (int k = 0; k < 200 && lo < hi; ++k) {
      const double mid = 0.5 * (lo + hi);
      if (mid == lo || mid == hi) break;
      (approx_log2(mid) < y ? lo : hi) = mid;
    }
    return lo;
  };
  const double multiplier = (7.0 / 10.0) / std::log((1.0 + alpha) / (1.0 - alpha));
  const int i = static_cast<int>(std::ceil(approx_log2(x) * multiplier));
  const double lo = approx_exp2((i - 1) / multiplier), hi = approx_exp2(i / multiplier);
  const double value = 2.0 * lo * hi / (lo + hi);
  return std::clamp(value, xs.front(), xs.back());
}
}  // namespace

TEST_CASE("QuantileSketch reused bucket after bucket answers as a fresh one") {
  // A store grown over a wide range, then cleared and refilled with narrow data: the
  // clear touches only the span the data covered, so nothing may survive it.
  std::vector<double> levels;
  for (int i = 0; i <= 200; ++i) levels.push_back(i / 200.0);
  QuantileSketch reused;
  for (double x : generate(3000, 31, [](std::mt19937_64& r) {
         return std::lognormal_distribution<double>(0.0, 4.0)(r);
       })) {
    reused.add(x);
  }
  for (std::uint64_t bucket = 0; bucket < 20; ++bucket) {
    CAPTURE(bucket);
    reused.clear();
    QuantileSketch fresh;
    auto xs = generate(1 + bucket * 7, 40 + bucket, [&](std::mt19937_64& r) {
      return std::exponential_distribution<double>(1.0 + static_cast<double>(bucket))(r);
    });
    if (bucket % 3 == 0) xs.push_back(0.0);  // the zero bucket, below every index
    for (double x : xs) {
      reused.add(x);
      fresh.add(x);
    }
    std::vector<double> together(levels.size());
    reused.quantiles(levels.data(), together.data(), levels.size());
    for (std::size_t i = 0; i < levels.size(); ++i) {
      CAPTURE(levels[i]);
      const double expected = bucket_of_order_statistic(xs, levels[i], 0.005);
      // The ends found by bisection and by Cardano's formula may differ in the last bits.
      CHECK(reused.quantile(levels[i]) == doctest::Approx(expected).epsilon(1e-12));
      CHECK(fresh.quantile(levels[i]) == reused.quantile(levels[i]));
      CHECK(together[i] == reused.quantile(levels[i]));
    }
  }
  const double descending[] = {0.9, 0.5};
  double out[2];
  CHECK_THROWS_AS(reused.quantiles(descending, out, 2), std::invalid_argument);
}

TEST_CASE("QuantileSketch edge cases") {
  QuantileSketch sk;
  CHECK(sk.count() == 0);
  CHECK(std::isnan(sk.quantile(0.5)));
  CHECK(std::isnan(sk.min()));
  CHECK(std::isnan(sk.max()));
  CHECK_THROWS_AS(sk.add(-1.0), std::invalid_argument);
  CHECK_THROWS_AS(sk.add(std::nan("")), std::invalid_argument);
  CHECK_THROWS_AS(sk.add(INFINITY), std::invalid_argument);
  CHECK(sk.count() == 0);  // rejected values leave no trace
  CHECK_THROWS_AS(QuantileSketch(0.0), std::invalid_argument);
  CHECK_THROWS_AS(QuantileSketch(1.0), std::invalid_argument);

  sk.add(42.0);
  CHECK_THROWS_AS(sk.quantile(1.5), std::invalid_argument);
  CHECK_THROWS_AS(sk.quantile(-0.1), std::invalid_argument);
  CHECK(sk.quantile(0.5) == 42.0);  // clamped to [min, max]
  sk.add(1e300);
  sk.add(1e-300);  // below kMinIndexable: zero bucket
  CHECK(sk.count() == 3);
  CHECK(sk.quantile(0.0) == 1e-300);  // zero bucket clamped to exact min
  CHECK(sk.quantile(1.0) == 1e300);

  sk.clear();
  CHECK(sk.count() == 0);
  CHECK(std::isnan(sk.quantile(0.5)));
  sk.add(7.0);
  CHECK(sk.quantile(0.5) == 7.0);
  CHECK(sk.min() == 7.0);
}

TEST_CASE("mean_ci matches a hand computation") {
  const std::vector<double> xs = {1, 2, 3, 4, 5};
  // s = sqrt(2.5) = 1.5811, t_{0.975,4} = 2.776445 -> 2.776445*1.5811/sqrt(5)
  const auto ci = mean_ci(xs);
  CHECK(ci.mean == doctest::Approx(3.0));
  CHECK(ci.half_width == doctest::Approx(1.963243).epsilon(1e-5));

  const auto ci90 = mean_ci(xs, 0.90);  // t_{0.95,4} = 2.131847
  CHECK(ci90.half_width ==
        doctest::Approx(2.131847 * std::sqrt(2.5) / std::sqrt(5.0)).epsilon(1e-5));

  const std::vector<double> one = {4.0};
  CHECK(mean_ci(one).mean == 4.0);
  CHECK(mean_ci(one).half_width == 0.0);
  CHECK(mean_ci(std::vector<double>{}).half_width == 0.0);
  CHECK_THROWS_AS(mean_ci(xs, 1.0), std::invalid_argument);
}

TEST_CASE("student_t_quantile matches tables") {
  CHECK(student_t_quantile(0.975, 9) == doctest::Approx(2.262157).epsilon(1e-6));
  CHECK(student_t_quantile(0.975, 4) == doctest::Approx(2.776445).epsilon(1e-6));
  CHECK(student_t_quantile(0.5, 3) == doctest::Approx(0.0));
  CHECK(student_t_quantile(0.025, 9) == doctest::Approx(-2.262157).epsilon(1e-6));
  CHECK_THROWS_AS(student_t_quantile(1.0, 9), std::invalid_argument);
  CHECK_THROWS_AS(student_t_quantile(0.9, 0), std::invalid_argument);
}
