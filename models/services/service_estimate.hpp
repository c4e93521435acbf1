#pragma once

#include <string>
#include <vector>

// What queueing theory predicts for one service (see models/analysis/analytic_estimate.hpp
// for how the estimate flows through the call graph). Each service type fills its own
// from its config; most use estimate_queue.
namespace surgesim::models {

// One payment provider: an M/M/c/c loss system over its concurrency cap.
struct ProviderEstimate {
  std::string name;
  double arrival_rate = 0.0;   // payments per second (the gateway's rate x share)
  double offered_load = 0.0;   // Erlang: arrival_rate x mean latency
  int servers = 0;             // the concurrency cap; 0: unlimited
  double utilization = 0.0;    // carried load / servers (0 when unlimited)
  double blocking = 0.0;       // Erlang B: share of payments rejected at the cap
  double mean_response = 0.0;  // seconds: the mean latency
};

struct ServiceEstimate {
  std::string name;
  std::string type;            // server_pool, cache, database or payment_gateway
  double arrival_rate = 0.0;   // requests per second admitted (past the rate limit)
  double rate_limited = 0.0;   // requests per second the rate limit refuses
  double mean_service = 0.0;   // seconds a worker (connection, slot) is held per request
  double offered_load = 0.0;   // Erlang: arrival_rate x mean_service
  int servers = 0;             // workers in all; 0: unlimited (caches without workers,
                               // payment gateways: see `providers`)
  double utilization = 0.0;    // offered_load / servers (>= 1: saturated)
  double p_wait = 0.0;         // Erlang C (1 when saturated)
  double mean_wait = 0.0;      // seconds before service starts; infinite when saturated
  double mean_response = 0.0;  // seconds, arrival to response, calls included
  double blocking = 0.0;       // payment gateways: share of payments rejected at a cap
  bool saturated = false;      // cannot keep up (itself, or a service it waits on)
  // What sizes the service, for the count needed at a load: units of `unit_workers`
  // workers (a pool's instances, a database's connections, a cache's workers) kept busy
  // at most `target` of the time (a pool's autoscale target, else 80%). 0: nothing sizes
  // it (a cache without a worker limit, a payment gateway).
  int unit_workers = 0;
  double target = 0.8;
  std::vector<ProviderEstimate> providers;  // payment gateways only
};

// An M/M/c view of `servers` workers held `holding` seconds each, with Allen-Cunneen's
// factor (1 + scv) / 2 on the wait for a holding time of squared coefficient of
// variation `scv`. Reads e.arrival_rate; fills the rest of the queue's fields.
void estimate_queue(ServiceEstimate& e, int servers, double holding, double scv);

}  // namespace surgesim::models
