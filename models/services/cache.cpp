#include "models/services/cache.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "models/limits.hpp"
#include "models/services/service.hpp"
#include "models/services/service_estimate.hpp"
#include "models/services/service_types.hpp"
#include "models/yaml/yaml_node.hpp"

namespace surgesim::models {
namespace {

// Every lookup takes the hit time holding one of `workers` (FCFS when all are busy); a
// hit answers, a miss then calls the backend and the backend's response time is added.
// The worker is free again once the lookup is done: the backend fetch does not occupy
// the cache. After a cold start the hit ratio is 0 and climbs back linearly; during an
// outage every lookup, new or in progress, misses at once (the stampede reaches the
// backend).
class Cache final : public Service {
 public:
  struct Streams {
    sim::RandomStream lookup;  // lookup times
    sim::RandomStream hits;    // hit or miss
  };

  Cache(const ServiceConfig& config, const ServiceContext& context, Streams streams);

  void withdraw(RequestId id) override;
  // Flattened, as ServerPool's: a request's path inlines the helpers it passes.
  [[gnu::flatten]] void on_event(std::uint32_t tag, std::uint32_t arg) override;
  // A lookup mostly hits and answers at once (see Service::expect_response).
  void prefetch(std::uint32_t tag, std::uint32_t arg) const override {
    if (tag == kLookupDone) expect_response(arg);
  }

 private:
  [[gnu::flatten]] void admit(RequestId id) override;
  void on_call_done(RequestId parent, Outcome outcome) override;

  enum Tag : std::uint32_t { kLookupDone, kTimeout, kOutageStart, kOutageEnd };

  // The hit ratio at time t, cold starts included.
  double hit_ratio(Time t) const;
  void start(RequestId id);
  void lookup_done(RequestId id);
  void miss(RequestId id);
  void miss_all();
  void time_out(RequestId id);
  void set_levels();

  CacheConfig config_;
  std::optional<Time> timeout_;
  Streams streams_;
  std::uint32_t outages_ = 0;  // in progress
  std::uint64_t busy_ = 0;
  RequestQueue queue_;
  RequestQueue looking_up_;  // holding a worker
};

Cache::Cache(const ServiceConfig& config, const ServiceContext& context, Streams streams)
    : Service(config, context),
      config_(std::get<CacheConfig>(config.type)),
      timeout_(config.timeout),
      streams_(streams),
      queue_(*context.requests),
      looking_up_(*context.requests) {
  std::sort(config_.cold.begin(), config_.cold.end(),
            [](const ColdStart& a, const ColdStart& b) { return a.at < b.at; });
  schedule_outages(config.outages, kOutageStart, kOutageEnd, 0);
  if (config_.workers) {
    const auto workers = static_cast<double>(*config_.workers);
    stats_.record([&](ServiceStats& s) { s.available.set(sim().now(), workers); });
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

void Cache::admit(RequestId id) {
  Request& r = requests()[id];
  if (timeout_) r.timeout = sim().timer(*timeout_, this, kTimeout, id);
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
  looking_up_.push_back(id);
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
      miss_all();
      break;
    case kOutageEnd:
      --outages_;
      break;
  }
}

// The queue first, so that no worker freed below starts a lookup.
void Cache::miss_all() {
  while (!queue_.empty()) {
    const RequestId id = queue_.pop_front();
    requests()[id].state = Request::State::in_service;
    set_levels();
    notify_start(id);
    miss(id);
  }
  while (!looking_up_.empty()) {
    const RequestId id = looking_up_.pop_front();
    sim().cancel(requests()[id].work);
    --busy_;
    set_levels();
    miss(id);
  }
}

void Cache::lookup_done(RequestId id) {
  looking_up_.remove(id);
  pass_worker(busy_, queue_, [this](RequestId next) { start(next); });
  if (streams_.hits.uniform01() < hit_ratio(sim().now())) {
    stats_.record([](ServiceStats& s) { ++s.hits; });
    return end_request(id, Outcome::success);
  }
  miss(id);
}

void Cache::miss(RequestId id) {
  stats_.record([](ServiceStats& s) { ++s.misses; });
  call(id, 0);  // the miss is the cache's only callee
}

void Cache::on_call_done(RequestId parent, Outcome outcome) {
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

}  // namespace

std::vector<std::string> CacheType::keys() {
  return {"hit_ratio", "hit", "miss", "workers", "cold"};
}

namespace {

std::vector<ColdStart> read_cold(const YamlNode& node) {
  check_count(node, limits::kOutages, "cold starts", "merge cold starts that overlap");
  std::vector<ColdStart> cold;
  for (const YamlNode& item : read_list(node)) {
    if (!item.is_map()) item.expected("a cold start: a map with 'at' and 'warmup'");
    const YamlMap m(item, {"at", "warmup"});
    ColdStart c;
    c.at = m.required("at").as_time_point();
    c.warmup = read_positive_duration(m.required("warmup"), "a warm-up");
    cold.push_back(c);
  }
  return cold;
}

}  // namespace

CacheConfig CacheType::read(const YamlMap& m) {
  CacheConfig cache;
  cache.hit_ratio = m.required("hit_ratio").as_probability();
  cache.hit = m.required("hit").as_distribution();
  const YamlNode miss = m.required("miss");
  if (!miss.is_map()) miss.expected("a map with 'to' (the service a miss goes to)");
  std::vector<std::string> miss_keys = {"to"};
  const std::vector<std::string> options = call_option_keys();
  miss_keys.insert(miss_keys.end(), options.begin(), options.end());
  const YamlMap miss_map(miss, miss_keys);
  cache.miss_to = miss_map.required("to").as_name();
  cache.miss_options = read_call_options(miss_map);
  if (const auto n = m.get("workers")) {
    cache.workers = static_cast<std::uint64_t>(n->as_integer(1, kMaxWorkers));
  }
  if (const auto n = m.get("cold")) cache.cold = read_cold(*n);
  return cache;
}

std::unique_ptr<Service> CacheType::make(const ServiceConfig& service,
                                         const ServiceContext& context,
                                         const ServiceStreams& streams) {
  return std::make_unique<Cache>(service, context,
                                 Cache::Streams{streams("lookup"), streams("hits")});
}

std::vector<Callee> CacheType::callees(const CacheConfig& config) {
  return {
      {config.miss_to, 1.0 - config.hit_ratio, CalleeKind::miss, "miss.to", config.miss_options}};
}

std::string CacheType::size_label(const CacheConfig& config) {
  std::string size = fmt::format("cache {:.3g}% hits", 100.0 * config.hit_ratio);
  if (config.workers) size += fmt::format(", {} workers", *config.workers);
  return size;
}

void CacheType::estimate(const CacheConfig& config, const ResponseTimes& responses,
                         ServiceEstimate& e) {
  if (config.workers) {
    estimate_queue(e, static_cast<int>(*config.workers), config.hit.mean(), config.hit.scv());
    e.unit_workers = 1;
  } else {  // an infinite-server queue: nobody waits
    e.mean_service = config.hit.mean();
    e.offered_load = e.arrival_rate * e.mean_service;
    e.mean_response = e.mean_service;
  }
  const double miss = (1.0 - config.hit_ratio) * responses.at(config.miss_to);
  e.mean_response += miss;
  e.saturated = e.saturated || std::isinf(miss);
}

std::string CacheType::estimate_note(const CacheConfig&) {
  return "Caches at their configured hit ratio (cold starts ignored).";
}

}  // namespace surgesim::models
