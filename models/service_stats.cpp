#include "models/service_stats.hpp"

#include <cmath>

namespace surgesim::models {

Json number_or_null(double x) {
  return std::isfinite(x) ? Json(x) : Json(nullptr);
}

void ServiceStats::restart(sim::Time t) {
  arrivals = started = waited = completed = rejected = timeouts = abandoned = wasted = errors = 0;
  wait = {};
  response = {};
  response_quantiles.clear();
  busy.restart(t);
  available.restart(t);
  queue.restart(t);
  instances.restart(t);
}

Json ServiceStats::to_json(sim::Time end) const {
  const double capacity_area = available.area(end);
  const bool any = response.count() > 0;
  Json j;
  j["arrivals"] = arrivals;
  j["completed"] = completed;
  j["rejected"] = rejected;
  j["timeouts"] = timeouts;
  j["abandoned"] = abandoned;
  j["wasted"] = wasted;
  j["errors"] = errors;
  j["utilization"] = capacity_area > 0 ? busy.area(end) / capacity_area : 0.0;
  j["mean_wait_s"] = wait.count() > 0 ? Json(wait.mean()) : Json(nullptr);
  j["mean_response_s"] = any ? Json(response.mean()) : Json(nullptr);
  j["p50_s"] = any ? number_or_null(response_quantiles.quantile(0.50)) : Json(nullptr);
  j["p95_s"] = any ? number_or_null(response_quantiles.quantile(0.95)) : Json(nullptr);
  j["p99_s"] = any ? number_or_null(response_quantiles.quantile(0.99)) : Json(nullptr);
  j["mean_queue"] = queue.mean(end);
  j["mean_instances"] = instances.mean(end);
  // Extensions beyond the contract: requests that began service, and how many of
  // them had to wait (P(wait) = waited / started, the Erlang C quantity).
  j["started"] = started;
  j["waited"] = waited;
  return j;
}

}  // namespace surgesim::models
