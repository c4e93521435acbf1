#pragma once

#include <string>
#include <vector>

#include "models/scenario.hpp"

namespace surgesim::models {

// What queueing theory predicts for each service at the scenario's traffic, before
// simulating: visits per session from each journey's Markov chain (Eigen), then an
// M/M/c view of each pool with the Allen-Cunneen correction for the service time's
// variability. Shoppers who give up or retry are ignored, so it is an estimate: good
// for sizing at a glance and for spotting an overloaded tier.
struct ServiceEstimate {
  std::string name;
  double arrival_rate = 0.0;  // requests per second
  double offered_load = 0.0;  // Erlang: arrival_rate x mean service time
  int servers = 0;
  double utilization = 0.0;  // offered_load / servers (>= 1: overloaded)
  double p_wait = 0.0;       // Erlang C (1 when overloaded)
  double mean_wait = 0.0;    // seconds; infinite when overloaded
};

struct AnalyticEstimate {
  // Expected page views per session, per journey, in page order.
  std::vector<std::vector<double>> visits;
  std::vector<ServiceEstimate> services;
};

AnalyticEstimate estimate(const Scenario& scenario);

}  // namespace surgesim::models
