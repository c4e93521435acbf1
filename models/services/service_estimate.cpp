#include "models/services/service_estimate.hpp"

#include "sim/queueing_theory.hpp"
#include "sim/time.hpp"

namespace surgesim::models {

void estimate_queue(ServiceEstimate& e, int servers, double holding, double scv) {
  e.servers = servers;
  e.mean_service = holding;
  // No traffic is no load, even behind a callee that never answers.
  e.offered_load = e.arrival_rate > 0.0 ? e.arrival_rate * holding : 0.0;
  e.utilization = e.offered_load / servers;
  // NaN (an infinite holding time) counts as saturated. The second test is M/M/c's own:
  // at a load of 1 within rounding, lambda * h / c < 1 may hold while lambda < c * mu fails.
  if (!(e.utilization < 1.0) || !(e.arrival_rate < servers * (1.0 / holding))) {
    e.saturated = true;
    e.p_wait = 1.0;
    e.mean_wait = sim::kForever;
  } else if (e.arrival_rate > 0.0 && holding > 0.0) {
    const auto mmc = sim::theory::mmc(e.arrival_rate, 1.0 / holding, servers);
    e.p_wait = mmc.p_wait;
    e.mean_wait = mmc.mean_wait * (1.0 + scv) / 2.0;
  }
  e.mean_response = e.mean_wait + holding;
}

}  // namespace surgesim::models
