#include "sim/random_stream.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace surgesim::sim {
namespace {

constexpr std::uint64_t fnv1a64(std::string_view bytes) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (const char ch : bytes) {
    h ^= static_cast<unsigned char>(ch);
    h *= 0x100000001b3ull;
  }
  return h;
}

// splitmix64's output function: a bijection with full avalanche, so nearby seeds and
// names differing in one byte give unrelated keys.
constexpr std::uint64_t splitmix64_mix(std::uint64_t x) {
  std::uint64_t z = x + 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

#if defined(__SSE2__)
// One Philox round on a block held as 32-bit lanes {c0, c1, c2, c3}; `mul` holds the
// multipliers in lanes 0 and 2, `key` the round key in lanes 0 and 2 (zeros elsewhere).
inline __m128i philox_round(__m128i c, __m128i mul, __m128i key) {
  const __m128i products = _mm_mul_epu32(c, mul);  // 64-bit lanes {c0 * M0, c2 * M1}
  // Lanes {hi(c2 M1), lo(c2 M1), hi(c0 M0), lo(c0 M0)}: the new c0..c3 before the xors.
  const __m128i swapped = _mm_shuffle_epi32(products, _MM_SHUFFLE(0, 1, 2, 3));
  const __m128i odd = _mm_srli_epi64(c, 32);  // lanes {c1, 0, c3, 0}
  return _mm_xor_si128(_mm_xor_si128(swapped, odd), key);
}
#endif

}  // namespace

void philox4x32_10_batch(std::uint64_t first_block, std::uint64_t replication, std::uint64_t key,
                         std::uint64_t* out) {
#if defined(__SSE2__)
  static_assert(kPhiloxBatch == 4, "the vector path below is written for four blocks");
  const auto lane = [](std::uint32_t x) { return static_cast<int>(x); };
  const __m128i mul = _mm_set_epi32(0, lane(kPhiloxMul1), 0, lane(kPhiloxMul0));
  const __m128i weyl = _mm_set_epi32(0, lane(kPhiloxWeyl1), 0, lane(kPhiloxWeyl0));
  __m128i k = _mm_set_epi32(0, lane(static_cast<std::uint32_t>(key >> 32)), 0,
                            lane(static_cast<std::uint32_t>(key)));
  const auto rep = static_cast<long long>(replication);
  __m128i c0 = _mm_set_epi64x(rep, static_cast<long long>(first_block));
  __m128i c1 = _mm_set_epi64x(rep, static_cast<long long>(first_block + 1));
  __m128i c2 = _mm_set_epi64x(rep, static_cast<long long>(first_block + 2));
  __m128i c3 = _mm_set_epi64x(rep, static_cast<long long>(first_block + 3));
  for (int round = 0; round < 10; ++round) {
    if (round > 0) k = _mm_add_epi32(k, weyl);  // as philox4x32_10: bumped between rounds
    c0 = philox_round(c0, mul, k);
    c1 = philox_round(c1, mul, k);
    c2 = philox_round(c2, mul, k);
    c3 = philox_round(c3, mul, k);
  }
  // Little-endian lanes: the low 64 bits of a block are w0 | w1 << 32, the high w2 | w3 << 32.
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out), c0);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 2), c1);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 4), c2);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 6), c3);
#else
  const std::array<std::uint32_t, 2> k{static_cast<std::uint32_t>(key),
                                       static_cast<std::uint32_t>(key >> 32)};
  for (int b = 0; b < kPhiloxBatch; ++b) {
    const std::uint64_t block = first_block + static_cast<std::uint64_t>(b);
    const auto w = philox4x32_10(
        {static_cast<std::uint32_t>(block), static_cast<std::uint32_t>(block >> 32),
         static_cast<std::uint32_t>(replication), static_cast<std::uint32_t>(replication >> 32)},
        k);
    out[2 * b] = std::uint64_t{w[0]} | std::uint64_t{w[1]} << 32;
    out[2 * b + 1] = std::uint64_t{w[2]} | std::uint64_t{w[3]} << 32;
  }
#endif
}

std::uint64_t stream_key(std::uint64_t seed, std::string_view name) {
  return splitmix64_mix(fnv1a64(name) ^ splitmix64_mix(seed));
}

RandomStream::RandomStream(std::uint64_t seed, std::uint64_t replication, std::string_view name)
    : key_(stream_key(seed, name)), replication_(replication) {}

void RandomStream::refill() {
  philox4x32_10_batch(block_, replication_, key_, buffer_.data());
  block_ += kPhiloxBatch;
  next_ = 0;
}

}  // namespace surgesim::sim
