#pragma once

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>

#include "sim/portable_exp.hpp"

namespace surgesim::sim {

// Tables of Marsaglia & Tsang's ziggurat for the standard exponential ("The Ziggurat
// Method for Generating Random Variables", J. Stat. Softw. 5(8), 2000), 256 layers,
// scaled for 53-bit integers (not the paper's 32) so a draw keeps double precision.
// 98.9% of draws cost one 64-bit random number, a compare and a multiply: about four
// times cheaper than inversion with log().

// What the fast path reads of layer i, side by side so that a draw touches one cache line:
// accept j * w at once when j < k.
struct ZigguratLayer {
  std::uint64_t k = 0;
  double w = 0.0;  // layer width / 2^53
};

struct ExponentialZiggurat {
  static constexpr int kLayers = 256;
  static constexpr double kTailStart = 7.69711747013104972;   // r
  static constexpr double kLayerArea = 3.949659822581572e-3;  // v
  static constexpr double kScale = 9007199254740992.0;        // 2^53

  std::array<ZigguratLayer, kLayers> layer{};
  std::array<double, kLayers> f{};  // exp(-x_i) at the layer's right edge

  ExponentialZiggurat() {
    double de = kTailStart, te = kTailStart;
    const double q = kLayerArea / std::exp(-de);
    layer[0].k = static_cast<std::uint64_t>((de / q) * kScale);
    layer[1].k = 0;
    layer[0].w = q / kScale;
    layer[kLayers - 1].w = de / kScale;
    f[0] = 1.0;
    f[kLayers - 1] = std::exp(-de);
    for (int i = kLayers - 2; i >= 1; --i) {
      de = -std::log(kLayerArea / de + std::exp(-de));
      layer[static_cast<std::size_t>(i + 1)].k = static_cast<std::uint64_t>((de / te) * kScale);
      te = de;
      f[static_cast<std::size_t>(i)] = std::exp(-de);
      layer[static_cast<std::size_t>(i)].w = de / kScale;
    }
  }
};

inline const ExponentialZiggurat kExponentialZiggurat;

// The same for the standard normal's right half, 128 layers; the sign is a separate bit.
struct NormalZiggurat {
  static constexpr int kLayers = 128;
  static constexpr double kTailStart = 3.442619855899;       // r
  static constexpr double kLayerArea = 9.91256303526217e-3;  // v
  static constexpr double kScale = 9007199254740992.0;       // 2^53

  std::array<ZigguratLayer, kLayers> layer{};
  std::array<double, kLayers> f{};  // exp(-x_i^2 / 2)

  NormalZiggurat() {
    double dn = kTailStart, tn = kTailStart;
    const double q = kLayerArea / std::exp(-0.5 * dn * dn);
    layer[0].k = static_cast<std::uint64_t>((dn / q) * kScale);
    layer[1].k = 0;
    layer[0].w = q / kScale;
    layer[kLayers - 1].w = dn / kScale;
    f[0] = 1.0;
    f[kLayers - 1] = std::exp(-0.5 * dn * dn);
    for (int i = kLayers - 2; i >= 1; --i) {
      dn = std::sqrt(-2.0 * std::log(kLayerArea / dn + std::exp(-0.5 * dn * dn)));
      layer[static_cast<std::size_t>(i + 1)].k = static_cast<std::uint64_t>((dn / tn) * kScale);
      tn = dn;
      f[static_cast<std::size_t>(i)] = std::exp(-0.5 * dn * dn);
      layer[static_cast<std::size_t>(i)].w = dn / kScale;
    }
  }
};

inline const NormalZiggurat kNormalZiggurat;

// The rest of a standard exponential whose first number `u` fell outside its layer's
// rectangle: the tail, the wedge test, and new numbers on rejection. Out of line, so that
// the inlined fast path below stays a load, a compare and a multiply.
template <class Rng>
[[gnu::noinline]] double standard_exponential_outside(Rng& rng, std::uint64_t u) {
  const ExponentialZiggurat& z = kExponentialZiggurat;
  for (;;) {
    const std::size_t i = u & 0xFF;
    const std::uint64_t j = u >> 11;
    const double x = static_cast<double>(j) * z.layer[i].w;
    if (j < z.layer[i].k) return x;  // inside the layer's rectangle (a new u)
    if (i == 0) return ExponentialZiggurat::kTailStart - std::log(rng.uniform_open01());
    // In the wedge between the rectangle and the curve: accept under the density.
    if (z.f[i] + rng.uniform01() * (z.f[i - 1] - z.f[i]) < portable_exp(-x)) return x;
    u = rng.next_u64();
  }
}

// A standard exponential from `rng` (which needs next_u64, uniform01, uniform_open01).
// The layer index takes the low 8 bits and the position the high 53, so the two are
// independent (the original's reuse of the same bits is a known flaw, Doornik 2005).
template <class Rng>
double standard_exponential(Rng& rng) {
  const std::uint64_t u = rng.next_u64();
  const ZigguratLayer& layer = kExponentialZiggurat.layer[u & 0xFF];
  const std::uint64_t j = u >> 11;
  if (j < layer.k) [[likely]]
    return static_cast<double>(j) * layer.w;
  return standard_exponential_outside(rng, u);
}

// x with the sign bit of `u`'s bit 7 flipped in: -x or x exactly, with no branch.
inline double with_sign_of_bit7(double x, std::uint64_t u) {
  return std::bit_cast<double>(std::bit_cast<std::uint64_t>(x) ^ ((u & 0x80) << 56));
}

// The rest of a standard normal whose first number `u` fell outside its layer's rectangle,
// as standard_exponential_outside. The tail beyond r uses Marsaglia's exponential method.
template <class Rng>
[[gnu::noinline]] double standard_normal_outside(Rng& rng, std::uint64_t u) {
  const NormalZiggurat& z = kNormalZiggurat;
  for (;;) {
    const std::size_t i = u & 0x7F;
    const std::uint64_t j = u >> 11;
    const double x = static_cast<double>(j) * z.layer[i].w;
    if (j < z.layer[i].k) return with_sign_of_bit7(x, u);
    if (i == 0) {
      double t, y;
      do {
        t = -std::log(rng.uniform_open01()) / NormalZiggurat::kTailStart;
        y = -std::log(rng.uniform_open01());
      } while (y + y < t * t);
      return with_sign_of_bit7(NormalZiggurat::kTailStart + t, u);
    }
    if (z.f[i] + rng.uniform01() * (z.f[i - 1] - z.f[i]) < portable_exp(-0.5 * x * x)) {
      return with_sign_of_bit7(x, u);
    }
    u = rng.next_u64();
  }
}

// A standard normal from `rng`: low 7 bits pick the layer, bit 7 the sign, the high
// 53 the position.
template <class Rng>
double standard_normal(Rng& rng) {
  const std::uint64_t u = rng.next_u64();
  const ZigguratLayer& layer = kNormalZiggurat.layer[u & 0x7F];
  const std::uint64_t j = u >> 11;
  if (j < layer.k) [[likely]]
    return with_sign_of_bit7(static_cast<double>(j) * layer.w, u);
  return standard_normal_outside(rng, u);
}

}  // namespace surgesim::sim
