#include "sim/random_stream.hpp"

#include <cmath>
#include <numbers>

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

}  // namespace

std::uint64_t stream_key(std::uint64_t seed, std::string_view name) {
  return splitmix64_mix(fnv1a64(name) ^ splitmix64_mix(seed));
}

RandomStream::RandomStream(std::uint64_t seed, std::uint64_t replication, std::string_view name)
    : rep_lo_(static_cast<std::uint32_t>(replication)),
      rep_hi_(static_cast<std::uint32_t>(replication >> 32)) {
  const std::uint64_t key = stream_key(seed, name);
  key_ = {static_cast<std::uint32_t>(key), static_cast<std::uint32_t>(key >> 32)};
}

}  // namespace surgesim::sim
