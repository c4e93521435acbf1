#pragma once

#include <bit>
#include <cstdint>

#include "sim/time.hpp"

namespace surgesim::sim {

// Where a pending event stands in the firing order: its time as an order-preserving
// integer, then one word for the same-time ties (EventQueue packs priority, sequence
// number and slot into it). Comparing two keys is one 128-bit compare; 16 bytes, so
// four share a cache line.
struct EventKey {
  std::uint64_t time;
  std::uint64_t order;
};

// Later than every real key (no real order word is all ones).
inline constexpr EventKey kVacantKey{~std::uint64_t{0}, ~std::uint64_t{0}};

inline bool before(const EventKey& a, const EventKey& b) {
  using Key = unsigned __int128;
  return ((Key{a.time} << 64) | a.order) < ((Key{b.time} << 64) | b.order);
}

// w = the earlier of w and e, branch-free: which one wins is a coin flip that the
// branch predictor cannot learn. GCC compiles ?: here into a branch, hence the asm.
inline void take_earlier(EventKey& w, const EventKey& e) {
#if defined(__x86_64__)
  std::uint64_t scratch;
  asm("mov %[et], %[s]\n\t"
      "cmp %[wo], %[eo]\n\t"  // CF = (e.time, e.order) < (w.time, w.order) ...
      "sbb %[wt], %[s]\n\t"   // ... as one 128-bit subtraction
      "cmovb %[et], %[wt]\n\t"
      "cmovb %[eo], %[wo]"
      : [wt] "+r"(w.time), [wo] "+r"(w.order), [s] "=&r"(scratch)
      : [et] "r"(e.time), [eo] "r"(e.order)
      : "cc");
#else
  const std::uint64_t take = 0 - static_cast<std::uint64_t>(before(e, w));
  w.time ^= (w.time ^ e.time) & take;
  w.order ^= (w.order ^ e.order) & take;
#endif
}

// Doubles as unsigned integers in the same order: non-negative ones get the sign bit
// set, negative ones are inverted. Adding 0.0 turns -0.0 into +0.0, equal as doubles.
inline std::uint64_t time_key(Time t) {
  constexpr std::uint64_t kSign = std::uint64_t{1} << 63;
  const auto bits = std::bit_cast<std::uint64_t>(t + 0.0);
  return bits ^ (static_cast<std::uint64_t>(static_cast<std::int64_t>(bits) >> 63) | kSign);
}

inline Time time_of(std::uint64_t key) {
  constexpr std::uint64_t kSign = std::uint64_t{1} << 63;
  const auto negative = static_cast<std::uint64_t>(static_cast<std::int64_t>(~key) >> 63);
  return std::bit_cast<Time>(key ^ (negative | kSign));
}

}  // namespace surgesim::sim
