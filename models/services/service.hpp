#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/services/dependency.hpp"
#include "models/services/request.hpp"
#include "models/services/service_stats.hpp"
#include "models/services/service_type.hpp"
#include "models/services/token_bucket.hpp"
#include "models/services/windowed.hpp"
#include "sim/simulator.hpp"

namespace surgesim::models {

// Who hears back about page requests (the shoppers): told when a request's own work
// starts (patience that covers only the queue stops there) and when its response
// goes out.
class ResponseSink {
 public:
  virtual void on_service_start(RequestId id) = 0;
  // `response`: the time since the request reached the service with its quantile-sketch
  // key (default accuracy). A page request reaches its service the moment it is sent, so
  // this is also the page's response time, and the shopper's statistics reuse the key.
  virtual void on_response(RequestId id, Outcome outcome, sim::QuantileSketch::Key response) = 0;
  // A hint (see sim::EventTarget::prefetch): a response for a page request of `session`
  // is probably a few events away. Must change nothing; `session` may be stale or out of
  // range.
  virtual void expect_response(std::uint32_t session) const { (void)session; }
  // Whether on_service_start has anything to do; when not, the services skip the call
  // (one per page request).
  bool hears_starts() const { return hears_starts_; }

 protected:
  ~ResponseSink() = default;
  bool hears_starts_ = true;
};

class Service;

// What every service is built with: the clock, the request pool, the shoppers, and
// the other services (for downstream calls), indexed like scenario.services.
struct ServiceContext {
  sim::Simulator* sim;
  RequestPool* requests;
  ResponseSink* sink;
  const std::vector<std::unique_ptr<Service>>* services;
  const std::vector<ServiceConfig>* configs;  // for resolving names to indices
  std::uint32_t index;                        // this service's index
  std::uint64_t seed = 0;                     // of the random streams "service.NAME.*"
  std::uint64_t replication = 0;
};

// A node of the call graph. A service owns a request from `arrive` until it is done
// with it (answered and, if it was in service, its work finished) and then releases it.
// What every type shares happens here, in one place: counting arrivals and the rate
// limit in `arrive` (each type's own handling starts in `admit`), and downstream calls
// with their options — retries, optional calls, breakers — in `call` (the type hears
// how the call ended in `on_call_done`).
//
// Rules that keep re-entrancy safe: a service may answer synchronously inside
// `arrive` (rejected, outage), so handing a request to another service or answering
// is always the last thing a member function does with that request.
class Service : public sim::EventTarget {
 public:
  Service(const ServiceConfig& config, ServiceContext context);
  virtual ~Service() = default;
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  const std::string& name() const { return name_; }
  std::uint32_t index() const { return ctx_.index; }
  Windowed<ServiceStats>& stats() { return stats_; }
  const Windowed<ServiceStats>& stats() const { return stats_; }
  virtual double cost_per_instance_hour() const { return 0.0; }

  // A request reaches the service: it is counted and time-stamped, and the rate limit
  // (when there is one) answers it at once with `rejected` if it finds no token.
  void arrive(RequestId id);
  // The shopper gave up: a waiting request leaves the queue; one in service runs on
  // (its downstream calls included) and its result is wasted.
  virtual void withdraw(RequestId id) = 0;
  // An attempt of a downstream call made by request `parent` of this service was
  // answered: its breaker hears of it, a failure is retried as the call's options say,
  // and how the call ended goes to on_call_done.
  void on_callee_response(RequestId parent, RequestId callee, Outcome outcome);

  // Marks a request and its downstream calls as working for a shopper who left.
  void orphan(RequestId id);

 protected:
  // The type's own handling of an arrival that passed the rate limit.
  virtual void admit(RequestId id) = 0;

  sim::Simulator& sim() { return *ctx_.sim; }
  RequestPool& requests() { return *ctx_.requests; }
  Service& service(std::uint32_t index) { return *(*ctx_.services)[index]; }

