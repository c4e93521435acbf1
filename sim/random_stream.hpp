#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <string_view>

#include "sim/ziggurat.hpp"

namespace surgesim::sim {

// Philox4x32-10's multipliers and Weyl key increments (Random123's PHILOX_M4x32_0/1 and
// PHILOX_W32_0/1).
inline constexpr std::uint32_t kPhiloxMul0 = 0xD2511F53u;
inline constexpr std::uint32_t kPhiloxMul1 = 0xCD9E8D57u;
inline constexpr std::uint32_t kPhiloxWeyl0 = 0x9E3779B9u;
inline constexpr std::uint32_t kPhiloxWeyl1 = 0xBB67AE85u;

// Philox4x32-10 block function (Salmon et al. 2011, "Parallel random numbers: as easy
// as 1, 2, 3"; bit-compatible with Random123's philox4x32_R(10, ...)). The definition of a
// stream's numbers; streams make theirs with philox4x32_10_batch, which must agree.
constexpr std::array<std::uint32_t, 4> philox4x32_10(std::array<std::uint32_t, 4> counter,
                                                     std::array<std::uint32_t, 2> key) {
  auto& c = counter;
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {  // the key is bumped between rounds, not before the first
      key[0] += kPhiloxWeyl0;
      key[1] += kPhiloxWeyl1;
    }
    const std::uint64_t p0 = std::uint64_t{kPhiloxMul0} * c[0];
    const std::uint64_t p1 = std::uint64_t{kPhiloxMul1} * c[2];
    c = {static_cast<std::uint32_t>(p1 >> 32) ^ c[1] ^ key[0], static_cast<std::uint32_t>(p1),
         static_cast<std::uint32_t>(p0 >> 32) ^ c[3] ^ key[1], static_cast<std::uint32_t>(p0)};
  }
  return counter;
}

// The 64-bit Philox key of stream `name` under `seed`:
//   splitmix64_mix(fnv1a64(name) ^ splitmix64_mix(seed)),
// where fnv1a64 is FNV-1a over the name's bytes (offset 0xcbf29ce484222325, prime
// 0x100000001b3) and splitmix64_mix(x) is Steele et al.'s splitmix64 output function
// applied to x + 0x9E3779B97F4A7C15. Fixed here (not std::hash) so that a seed gives
// the same numbers on every platform, compiler and standard library. The low 32 bits
// are key word 0, the high 32 bits key word 1.
std::uint64_t stream_key(std::uint64_t seed, std::string_view name);

// Blocks a stream makes at a time: enough independent chains to keep the vector units busy,
// few enough that a stream stays small (its buffer holds 2 * kPhiloxBatch numbers).
inline constexpr int kPhiloxBatch = 8;

// The instructions philox4x32_10_batch runs on; every kernel gives the same numbers.
//   portable: philox4x32_10 block after block (any processor).
//   sse2: one block per 128-bit register, so one multiply instruction makes both of a
//     round's products; every x86-64 has it.
//   avx2: the same, two blocks per 256-bit register (chosen at run time where the
//     processor has AVX2; the build stays portable).
enum class PhiloxKernel { portable, sse2, avx2 };

// Whether this build and processor can run `kernel`.
bool philox_kernel_available(PhiloxKernel kernel);

// Philox blocks first_block .. first_block + kPhiloxBatch - 1 with counter high words
// `replication` under `key` (stream_key's value), as next_u64 values: out[2b] = w0 | w1 << 32
// and out[2b + 1] = w2 | w3 << 32 of block first_block + b. Exactly philox4x32_10 on each
// block (the block index wraps at 2^64). The first form runs the fastest available kernel.
void philox4x32_10_batch(std::uint64_t first_block, std::uint64_t replication, std::uint64_t key,
                         std::uint64_t* out);
void philox4x32_10_batch(PhiloxKernel kernel, std::uint64_t first_block, std::uint64_t replication,
                         std::uint64_t key, std::uint64_t* out);

// Independent random stream identified by (seed, replication, name). The Philox key is
// derived from (seed, hash(name)) and the counter's high words hold the replication, so
// streams of different names/replications never overlap and changing how many draws one
// stream makes never shifts another (common random numbers across what-ifs).
//
// Layout: block i of a stream is philox4x32_10({lo32(i), hi32(i), lo32(rep), hi32(rep)},
// stream_key(seed, name)); its output words w0..w3 give next_u64() values
// w0 | w1 << 32 and then w2 | w3 << 32. Blocks are made kPhiloxBatch at a time, which
// changes the cost, not the sequence. Cheap to copy (160 bytes); not thread-safe (one per
// thread).
class RandomStream {
 public:
  RandomStream(std::uint64_t seed, std::uint64_t replication, std::string_view name);

  std::uint64_t next_u64() {
    if (next_ == kBuffered) [[unlikely]]
      refill();
    return buffer_[next_++];
  }

  // [0,1), 53 random bits: every value is a multiple of 2^-53.
  double uniform01() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

  // (0,1), safe for log(): 52 random bits centred in their cell, (j + 0.5) * 2^-52. With
  // 53 bits the largest value, 1 - 2^-54, would round to 1.0.
  double uniform_open01() { return (static_cast<double>(next_u64() >> 12) + 0.5) * 0x1.0p-52; }

  // Ziggurat (sim/ziggurat.hpp): exact, and ~4x cheaper than inversion with log().
  // `mean` is not checked (hot path).
  double exponential(double mean) { return mean * standard_exponential(*this); }

  // Standard normal by the ziggurat (sim/ziggurat.hpp).
  double normal() { return standard_normal(*this); }

 private:
  static constexpr std::uint32_t kBuffered = 2 * kPhiloxBatch;

  // Out of line, so that next_u64 inlines into every variate as a load and a compare.
  void refill();

  std::uint64_t key_;
  std::uint64_t replication_;
  std::uint64_t block_ = 0;         // next block to generate
  std::uint32_t next_ = kBuffered;  // next buffer_ word to serve; kBuffered: none left
  std::array<std::uint64_t, kBuffered> buffer_{};
};

}  // namespace surgesim::sim
