#include "models/services/service_stats.hpp"

#include <cmath>
#include <limits>

namespace surgesim::models {
namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}

Json number_or_null(double x) {
  return std::isfinite(x) ? Json(x) : Json(nullptr);
}

LatencySummary summarize_latency(const sim::Welford& w, const sim::QuantileSketch& q) {
  if (w.count() == 0) return {kNaN, kNaN, kNaN, kNaN};
  static constexpr double kLevels[] = {0.50, 0.95, 0.99};
  double p[3];
  q.quantiles(kLevels, p, 3);
  return {w.mean(), p[0], p[1], p[2]};
}

void ServiceStats::restart(sim::Time t) {
  arrivals = started = waited = completed = rejected = timeouts = abandoned = wasted = errors = 0;
  outages = pool_timeouts = declined = hits = misses = 0;
  rate_limited = degraded = short_circuited = 0;
  wait = {};
  response = {};
  response_quantiles.clear();
  busy.restart(t);
  available.restart(t);
  queue.restart(t);
  instances.restart(t);
  provisioned.restart(t);
}

void ServiceStats::take(ServiceStats& later, sim::Time end) {
  response_quantiles.take(later.response_quantiles);
  absorb(later, end);  // its sketch is empty now: merged and cleared at no cost
  later.restart(end);
}

void ServiceStats::absorb(const ServiceStats& later, sim::Time end) {
  arrivals += later.arrivals;
  started += later.started;
  waited += later.waited;
  completed += later.completed;
  rejected += later.rejected;
  timeouts += later.timeouts;
  abandoned += later.abandoned;
  wasted += later.wasted;
  errors += later.errors;
  outages += later.outages;
  pool_timeouts += later.pool_timeouts;
  declined += later.declined;
  hits += later.hits;
  misses += later.misses;
  rate_limited += later.rate_limited;
  degraded += later.degraded;
  short_circuited += later.short_circuited;
  wait.merge(later.wait);
  response.merge(later.response);
  response_quantiles.merge(later.response_quantiles);
  busy.absorb(later.busy, end);
  available.absorb(later.available, end);
  queue.absorb(later.queue, end);
  instances.absorb(later.instances, end);
  provisioned.absorb(later.provisioned, end);
}

double ServiceStats::utilization(sim::Time end) const {
  const double capacity_area = available.area(end);
  return capacity_area > 0 ? busy.area(end) / capacity_area : kNaN;
}

Json ServiceStats::to_json(sim::Time end, double cost_per_instance_hour) const {
  const LatencySummary latency = summarize_latency(response, response_quantiles);
  Json j;
  j["arrivals"] = arrivals;
  j["completed"] = completed;
  j["rejected"] = rejected;
  j["timeouts"] = timeouts;
  j["abandoned"] = abandoned;
  j["wasted"] = wasted;
  j["errors"] = errors;
  j["utilization"] = number_or_null(utilization(end));
  j["mean_wait_s"] = wait.count() > 0 ? Json(wait.mean()) : Json(nullptr);
  j["mean_response_s"] = number_or_null(latency.mean);
  j["p50_s"] = number_or_null(latency.p50);
  j["p95_s"] = number_or_null(latency.p95);
  j["p99_s"] = number_or_null(latency.p99);
  j["mean_queue"] = queue.mean(end);
  j["mean_instances"] = instances.mean(end);
  j["rate_limited"] = rate_limited;
  j["degraded"] = degraded;
  j["short_circuited"] = short_circuited;
  // Extensions beyond the contract: requests that began service and how many of them
  // had to wait (P(wait) = waited / started, the Erlang C quantity); errors by kind;
  // payment declines; cache hits and misses; what the instances cost.
  j["started"] = started;
  j["waited"] = waited;
  j["outages"] = outages;
  j["pool_timeouts"] = pool_timeouts;
  j["declined"] = declined;
  j["hits"] = hits;
  j["misses"] = misses;
  j["cost"] = provisioned.area(end) / 3600.0 * cost_per_instance_hour;
  return j;
}

const std::vector<std::string>& service_series_columns() {
  static const std::vector<std::string> columns = {
      "arrivals", "completed",   "rejected",   "timeouts",     "abandoned",   "wasted",
      "errors",   "utilization", "mean_queue", "instances",    "mean_wait_s", "mean_s",
      "p50_s",    "p95_s",       "p99_s",      "rate_limited", "degraded",    "short_circuited"};
  return columns;
}

void service_row(const ServiceStats& s, sim::Time end, std::vector<double>& row) {
  const LatencySummary latency = summarize_latency(s.response, s.response_quantiles);
  row.assign({static_cast<double>(s.arrivals), static_cast<double>(s.completed),
              static_cast<double>(s.rejected), static_cast<double>(s.timeouts),
              static_cast<double>(s.abandoned), static_cast<double>(s.wasted),
              static_cast<double>(s.errors), s.utilization(end), s.queue.mean(end),
              s.instances.mean(end), s.wait.count() > 0 ? s.wait.mean() : kNaN, latency.mean,
              latency.p50, latency.p95, latency.p99, static_cast<double>(s.rate_limited),
              static_cast<double>(s.degraded), static_cast<double>(s.short_circuited)});
}

}  // namespace surgesim::models
