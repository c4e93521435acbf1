#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include "sim/portable_exp.hpp"
#include "sim/random_stream.hpp"

using surgesim::sim::portable_exp;

namespace {

constexpr bool kLongDoubleIsWider = std::numeric_limits<long double>::digits >= 64;

// |got - e^x| in units of the last place of the double nearest e^x, with e^x from the
// wider long double std::exp (64-bit significand on x86-64).
double ulp_error(double x) {
  const long double exact = std::exp(static_cast<long double>(x));
  const double nearest = static_cast<double>(exact);
  const double ulp = std::nextafter(nearest, std::numeric_limits<double>::infinity()) - nearest;
  return static_cast<double>(std::fabs(static_cast<long double>(portable_exp(x)) - exact) / ulp);
}

}  // namespace

TEST_CASE("the table holds 2^(j/128) correctly rounded") {
  if (!kLongDoubleIsWider) return;  // nothing wider to compare with here
  for (int j = 0; j < 128; ++j) {
    CAPTURE(j);
    const long double exact = std::exp2(static_cast<long double>(j) / 128.0L);
    const auto& entry = surgesim::sim::exp_detail::kTwoToJOver128[j];
    CHECK(entry.hi == static_cast<double>(exact));
    // The tail to long double's precision (64 bits, of the 106 it holds).
    CHECK(std::fabs(entry.hi * (1.0L + entry.tail) - exact) <= exact * 0x1p-63L);
  }
}

TEST_CASE("portable_exp is within 0.52 units in the last place of e^x") {
  if (!kLongDoubleIsWider) return;
  surgesim::sim::RandomStream rng(1, 0, "exp");
  double worst = 0.0, sum = 0.0;
  int exact = 0;
  constexpr int kDraws = 400'000;
  for (int i = 0; i < kDraws; ++i) {
    // Half across the whole finite range of normal results, half where samplers live.
    const double x = i % 2 == 0 ? -699.0 + 1398.0 * rng.uniform01() : 8.0 * rng.normal();
    const double e = ulp_error(x);
    CAPTURE(x);
    REQUIRE(e < 0.52);
    worst = std::max(worst, e);
    sum += e;
    exact += portable_exp(x) == static_cast<double>(std::exp(static_cast<long double>(x)));
  }
  MESSAGE("worst ", worst, " ulp, mean ", sum / kDraws, " ulp, correctly rounded ",
          100.0 * exact / kDraws, "%");
  CHECK(sum / kDraws < 0.26);  // 0.25 is what correct rounding gives
  CHECK(exact > kDraws / 100 * 99);
}

TEST_CASE("portable_exp at the reduction's seams and edges") {
  CHECK(portable_exp(0.0) == 1.0);
  CHECK(portable_exp(-0.0) == 1.0);
  // At whole numbers of ln2/128 steps (up to the rounding of x), where the table index
  // changes and r is near 0.
  for (int k = -2000; k <= 2000; k += 7) {
    const double x = k * 0x1.62e42fefa39efp-8;  // k ln2/128
    CAPTURE(x);
    CHECK(std::fabs(portable_exp(x) / std::exp(x) - 1.0) < 3e-16);
  }
  // From |x| >= 700 on the library answers: overflow, subnormals, zero.
  CHECK(portable_exp(709.0) == std::exp(709.0));
  CHECK(std::isinf(portable_exp(710.0)));
  CHECK(portable_exp(-740.0) == std::exp(-740.0));
  CHECK(portable_exp(-800.0) == 0.0);
  CHECK(portable_exp(-std::numeric_limits<double>::infinity()) == 0.0);
  CHECK(std::isinf(portable_exp(std::numeric_limits<double>::infinity())));
  CHECK(std::isnan(portable_exp(std::numeric_limits<double>::quiet_NaN())));
  // Continuous across +-700, where the method changes.
  for (const double edge : {700.0, -700.0}) {
    const double inside = std::nextafter(edge, 0.0);
    CAPTURE(inside);
    CHECK(std::fabs(portable_exp(inside) / std::exp(inside) - 1.0) < 3e-16);
  }
}

// The point of the function: these bits are the same on every machine and compiler. The
// last three are among the 0.1% of x where the result is not the nearest double (so a
// different method would likely give other bits); a build that fuses the multiply-adds,
// or a changed table or polynomial, fails here.
TEST_CASE("portable_exp gives fixed bits") {
  CHECK(std::bit_cast<std::uint64_t>(portable_exp(1.0)) == 0x4005bf0a8b145769u);  // e
  CHECK(portable_exp(3.3) == 0x1.b1cd5e7807b7bp+4);
  CHECK(portable_exp(-0x1.05c9a3e931d6ep-10) == 0x1.ff7d2be7eaec4p-1);  // nearest: ...c5
  CHECK(portable_exp(-0x1.7eefe244ecff4p+1) == 0x1.9b41b9383b57cp-5);   // nearest: ...7d
  CHECK(portable_exp(0x1.04369692a7f3ep+3) == 0x1.a90e75773240ap+11);   // nearest: ...09
}
