#include "models/services/database.hpp"

#include <algorithm>

namespace surgesim::models {

Database::Database(const ServiceConfig& config, ServiceContext context,
                   sim::RandomStream query_stream)
    : Service(config.name, context),
      config_(std::get<DatabaseConfig>(config.kind)),
      timeout_(config.timeout),
      query_stream_(query_stream),
      queue_(*context.requests) {
  schedule_outages(config.outages, kOutageStart, kOutageEnd, 0);
  const auto connections = static_cast<double>(config_.connections);
  stats_.record([&](ServiceStats& s) {
    s.available.set(0.0, connections);
    s.instances.set(0.0, 1.0);
  });
}

void Database::arrive(RequestId id) {
  stats_.record([](ServiceStats& s) { ++s.arrivals; });
  Request& r = requests()[id];
  r.arrival_t = sim().now();
  if (outages_ > 0) return refuse(id, Outcome::outage);
  if (timeout_) r.timeout = sim().after(*timeout_, this, kTimeout, id);
  if (busy_ < config_.connections) return start(id);
  r.state = Request::State::waiting;
  if (config_.pool_timeout) r.work = sim().after(*config_.pool_timeout, this, kPoolTimeout, id);
  queue_.push_back(id);
  set_levels();
}

void Database::start(RequestId id) {
  Request& r = requests()[id];
  sim().cancel(r.work);  // the pool timeout
  r.state = Request::State::in_service;
  const std::uint64_t others = busy_;
  ++busy_;
  set_levels();
  record_start(r);
  double stretch = 1.0;
  if (config_.contention && others > config_.contention->above) {
    stretch +=
        config_.contention->slowdown * static_cast<double>(others - config_.contention->above);
  }
  r.work = sim().after(config_.query.sample(query_stream_) * stretch, this, kQueryDone, id);
  notify_start(id);
}

void Database::on_event(std::uint32_t tag, std::uint32_t arg) {
  switch (tag) {
    case kQueryDone:
      requests()[arg].work = {};
      query_done(arg);
      break;
    case kTimeout: {
      Request& r = requests()[arg];
      r.timeout = {};
      if (r.state == Request::State::waiting) {
        leave_queue(arg, Outcome::timeout);
      } else {
        respond(arg, Outcome::timeout);  // the query runs on, holding its connection
      }
      break;
    }
    case kPoolTimeout:
      requests()[arg].work = {};
      leave_queue(arg, Outcome::pool_timeout);
      break;
    case kOutageStart:
      ++outages_;
      while (!queue_.empty()) leave_queue(queue_.front(), Outcome::outage);
      break;
    case kOutageEnd:
      --outages_;
      break;
  }
}

void Database::query_done(RequestId id) {
  pass_worker(busy_, queue_, [this](RequestId next) { start(next); });
  end_request(id, Outcome::success);
}

void Database::leave_queue(RequestId id, Outcome outcome) {
  Request& r = requests()[id];
  sim().cancel(r.timeout);
  sim().cancel(r.work);
  queue_.remove(id);
  set_levels();
  respond(id, outcome);
  requests().release(id);
}

void Database::withdraw(RequestId id) {
  Request& r = requests()[id];
  sim().cancel(r.timeout);
  if (r.state == Request::State::waiting) sim().cancel(r.work);  // the pool timeout
  give_up(id, queue_);
  set_levels();
}

void Database::set_levels() {
  Service::set_levels(busy_, queue_.size());
}

}  // namespace surgesim::models
