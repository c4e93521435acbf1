#include "sim/random_stream.hpp"

// The vector kernels need GCC or Clang (target attributes, __builtin_cpu_supports) on x86-64.
#if defined(__x86_64__) && defined(__SSE2__) && (defined(__GNUC__) || defined(__clang__))
#define SURGESIM_PHILOX_X86 1
#include <immintrin.h>
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

void batch_portable(std::uint64_t first_block, std::uint64_t replication, std::uint64_t key,
                    std::uint64_t* out) {
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
}

#if defined(SURGESIM_PHILOX_X86)
// The vector kernels hold a block as 32-bit lanes {c0, c1, c2, c3}, `mul` the multipliers
// and `key` the round key in lanes 0 and 2 (zeros in 1 and 3). A round is then
//   products = c * mul           64-bit lanes {c0 * M0, c2 * M1}
//   swapped  = products reversed {hi(c2 M1), lo(c2 M1), hi(c0 M0), lo(c0 M0)}
//   c        = swapped ^ (c >> 32 in each 64-bit lane: {c1, 0, c3, 0}) ^ key,
// and, little-endian, a block's low 64 bits are w0 | w1 << 32 and its high w2 | w3 << 32:
// the registers store straight into the buffer.
int lane(std::uint32_t x) {
  return static_cast<int>(x);
}

inline __m128i philox_round(__m128i c, __m128i mul, __m128i key) {
  const __m128i products = _mm_mul_epu32(c, mul);
  const __m128i swapped = _mm_shuffle_epi32(products, _MM_SHUFFLE(0, 1, 2, 3));
  return _mm_xor_si128(_mm_xor_si128(swapped, _mm_srli_epi64(c, 32)), key);
}

void batch_sse2(std::uint64_t first_block, std::uint64_t replication, std::uint64_t key,
                std::uint64_t* out) {
  const __m128i mul = _mm_set_epi32(0, lane(kPhiloxMul1), 0, lane(kPhiloxMul0));
  const __m128i weyl = _mm_set_epi32(0, lane(kPhiloxWeyl1), 0, lane(kPhiloxWeyl0));
  const __m128i key0 = _mm_set_epi32(0, lane(static_cast<std::uint32_t>(key >> 32)), 0,
                                     lane(static_cast<std::uint32_t>(key)));
  const auto rep = static_cast<long long>(replication);
  // Four blocks at a time: four independent chains hide the multiply's latency, and more
  // would spill out of the sixteen registers.
  static_assert(kPhiloxBatch % 4 == 0);
  for (int group = 0; group < kPhiloxBatch; group += 4) {
    __m128i c[4];
    for (int b = 0; b < 4; ++b) {
      c[b] = _mm_set_epi64x(
          rep, static_cast<long long>(first_block + static_cast<std::uint64_t>(group + b)));
    }
    __m128i k = key0;
    for (int round = 0; round < 10; ++round) {
      if (round > 0) k = _mm_add_epi32(k, weyl);  // as philox4x32_10: bumped between rounds
      for (__m128i& block : c) block = philox_round(block, mul, k);
    }
    for (int b = 0; b < 4; ++b) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 2 * (group + b)), c[b]);
    }
  }
}

// Two blocks per register, one per 128-bit half. The AVX2 instructions act on each half as
// their SSE2 namesakes do.
__attribute__((target("avx2"))) inline __m256i philox_round(__m256i c, __m256i mul, __m256i key) {
  const __m256i products = _mm256_mul_epu32(c, mul);
  const __m256i swapped = _mm256_shuffle_epi32(products, _MM_SHUFFLE(0, 1, 2, 3));
  return _mm256_xor_si256(_mm256_xor_si256(swapped, _mm256_srli_epi64(c, 32)), key);
}

