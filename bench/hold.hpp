#pragma once

#include <cstdint>

#include "measure.hpp"

namespace surgesim::bench {

// The classic hold model: `pending` events in the queue; each fired event schedules one
// more at now + Exp(1). Both run roughly `events` events after a warm-up.
Sample hold_simulator(std::uint32_t pending, std::uint64_t events, std::uint64_t seed);
// The same loop on a plain std::priority_queue, as a yardstick measured in the same run.
Sample hold_priority_queue(std::uint32_t pending, std::uint64_t events, std::uint64_t seed);

}  // namespace surgesim::bench
