#include "models/analysis/analytic_estimate.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

#include "models/analysis/call_graph.hpp"
#include "models/sessions/journey_chain.hpp"
#include "models/sessions/traffic_rate.hpp"
#include "sim/queueing_theory.hpp"

namespace surgesim::models {

AnalyticEstimate estimate(const Scenario& scenario) {
  const RateFunction::Peak peak =
      RateFunction(scenario.traffic).peak_at(scenario.run_from(), scenario.run_to());
  AnalyticEstimate result = estimate_at(scenario, peak.rate);
  result.session_rate_t = peak.t;
  return result;
}

namespace {

AnalyticEstimate estimate_services(const Scenario& scenario, double session_rate) {
  AnalyticEstimate result;
  result.session_rate = session_rate;
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

  // Rates flow from callers to callees, each capped by its rate limit: in steady state a
  // token bucket admits min(lambda, rate) and refuses the rest at once...
  std::map<std::string, double> refused;
  for (auto it = callees_first.rbegin(); it != callees_first.rend(); ++it) {
    const ServiceConfig& service = *by_name.at(*it);
    if (service.rate_limit && rate[service.name] > service.rate_limit->rate) {
      refused[service.name] = rate[service.name] - service.rate_limit->rate;
      rate[service.name] = service.rate_limit->rate;
    }
    for (const Callee& callee : callees(service)) {
      rate[callee.to] += callee.p * rate[service.name];
    }
  }
  // ... and response times from callees back to callers.
  std::map<std::string, ServiceEstimate> estimates;
  ResponseTimes response;
  for (const std::string& name : callees_first) {
    const ServiceConfig& service = *by_name.at(name);
    ServiceEstimate e;
    e.name = name;
    e.arrival_rate = rate[name];
    e.rate_limited = refused[name];
    estimate_service(service, response, e);
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

}  // namespace

AnalyticEstimate estimate_at(const Scenario& scenario, double session_rate) {
  AnalyticEstimate result = estimate_services(scenario, session_rate);
  if (!scenario.waiting_room) return result;
  WaitingRoomEstimate room = estimate_waiting_room(scenario, result, session_rate);
  // The shop sees only the sessions the room admits: one more pass at that rate (session
  // lengths hardly change with the services' load once the room keeps it down).
  if (room.admitted_rate < session_rate) {
    result = estimate_services(scenario, room.admitted_rate);
    result.session_rate = session_rate;
    room = estimate_waiting_room(scenario, result, session_rate);
  }
  result.waiting_room = room;
  return result;
}

}  // namespace surgesim::models
