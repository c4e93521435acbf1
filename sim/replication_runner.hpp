#pragma once

#include <algorithm>
#include <thread>

namespace surgesim::sim {

// Number of worker threads to use when the user asked for `requested` (0 = all cores).
inline unsigned resolve_threads(unsigned requested) {
  if (requested > 0) return requested;
  return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace surgesim::sim
