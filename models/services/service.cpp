#include "models/services/service.hpp"

#include <algorithm>
#include <stdexcept>

#include "models/services/service_types.hpp"

namespace surgesim::models {

Service::Service(const ServiceConfig& config, ServiceContext context)
    : name_(config.name), ctx_(context) {
  if (config.rate_limit) rate_limit_.emplace(*config.rate_limit);
  const std::vector<Callee> edges = callees(config);
  dependencies_.reserve(edges.size());
  for (const Callee& edge : edges) {
    // "service.web.calls.0.retry", "service.cache.miss.retry": one jitter stream per edge.
    dependencies_.emplace_back(
        *this, index_of(edge.to), edge.p, edge.options,
        sim::RandomStream(context.seed, context.replication,
                          "service." + name_ + "." + edge.call() + ".retry"));
  }
}

void Service::tell_start(RequestId id) {
  const Request& r = requests()[id];
  if (r.parent == kNoRequest && !r.detached) ctx_.sink->on_service_start(id);
}

void Service::call(RequestId parent, std::uint32_t d) {
  Request& p = requests()[parent];
  p.dependency = static_cast<std::uint16_t>(d);
  p.attempt = 0;
  attempt_call(parent);
}

void Service::attempt_call(RequestId parent) {
  Request& p = requests()[parent];
  p.work = {};  // the backoff, if this is a retry, is over
  p.state = Request::State::calling;
  Dependency& d = dependencies_[p.dependency];
  bool trial = false;
  if (CircuitBreaker* breaker = d.breaker()) {
    switch (breaker->admit(sim().now())) {
      case CircuitBreaker::Admission::refuse:
        stats_.record([](ServiceStats& s) { ++s.short_circuited; });
        return call_failed(parent, Outcome::error, d.callee(), false);
      case CircuitBreaker::Admission::trial:
        trial = true;
        break;
      case CircuitBreaker::Admission::pass:
        break;
    }
  }
  const RequestId id = requests().acquire();
  Request& c = requests()[id];
  c.session = p.session;
  c.service = d.callee();
  c.parent = parent;
  c.orphaned = p.orphaned;
  c.trial = trial;
  p.child = id;
  service(d.callee()).arrive(id);
}

void Service::on_callee_response(RequestId parent, RequestId callee, Outcome outcome) {
  Request& p = requests()[parent];
  const Request& c = requests()[callee];
  p.child = kNoRequest;
  Dependency& d = dependencies_[p.dependency];
  if (CircuitBreaker* breaker = d.breaker()) {
    breaker->ended(sim().now(), outcome != Outcome::success && outcome != Outcome::declined,
                   c.trial);
  }
  if (outcome == Outcome::success) return on_call_done(parent, Outcome::success);
  call_failed(parent, outcome, c.blame, outcome != Outcome::declined);
}

void Service::call_failed(RequestId parent, Outcome outcome, std::uint32_t blame, bool retry) {
  Request& p = requests()[parent];
  Dependency& d = dependencies_[p.dependency];
  if (retry && p.attempt < d.retry().max) {
    const Time wait = d.backoff(p.attempt);
    ++p.attempt;
    p.work = sim().after(wait, &d, 0, parent);
    return;
  }
  if (d.optional()) {
    p.degraded = true;
    return on_call_done(parent, Outcome::success);
  }
  if (p.blame == kNoService) p.blame = blame;
  on_call_done(parent, outcome);
}

void Service::abandon_call(RequestId parent) {
  Request& p = requests()[parent];
  sim().cancel(p.work);
  if (p.child == kNoRequest) return;
  Request& c = requests()[p.child];
  c.detached = true;
  if (c.trial) {
    dependencies_[p.dependency].breaker()->trial_lost();
    c.trial = false;
  }
  p.child = kNoRequest;
}

std::uint32_t Service::index_of(const std::string& service_name) const {
  const auto& configs = *ctx_.configs;
  for (std::size_t i = 0; i < configs.size(); ++i) {
    if (configs[i].name == service_name) return static_cast<std::uint32_t>(i);
  }
  throw std::logic_error("no service named '" + service_name + "'");
}

void Service::schedule_outages(const std::vector<OutageConfig>& outages, std::uint32_t start_tag,
                               std::uint32_t end_tag, std::uint32_t arg) {
  for (const OutageConfig& o : outages) schedule_outage(o, start_tag, end_tag, arg);
}

void Service::schedule_outage(const OutageConfig& outage, std::uint32_t start_tag,
                              std::uint32_t end_tag, std::uint32_t arg) {
  const Time now = sim().now();
  const Time end = outage.at + outage.duration;
  if (end <= now) return;
  sim().at(std::max(outage.at, now), this, start_tag, arg);
  sim().at(end, this, end_tag, arg);
}

void Service::record_start(const Request& r) {
  const Time wait = sim().now() - r.arrival_t;
  stats_.record([&](ServiceStats& s) {
    ++s.started;
    if (wait > 0.0) ++s.waited;
    s.wait.add(wait);
  });
}

void Service::set_levels(std::uint64_t busy, std::uint64_t waiting) {
  const Time now = sim().now();
  stats_.record([&](ServiceStats& s) {
    s.busy.set(now, static_cast<double>(busy));
    s.queue.set(now, static_cast<double>(waiting));
  });
}

void Service::give_up(RequestId id, RequestQueue& queue) {
  Request& r = requests()[id];
  r.detached = true;
  if (r.state != Request::State::waiting) {
    orphan(id);
    return;
  }
  stats_.record([](ServiceStats& s) { ++s.abandoned; });
  queue.remove(id);
  requests().release(id);
}

void Service::on_call_done(RequestId, Outcome) {
  throw std::logic_error("service '" + name() + "' makes no downstream calls");
}

void Service::orphan(RequestId id) {
  for (RequestId r = id; r != kNoRequest; r = requests()[r].child) requests()[r].orphaned = true;
}

}  // namespace surgesim::models
