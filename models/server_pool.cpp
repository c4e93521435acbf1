#include "models/server_pool.hpp"

namespace surgesim::models {

ServerPool::ServerPool(const ServiceConfig& config, ServiceContext context,
                       sim::RandomStream service_stream)
    : Service(config.name, context),
      config_(std::get<ServerPoolConfig>(config.kind)),
      timeout_(config.timeout),
      service_stream_(service_stream),
      capacity_(static_cast<std::uint64_t>(config_.instances) *
                static_cast<std::uint64_t>(config_.workers)),
      queue_(*context.requests) {
  stats_.available.set(0.0, static_cast<double>(capacity_));
  stats_.instances.set(0.0, config_.instances);
}

void ServerPool::arrive(RequestId id) {
  ++stats_.arrivals;
  Request& r = requests()[id];
  r.arrival_t = sim().now();
  if (busy_ < capacity_) {
    if (timeout_) r.timeout = sim().after(*timeout_, this, kTimeout, id);
    start(id);
    return;
  }
  if (config_.queue && queue_.size() >= *config_.queue) {
    ++stats_.rejected;
    sink().on_response(id, Outcome::rejected);
    requests().release(id);
    return;
  }
  if (timeout_) r.timeout = sim().after(*timeout_, this, kTimeout, id);
  r.state = Request::State::waiting;
  queue_.push_back(id);
  stats_.queue.set(sim().now(), static_cast<double>(queue_.size()));
}

void ServerPool::start(RequestId id) {
  Request& r = requests()[id];
  r.state = Request::State::in_service;
  ++busy_;
  stats_.busy.set(sim().now(), static_cast<double>(busy_));
  ++stats_.started;
  const Time wait = sim().now() - r.arrival_t;
  if (wait > 0.0) ++stats_.waited;
  stats_.wait.add(wait);
  sim().after(config_.service.sample(service_stream_), this, kServiceDone, id);
  sink().on_service_start(id);
}

void ServerPool::on_event(std::uint32_t tag, std::uint32_t arg) {
  if (tag == kServiceDone) {
    finish(arg);
  } else {
    time_out(arg);
  }
}

void ServerPool::finish(RequestId id) {
  Request& r = requests()[id];
  sim().cancel(r.timeout);
  // Free the worker and hand it to the head of the queue before answering, so a new
  // request sent in reaction to this answer cannot jump the queue.
  --busy_;
  stats_.busy.set(sim().now(), static_cast<double>(busy_));
  if (!queue_.empty()) {
    const RequestId next = queue_.pop_front();
    stats_.queue.set(sim().now(), static_cast<double>(queue_.size()));
    start(next);
  }
  if (r.orphaned) {
    ++stats_.wasted;
  } else if (!r.answered) {
    const Time response = sim().now() - r.arrival_t;
    ++stats_.completed;
    stats_.response.add(response);
    stats_.response_quantiles.add(response);
    sink().on_response(id, Outcome::success);
  }
  requests().release(id);
}

void ServerPool::time_out(RequestId id) {
  Request& r = requests()[id];
  r.timeout = {};
  ++stats_.timeouts;
  if (r.state == Request::State::waiting) {
    leave_queue(id);
    sink().on_response(id, Outcome::timeout);
    requests().release(id);
    return;
  }
  // In service: the caller hears `timeout` now, the worker stays busy until the work
  // ends (a server does not notice that its client stopped listening).
  r.answered = true;
  sink().on_response(id, Outcome::timeout);
}

void ServerPool::withdraw(RequestId id) {
  Request& r = requests()[id];
  sim().cancel(r.timeout);
  if (r.state == Request::State::waiting) {
    ++stats_.abandoned;
    leave_queue(id);
    requests().release(id);
  } else {
    r.orphaned = true;
  }
}

void ServerPool::leave_queue(RequestId id) {
  queue_.remove(id);
  stats_.queue.set(sim().now(), static_cast<double>(queue_.size()));
}

}  // namespace surgesim::models
