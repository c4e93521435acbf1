#include "models/analysis/bucket_estimate.hpp"

#include <algorithm>
#include <cmath>

#include "models/sessions/traffic_rate.hpp"

namespace surgesim::models {
namespace {

// null for what has no value (NaN, infinity): JSON has no NaN, and a reader must not
// mistake "unbounded" for a number.
Json number(double x) {
  return std::isfinite(x) ? Json(x) : Json(nullptr);
}

Json instances_needed(const ServiceEstimate& e) {
  if (e.unit_workers == 0) return nullptr;
  const double load = e.arrival_rate > 0.0 ? e.arrival_rate * e.mean_service : 0.0;
  if (!std::isfinite(load)) return nullptr;  // behind a callee that cannot keep up
  return std::ceil(load / (e.unit_workers * e.target));
}

}  // namespace

std::vector<BucketEstimate> estimate_buckets(const Scenario& scenario) {
  const RateFunction rate(scenario.traffic);
  std::vector<BucketEstimate> out;
  for (std::size_t k = 0;; ++k) {
    const double from = static_cast<double>(k) * scenario.bucket;
    if (from >= scenario.duration) break;
    const double width = std::min(scenario.bucket, scenario.duration - from);
    out.push_back({from, width, estimate_at(scenario, rate.integral(from, from + width) / width)});
  }
  return out;
}

Json estimate_rows(const std::vector<BucketEstimate>& buckets) {
  Json rows = Json::array();
  for (const BucketEstimate& bucket : buckets) {
    for (const ServiceEstimate& e : bucket.estimate.services) {
      const bool unstable = e.saturated;
      rows.push_back({{"t_s", bucket.t_s},
                      {"service", e.name},
                      {"lambda", e.arrival_rate},
                      {"rho", e.servers > 0 ? number(e.utilization) : Json(nullptr)},
                      {"p_wait", unstable ? Json(nullptr) : number(e.p_wait)},
                      {"mean_wait_s", unstable ? Json(nullptr) : number(e.mean_wait)},
                      {"mean_response_s", unstable ? Json(nullptr) : number(e.mean_response)},
                      {"instances_needed", instances_needed(e)},
                      {"unstable", unstable},
                      {"type", e.type},
                      {"servers", e.servers},
                      {"offered_load", number(e.offered_load)},
                      {"blocking", number(e.blocking)},
                      {"p_leave", nullptr},
                      {"session_rate", bucket.estimate.session_rate}});
    }
    if (const auto& room = bucket.estimate.waiting_room) {
      // The room after the services, as in the summary: its "requests" are sessions, its
      // servers the places of max_active, its wait the time in the room; nothing sizes
      // it to a utilisation target, and a shopper spends no response time there.
      const bool unstable = room->saturated;
      rows.push_back({{"t_s", bucket.t_s},
                      {"service", "waiting_room"},
                      {"lambda", room->arrival_rate},
                      {"rho", number(room->offered_load / static_cast<double>(room->max_active))},
                      {"p_wait", unstable ? Json(nullptr) : number(room->p_wait)},
                      {"mean_wait_s", unstable ? Json(nullptr) : number(room->mean_wait)},
                      {"mean_response_s", nullptr},
                      {"instances_needed", nullptr},
                      {"unstable", unstable},
                      {"type", "waiting_room"},
                      {"servers", room->max_active},
                      {"offered_load", number(room->offered_load)},
                      {"blocking", nullptr},
                      {"p_leave", unstable ? Json(nullptr) : number(room->p_leave)},
                      {"session_rate", bucket.estimate.session_rate}});
    }
  }
  return rows;
}

}  // namespace surgesim::models
