#include "models/services/cache.hpp"

#include <algorithm>

namespace surgesim::models {

Cache::Cache(const ServiceConfig& config, ServiceContext context, Streams streams)
    : Service(config.name, context),
      config_(std::get<CacheConfig>(config.kind)),
      timeout_(config.timeout),
      backend_(index_of(config_.miss_to)),
      streams_(streams),
      queue_(*context.requests) {
  std::sort(config_.cold.begin(), config_.cold.end(),
            [](const ColdStart& a, const ColdStart& b) { return a.at < b.at; });
  schedule_outages(config.outages, kOutageStart, kOutageEnd, 0);
  if (config_.workers) {
    const auto workers = static_cast<double>(*config_.workers);
    stats_.record([&](ServiceStats& s) { s.available.set(0.0, workers); });
  }
}

double Cache::hit_ratio(Time t) const {
  // The latest cold start before t decides; the list is short.
  double warm = 1.0;
  for (const ColdStart& c : config_.cold) {
    if (c.at > t) break;
    warm = c.warmup > 0.0 ? std::min(1.0, (t - c.at) / c.warmup) : 1.0;
  }
  return config_.hit_ratio * warm;
}

void Cache::arrive(RequestId id) {
  stats_.record([](ServiceStats& s) { ++s.arrivals; });
  Request& r = requests()[id];
  r.arrival_t = sim().now();
  if (timeout_) r.timeout = sim().after(*timeout_, this, kTimeout, id);
  if (outages_ > 0) {
    notify_start(id);
    return miss(id);
  }
  if (config_.workers && busy_ >= *config_.workers) {
    r.state = Request::State::waiting;
    queue_.push_back(id);
    set_levels();
    return;
  }
  start(id);
}

void Cache::start(RequestId id) {
  Request& r = requests()[id];
  r.state = Request::State::in_service;
  ++busy_;
  set_levels();
  record_start(r);
  r.work = sim().after(config_.hit.sample(streams_.lookup), this, kLookupDone, id);
  notify_start(id);
}

void Cache::on_event(std::uint32_t tag, std::uint32_t arg) {
  switch (tag) {
    case kLookupDone:
      requests()[arg].work = {};
      lookup_done(arg);
      break;
    case kTimeout:
      time_out(arg);
      break;
    case kOutageStart:
      ++outages_;
      break;
    case kOutageEnd:
      --outages_;
      break;
  }
}

void Cache::lookup_done(RequestId id) {
  pass_worker(busy_, queue_, [this](RequestId next) { start(next); });
  if (streams_.hits.uniform01() < hit_ratio(sim().now())) {
    stats_.record([](ServiceStats& s) { ++s.hits; });
    return end_request(id, Outcome::success);
  }
  miss(id);
}

void Cache::miss(RequestId id) {
  stats_.record([](ServiceStats& s) { ++s.misses; });
  call(id, backend_);
}

void Cache::on_callee_response(RequestId parent, RequestId callee, Outcome outcome) {
  Request& r = requests()[parent];
  r.child = kNoRequest;
  if (outcome != Outcome::success && r.blame == kNoService) r.blame = requests()[callee].blame;
  end_request(parent, outcome);
}

void Cache::time_out(RequestId id) {
  Request& r = requests()[id];
  r.timeout = {};
  if (r.state == Request::State::waiting) {
    queue_.remove(id);
    set_levels();
    respond(id, Outcome::timeout);
    requests().release(id);
    return;
  }
  respond(id, Outcome::timeout);  // the lookup (or the backend fetch) runs on
}

void Cache::withdraw(RequestId id) {
  sim().cancel(requests()[id].timeout);
  give_up(id, queue_);
  set_levels();
}

void Cache::set_levels() {
  Service::set_levels(busy_, queue_.size());
}

}  // namespace surgesim::models
