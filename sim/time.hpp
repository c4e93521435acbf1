#pragma once

#include <limits>

namespace surgesim::sim {

// Simulated time and durations, in seconds. Instants are named `*_t` or `at`,
// spans `*_s` or `duration`.
using Time = double;

inline constexpr Time kForever = std::numeric_limits<Time>::infinity();

}  // namespace surgesim::sim