__attribute__((target("avx2"))) void batch_avx2(std::uint64_t first_block,
                                                std::uint64_t replication, std::uint64_t key,
                                                std::uint64_t* out) {
  const int m0 = lane(kPhiloxMul0), m1 = lane(kPhiloxMul1);
  const int w0 = lane(kPhiloxWeyl0), w1 = lane(kPhiloxWeyl1);
  const int k0 = lane(static_cast<std::uint32_t>(key));
  const int k1 = lane(static_cast<std::uint32_t>(key >> 32));
  const __m256i mul = _mm256_set_epi32(0, m1, 0, m0, 0, m1, 0, m0);
  const __m256i weyl = _mm256_set_epi32(0, w1, 0, w0, 0, w1, 0, w0);
  __m256i k = _mm256_set_epi32(0, k1, 0, k0, 0, k1, 0, k0);
  const auto rep = static_cast<long long>(replication);
  const auto block = [&](int b) {
    return static_cast<long long>(first_block + static_cast<std::uint64_t>(b));
  };
  static_assert(kPhiloxBatch % 2 == 0);
  constexpr int kRegisters = kPhiloxBatch / 2;
  __m256i c[kRegisters];
  for (int r = 0; r < kRegisters; ++r) {
    c[r] = _mm256_set_epi64x(rep, block(2 * r + 1), rep, block(2 * r));
  }
  for (int round = 0; round < 10; ++round) {
    if (round > 0) k = _mm256_add_epi32(k, weyl);
    for (__m256i& pair : c) pair = philox_round(pair, mul, k);
  }
  for (int r = 0; r < kRegisters; ++r) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 4 * r), c[r]);
  }
}

bool has_avx2() {
  __builtin_cpu_init();  // may run before the constructor that would call it
  return __builtin_cpu_supports("avx2");
}
#endif

// Chosen once; a stream drawing before this is set (from another translation unit's
// static initialisation) uses the portable kernel, which gives the same numbers.
#if defined(SURGESIM_PHILOX_X86)
const PhiloxKernel kBestKernel = has_avx2() ? PhiloxKernel::avx2 : PhiloxKernel::sse2;
#else
const PhiloxKernel kBestKernel = PhiloxKernel::portable;
#endif

}  // namespace

bool philox_kernel_available(PhiloxKernel kernel) {
  switch (kernel) {
    case PhiloxKernel::portable:
      return true;
#if defined(SURGESIM_PHILOX_X86)
    case PhiloxKernel::sse2:
      return true;
    case PhiloxKernel::avx2:
      return has_avx2();
#else
    case PhiloxKernel::sse2:
    case PhiloxKernel::avx2:
      return false;
#endif
  }
  return false;
}

void philox4x32_10_batch(PhiloxKernel kernel, std::uint64_t first_block, std::uint64_t replication,
                         std::uint64_t key, std::uint64_t* out) {
  switch (kernel) {
#if defined(SURGESIM_PHILOX_X86)
    case PhiloxKernel::avx2:
      return batch_avx2(first_block, replication, key, out);
    case PhiloxKernel::sse2:
      return batch_sse2(first_block, replication, key, out);
#else
    case PhiloxKernel::avx2:
    case PhiloxKernel::sse2:
#endif
    case PhiloxKernel::portable:
      return batch_portable(first_block, replication, key, out);
  }
}

void philox4x32_10_batch(std::uint64_t first_block, std::uint64_t replication, std::uint64_t key,
                         std::uint64_t* out) {
  philox4x32_10_batch(kBestKernel, first_block, replication, key, out);
}

std::uint64_t stream_key(std::uint64_t seed, std::string_view name) {
  return splitmix64_mix(fnv1a64(name) ^ splitmix64_mix(seed));
}

// Services and journeys hold several streams each, one set per replication and thread.
static_assert(sizeof(RandomStream) <= 160, "keep a stream within its documented size");

RandomStream::RandomStream(std::uint64_t seed, std::uint64_t replication, std::string_view name)
    : key_(stream_key(seed, name)), replication_(replication) {}

void RandomStream::refill() {
  philox4x32_10_batch(block_, replication_, key_, buffer_.data());
  block_ += kPhiloxBatch;
  next_ = 0;
}

}  // namespace surgesim::sim
