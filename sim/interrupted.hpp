#pragma once

#include <stdexcept>

namespace surgesim::sim {

// A run stopped on request (SIGINT/SIGTERM) before it finished.
struct Interrupted : std::runtime_error {
  Interrupted() : std::runtime_error("interrupted") {}
};

}  // namespace surgesim::sim
