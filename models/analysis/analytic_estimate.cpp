#include "models/analysis/analytic_estimate.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

#include "models/analysis/call_graph.hpp"
#include "models/sessions/traffic_rate.hpp"
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

// An M/M/c view of `servers` workers held `holding` seconds each, with Allen-Cunneen's
// factor (1 + scv) / 2 on the wait for a service time of squared coefficient `scv`.
void queue(ServiceEstimate& e, int servers, double holding, double scv) {
  e.servers = servers;
  e.mean_service = holding;
  // No traffic is no load, even behind a callee that never answers.
  e.offered_load = e.arrival_rate > 0.0 ? e.arrival_rate * holding : 0.0;
  e.utilization = e.offered_load / servers;
  if (!(e.utilization < 1.0)) {  // NaN (an infinite holding time) counts as saturated
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

// Where a pool's autoscaler settles at this load: ceil(load / (workers x target))
// instances, clamped to [min, max].
int pool_instances(const ServerPoolConfig& pool, double offered_load) {
  if (!pool.autoscale) return pool.instances;
  const AutoscaleConfig& a = *pool.autoscale;
  const double wanted = std::ceil(offered_load / (pool.workers * a.target));
  if (!(wanted < a.max)) return a.max;
  return std::max(a.min, static_cast<int>(wanted));
}

void estimate_pool(const ServerPoolConfig& pool, const std::map<std::string, double>& response,
                   ServiceEstimate& e) {
  double holding = pool.service.mean();
  for (const CallConfig& call : pool.calls) {
    if (call.p > 0.0) holding += call.p * response.at(call.to);
  }
  // NOTE: with calls the holding time's variability is unknown here; it is taken as
  // exponential's (scv 1), the M/M/c case.
  const double scv = pool.calls.empty() ? pool.service.scv() : 1.0;
  const int instances = pool_instances(pool, e.arrival_rate * holding);
  queue(e, instances * pool.workers, holding, scv);
}

void estimate_cache(const CacheConfig& cache, const std::map<std::string, double>& response,
                    ServiceEstimate& e) {
  if (cache.workers) {
    queue(e, static_cast<int>(*cache.workers), cache.hit.mean(), cache.hit.scv());
  } else {  // an infinite-server queue: nobody waits
    e.mean_service = cache.hit.mean();
    e.offered_load = e.arrival_rate * e.mean_service;
    e.mean_response = e.mean_service;
  }
  const double miss = (1.0 - cache.hit_ratio) * response.at(cache.miss_to);
  e.mean_response += miss;
  e.saturated = e.saturated || std::isinf(miss);
}

void estimate_database(const DatabaseConfig& db, ServiceEstimate& e) {
  queue(e, static_cast<int>(db.connections), db.query.mean(), db.query.scv());
}

void estimate_gateway(const PaymentGatewayConfig& gateway, ServiceEstimate& e) {
  double carried = 0.0;  // payments per second that get a slot
  double latency = 0.0;  // sum over carried payments of their mean latency, per second
  for (const ProviderConfig& provider : gateway.providers) {
    ProviderEstimate p;
    p.name = provider.name;
    p.arrival_rate = e.arrival_rate * provider.share;
    p.mean_response = provider.latency.mean();
    p.offered_load = p.arrival_rate * p.mean_response;
    if (provider.concurrency) {
      p.servers = static_cast<int>(*provider.concurrency);
      p.blocking = sim::theory::erlang_b(p.servers, p.offered_load);
      p.utilization = p.offered_load * (1.0 - p.blocking) / p.servers;
      e.saturated = e.saturated || p.offered_load >= p.servers;
    }
    carried += p.arrival_rate * (1.0 - p.blocking);
    latency += p.arrival_rate * (1.0 - p.blocking) * p.mean_response;
    e.offered_load += p.offered_load;
    e.providers.push_back(p);
  }
  e.blocking = e.arrival_rate > 0.0 ? 1.0 - carried / e.arrival_rate : 0.0;
  e.mean_response = carried > 0.0 ? latency / carried : 0.0;
  e.mean_service = e.mean_response;
}

}  // namespace

AnalyticEstimate estimate(const Scenario& scenario) {
  AnalyticEstimate result;
  result.session_rate = RateFunction(scenario.traffic).peak(0.0, scenario.duration);
  std::map<std::string, double> rate;
  for (const JourneyConfig& journey : scenario.journeys) {
    result.visits.push_back(expected_visits(journey));
    const double sessions = result.session_rate * journey.share;
    for (std::size_t p = 0; p < journey.pages.size(); ++p) {
      rate[journey.pages[p].call] += sessions * result.visits.back()[p];
    }
  }
  std::map<std::string, const ServiceConfig*> by_name;
  for (const ServiceConfig& service : scenario.services) by_name[service.name] = &service;
  const std::vector<std::string> callees_first = topological_services(scenario);

  // Rates flow from callers to callees...
  for (auto it = callees_first.rbegin(); it != callees_first.rend(); ++it) {
    const ServiceConfig& service = *by_name.at(*it);
    if (const auto* pool = std::get_if<ServerPoolConfig>(&service.kind)) {
      for (const CallConfig& call : pool->calls) rate[call.to] += call.p * rate[service.name];
    } else if (const auto* cache = std::get_if<CacheConfig>(&service.kind)) {
      rate[cache->miss_to] += (1.0 - cache->hit_ratio) * rate[service.name];
    }
  }
  // ... and response times from callees back to callers.
  std::map<std::string, ServiceEstimate> estimates;
  std::map<std::string, double> response;
  for (const std::string& name : callees_first) {
    const ServiceConfig& service = *by_name.at(name);
    ServiceEstimate e;
    e.name = name;
    e.arrival_rate = rate[name];
    if (const auto* pool = std::get_if<ServerPoolConfig>(&service.kind)) {
      e.type = "server_pool";
      estimate_pool(*pool, response, e);
    } else if (const auto* cache = std::get_if<CacheConfig>(&service.kind)) {
      e.type = "cache";
      estimate_cache(*cache, response, e);
    } else if (const auto* db = std::get_if<DatabaseConfig>(&service.kind)) {
      e.type = "database";
      estimate_database(*db, e);
    } else {
      e.type = "payment_gateway";
      estimate_gateway(std::get<PaymentGatewayConfig>(service.kind), e);
    }
    // A worker that waits on a saturated callee waits forever, too.
    e.saturated = e.saturated || std::isinf(e.mean_response);
    response[name] = e.mean_response;
    estimates[name] = e;
  }
  for (const ServiceConfig& service : scenario.services) {
    result.services.push_back(estimates.at(service.name));
  }
  return result;
}

}  // namespace surgesim::models
