#include "models/analytic_estimate.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <map>
#include <stdexcept>

#include "sim/queueing_theory.hpp"

namespace surgesim::models {
namespace {

// Expected visits to each page in one session: v = e_start (I - P)^-1, where P holds
// the page-to-page probabilities (exit is absorbing and left out).
std::vector<double> expected_visits(const JourneyConfig& journey) {
  const auto n = static_cast<Eigen::Index>(journey.pages.size());
  std::map<std::string, Eigen::Index> index;
  for (Eigen::Index i = 0; i < n; ++i) index[journey.pages[static_cast<std::size_t>(i)].name] = i;
  Eigen::MatrixXd transient = Eigen::MatrixXd::Identity(n, n);
  for (Eigen::Index i = 0; i < n; ++i) {
    for (const auto& [target, p] : journey.pages[static_cast<std::size_t>(i)].next) {
      if (target != kExit) transient(i, index.at(target)) -= p;
    }
  }
  Eigen::VectorXd start = Eigen::VectorXd::Zero(n);
  start(index.at(journey.start)) = 1.0;
  const auto lu = transient.transpose().fullPivLu();
  if (!lu.isInvertible()) {
    throw std::invalid_argument("journey '" + journey.name + "' has pages that never reach exit");
  }
  const Eigen::VectorXd visits = lu.solve(start);
  return {visits.data(), visits.data() + visits.size()};
}

ServiceEstimate estimate_pool(const ServiceConfig& service, double arrival_rate) {
  const auto& pool = std::get<ServerPoolConfig>(service.kind);
  ServiceEstimate e;
  e.name = service.name;
  e.arrival_rate = arrival_rate;
  e.servers = pool.instances * pool.workers;
  e.offered_load = arrival_rate * pool.service.mean();
  e.utilization = e.offered_load / e.servers;
  if (e.utilization >= 1.0) {
    e.p_wait = 1.0;
    e.mean_wait = sim::kForever;
  } else if (arrival_rate > 0.0) {
    const auto mmc = sim::theory::mmc(arrival_rate, 1.0 / pool.service.mean(), e.servers);
    e.p_wait = mmc.p_wait;
    e.mean_wait = mmc.mean_wait * (1.0 + pool.service.scv()) / 2.0;  // Allen-Cunneen
  }
  return e;
}

}  // namespace

AnalyticEstimate estimate(const Scenario& scenario) {
  AnalyticEstimate result;
  std::map<std::string, double> rate;
  for (const JourneyConfig& journey : scenario.journeys) {
    result.visits.push_back(expected_visits(journey));
    const double sessions = scenario.traffic.rate * journey.share;
    for (std::size_t p = 0; p < journey.pages.size(); ++p) {
      rate[journey.pages[p].call] += sessions * result.visits.back()[p];
    }
  }
  for (const ServiceConfig& service : scenario.services) {
    result.services.push_back(estimate_pool(service, rate[service.name]));
  }
  return result;
}

}  // namespace surgesim::models
