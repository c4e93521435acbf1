#pragma once

#include <string>
#include <vector>

#include "models/scenario.hpp"

namespace surgesim::models {

// What queueing theory predicts for each service at the scenario's peak session rate,
// before simulating. Visits per session come from each journey's Markov chain (Eigen);
// request rates then flow down the call graph (calls x p, cache misses x (1 - hit
// ratio)); response times come back up it, callees first: a pool's worker is held for
// its own work plus the response of every call it makes. Each tier is an M/M/c queue
// with the Allen-Cunneen correction for the variability of its service time (Erlang B
// for payment providers, which turn payments beyond their concurrency away).
// Shoppers who give up or retry, timeouts, outages, crashes, cold caches and database
// contention are ignored, so it is an estimate: good for sizing at a glance and for
// spotting a tier that cannot keep up.

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
  double arrival_rate = 0.0;   // requests per second
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
  std::vector<ProviderEstimate> providers;  // payment gateways only
};

struct AnalyticEstimate {
  double session_rate = 0.0;  // the peak session rate the estimate is for
  // Expected page views per session, per journey, in page order.
  std::vector<std::vector<double>> visits;
  std::vector<ServiceEstimate> services;  // in scenario order
};

// Requires a valid scenario (as the loader returns): no call cycles, no unknown names.
AnalyticEstimate estimate(const Scenario& scenario);

}  // namespace surgesim::models