  // Counts the response and sends it to whoever waits for it (the shopper or the
  // calling request). A success for a shopper who left counts as wasted, and still
  // reaches a calling request so that it runs to completion. A failure is blamed on
  // this service unless a callee's failure caused it. Does not release the request.
  void respond(RequestId id, Outcome outcome) { respond(id, requests()[id], outcome); }
  // The same with the request at hand (`r` is requests()[id]; the pool never moves it).
  void respond(RequestId id, Request& r, Outcome outcome);
  // A hint for EventTarget::prefetch: request `id` (an event's argument, so possibly
  // released since) is about to answer, and its shopper is told. Every request of a call
  // chain works for the same session; a callee's answer reaches the shopper at once when
  // its callers have nothing left to do, as after a cache hit, the usual last step.
  void expect_response(RequestId id) const {
    if (id < ctx_.requests->slots()) ctx_.sink->expect_response((*ctx_.requests)[id].session);
  }
  // Tells the shopper that the page request's own work started.
  void notify_start(RequestId id) {
    if (ctx_.sink->hears_starts()) tell_start(id);
  }
  // Makes call `d` (an index into the type's callees, in the order they are written)
  // for request `parent`: each attempt is a request of its own at the callee, unless the
  // breaker refuses it (`error` at once, blamed on the callee, not retried); a failure
  // other than a decline is retried after the backoff while retries are left. The
  // caller holds whatever it holds (a pool its worker) through backoffs and retries.
  void call(RequestId parent, std::uint32_t d);
  // How a call of `parent` ended: success, also when an optional call failed (the request
  // is then degraded); or the failure that fails the request, `parent`'s blame set.
  virtual void on_call_done(RequestId parent, Outcome outcome);
  const Dependency& dependency(std::uint32_t d) const { return dependencies_[d]; }
  std::size_t dependency_count() const { return dependencies_.size(); }
  // The request that waits on a call dies (its instance went down): the attempt in flight
  // works on and its answer goes nowhere; a retry waiting out its backoff is dropped.
  void abandon_call(RequestId parent);
  // The index of the service of that name (the loader checked that it exists).
  std::uint32_t index_of(const std::string& service_name) const;
  // Schedules (start_tag, arg) at each outage's start and (end_tag, arg) at its end.
  void schedule_outages(const std::vector<OutageConfig>& outages, std::uint32_t start_tag,
                        std::uint32_t end_tag, std::uint32_t arg);
  // The same for one outage. Called when the simulated span starts (now): an outage
  // that began before a window and lasts into it starts with the window, one over
  // before it is left out.
  void schedule_outage(const OutageConfig& outage, std::uint32_t start_tag, std::uint32_t end_tag,
                       std::uint32_t arg);
  // Answers a request that never started (outage, rejection) and lets it go.
  void refuse(RequestId id, Outcome outcome) {
    respond(id, outcome);
    requests().release(id);
  }
  // The request's work is over: answer unless an answer (a timeout) already went out,
  // and let it go.
  void end_request(RequestId id, Outcome outcome) { end_request(id, requests()[id], outcome); }
  void end_request(RequestId id, Request& r, Outcome outcome) {
    sim().cancel(r.timeout);
    if (!r.answered) respond(id, r, outcome);
    requests().release(id, r);
  }
  // Counts the start of a request's own work (and how long it waited).
  void record_start(const Request& r);
  // Records the busy workers and the queue length from now on.
  void set_levels(std::uint64_t busy, std::uint64_t waiting);
  // A worker is free: it goes to the head of `queue` (via `start`, which takes the worker
  // and records the levels) before anyone hears the answer of the request that had it,
  // so a reaction cannot jump the queue. The levels are recorded once: changes at one
  // moment leave the same time averages as the last one alone.
  template <class Start>
  void pass_worker(std::uint64_t& busy, RequestQueue& queue, Start&& start) {
    --busy;
    if (queue.empty()) {
      set_levels(busy, 0);
      return;
    }
    start(queue.pop_front());
  }
  // The shopper gave up on `id`: it leaves `queue` if it waits there (abandoned), or
  // runs on with its downstream calls and its result is wasted. Timers must be
  // cancelled by the caller.
  void give_up(RequestId id, RequestQueue& queue);
  Windowed<ServiceStats> stats_;

 private:
  friend class Dependency;  // a backoff is over: attempt_call
  void attempt_call(RequestId parent);
  void tell_start(RequestId id);
  void call_failed(RequestId parent, Outcome outcome, std::uint32_t blame, bool retry);

  std::string name_;
  ServiceContext ctx_;
  std::optional<TokenBucket> rate_limit_;
  std::vector<Dependency> dependencies_;  // built once: their addresses are event targets
};

// Every request passes through arrive and respond: defined here, inline, so that the
// flattened entry points of the service types and of the shoppers take them in.
inline void Service::arrive(RequestId id) {
  stats_.record([](ServiceStats& s) { ++s.arrivals; });
  Request& r = requests()[id];
  r.arrival_t = sim().now();
  if (rate_limit_ && !rate_limit_->take(r.arrival_t)) {
    stats_.record([](ServiceStats& s) { ++s.rate_limited; });
    return refuse(id, Outcome::rejected);
  }
  admit(id);
}

inline void Service::respond(RequestId id, Request& r, Outcome outcome) {
  r.answered = true;
  const Time response = sim().now() - r.arrival_t;
  const bool wasted = r.orphaned;
  const auto key = stats_.total().response_quantiles.key(response);
  stats_.record([&](ServiceStats& s) {
    switch (outcome) {
      case Outcome::success:
        if (wasted) {
          ++s.wasted;
          break;
        }
        ++s.completed;
        if (r.degraded) ++s.degraded;
        s.response.add(response);
        s.response_quantiles.add(key);
        break;
      case Outcome::rejected:
        ++s.rejected;
        break;
      case Outcome::timeout:
        ++s.timeouts;
        break;
      case Outcome::pool_timeout:
        ++s.errors;
        ++s.pool_timeouts;
        break;
      case Outcome::outage:
        ++s.errors;
        ++s.outages;
        break;
      case Outcome::error:
        ++s.errors;
        break;
      case Outcome::declined:
        ++s.declined;
        break;
    }
  });
  if (outcome != Outcome::success && r.blame == kNoService) r.blame = index();
  if (r.detached) return;
  if (r.parent == kNoRequest) {
    ctx_.sink->on_response(id, outcome, key);
  } else {
    service(requests()[r.parent].service).on_callee_response(r.parent, id, outcome);
  }
}

}  // namespace surgesim::models
