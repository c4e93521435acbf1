#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace surgesim::models {

// How a request or a session ended badly. The names are the contract's (docs/scenario.md).
enum class Cause : std::uint8_t {
  abandoned,
  slow,
  rejected,
  timeout,
  pool_timeout,
  error,
  outage,
  declined,
  waiting,  // left the waiting room before being admitted (a session's cause only)
};
inline constexpr std::size_t kCauseCount = 9;
inline constexpr std::array<std::string_view, kCauseCount> kCauseNames = {
    "abandoned", "slow",   "rejected", "timeout", "pool_timeout",
    "error",     "outage", "declined", "waiting"};

inline std::string_view name_of(Cause cause) {
  return kCauseNames[static_cast<std::size_t>(cause)];
}

// What a service answers to a request: success, or the cause of its failure.
enum class Outcome : std::uint8_t {
  success,
  rejected,
  timeout,
  pool_timeout,
  error,
  outage,
  declined
};

inline Cause cause_of(Outcome outcome) {
  switch (outcome) {
    case Outcome::rejected:
      return Cause::rejected;
    case Outcome::timeout:
      return Cause::timeout;
    case Outcome::pool_timeout:
      return Cause::pool_timeout;
    case Outcome::outage:
      return Cause::outage;
    case Outcome::declined:
      return Cause::declined;
    case Outcome::error:
    case Outcome::success:
      break;
  }
  return Cause::error;
}

}  // namespace surgesim::models
