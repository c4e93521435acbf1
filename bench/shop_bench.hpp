#pragma once

#include <cstdint>

#include "measure.hpp"

namespace surgesim::bench {

// One replication of an M/M/c shop (one journey, one page, one server pool of `servers`
// instances at utilisation `rho`) through the full model: loader, Shop, statistics.
struct ShopSample {
  Sample requests;  // web.arrivals per second of wall time
  double events = 0.0;
  double utilization = 0.0;  // as measured, to show the scenario is what it claims
};

ShopSample run_shop(int servers, double rho, double expected_requests);

}  // namespace surgesim::bench
