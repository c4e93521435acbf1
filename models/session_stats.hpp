#pragma once

#include <array>
#include <cstdint>

#include "models/cause.hpp"
#include "models/service_stats.hpp"

namespace surgesim::models {

// Sessions of one journey (or of all): how they ended.
struct SessionStats {
  std::uint64_t started = 0;
  std::uint64_t completed = 0;
  std::uint64_t dropped = 0;
  std::array<std::uint64_t, kCauseCount> by_cause{};

  void drop(Cause cause) {
    ++dropped;
    ++by_cause[static_cast<std::size_t>(cause)];
  }
  double drop_rate() const {
    const std::uint64_t ended = completed + dropped;
    return ended > 0 ? static_cast<double>(dropped) / static_cast<double>(ended) : 0.0;
  }
  Json causes_json() const;
};

// Page views of one page, as the shopper saw them.
struct PageStats {
  std::uint64_t requests = 0;  // attempts, retries included
  std::uint64_t success = 0;
  sim::Welford response;
  sim::QuantileSketch response_quantiles;

  void clear() {
    requests = success = 0;
    response = {};
    response_quantiles.clear();
  }
  Json to_json() const;
};

}  // namespace surgesim::models
