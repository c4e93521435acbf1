#include "models/services/server_pool.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

#include "models/services/service.hpp"
#include "models/services/service_types.hpp"
#include "sim/time_weighted.hpp"

namespace surgesim::models {
namespace {

// instances x workers behind one load balancer with a single FCFS queue, so with
// exponential service and no calls it is exactly an M/M/c (M/M/c/K with a bounded
// queue). After its own work a request makes its downstream `calls` in order while
// still holding its worker, so a slow database exhausts the web workers above it.
// Instances can go down (outages, crashes: the requests running on them fail) and
// come and go with the autoscaler.
class ServerPool final : public Service {
 public:
  struct Streams {
    sim::RandomStream service;  // own work
    sim::RandomStream calls;    // which calls are made (p < 1)
    sim::RandomStream crashes;  // times to failure and repair
  };
  ServerPool(const ServiceConfig& config, const ServiceContext& context, Streams streams);

  void withdraw(RequestId id) override;
  // A request's path through the pool starts in admit and on_event: flattened, the
  // helpers it passes (start, next_call, free_worker, serve_queue, ...) are inlined
  // into them, fewer function entries and exits than GCC's own limits leave.
  [[gnu::flatten]] void on_event(std::uint32_t tag, std::uint32_t arg) override;
  // Work that ends with no call to make answers at once: its shopper may fetch ahead.
  void prefetch(std::uint32_t tag, std::uint32_t arg) const override {
    if (tag == kWorkDone && dependency_count() == 0) expect_response(arg);
  }
  double cost_per_instance_hour() const override { return config_.cost_per_instance_hour; }

 private:
  [[gnu::flatten]] void admit(RequestId id) override;
  void on_call_done(RequestId parent, Outcome outcome) override;

  enum Tag : std::uint32_t {
    kWorkDone,
    kTimeout,
    kOutageStart,
    kOutageEnd,
    kCrash,
    kRepair,
    kBooted,
    kAutoscale
  };
  static constexpr std::uint32_t kNoInstance = 0xffffffffu;

  struct Instance {
    std::uint32_t busy = 0;
    std::uint32_t outages = 0;  // outages holding it down (they may overlap)
    bool provisioned = false;   // paid for: booting, serving, down or draining
    bool booting = false;
    bool crashed = false;
    bool draining = false;  // scaled in: finishes its requests, takes no new ones
    // None of the above holds it down: kept by refresh() after each change of them, as
    // every arrival and every finished request asks.
    bool up = false;
    bool in_free_list = false;
    sim::EventHandle crash;  // next failure (or repair while crashed)
    sim::EventHandle boot;
  };

  bool accepting(std::uint32_t i) const { return pool_outages_ == 0 && instances_[i].up; }
  static void refresh(Instance& in);
  std::uint32_t pick_instance();
  // The request's own slot comes along (`r` is requests()[id]) so that the path of a
  // request through the pool looks it up once.
  void start(RequestId id, Request& r, std::uint32_t instance);
  void next_call(RequestId id, Request& r);
  void finish(RequestId id, Request& r, Outcome outcome);
  void free_worker(RequestId id, const Request& r);
  bool serve_queue();
  void time_out(RequestId id);
  void leave_queue(RequestId id);

  void take_down(std::uint32_t instance, Outcome cause);
  void bring_up(std::uint32_t instance);
  void fail_running(std::uint32_t instance, Outcome cause);
  void start_outage(std::uint32_t outage);
  void end_outage(std::uint32_t outage);
  void crash(std::uint32_t instance);
  void repair(std::uint32_t instance);
  void provision(std::uint32_t instance);
  void deprovision(std::uint32_t instance);
  void autoscale();
  void capacity_changed();
  void set_busy();
  void set_queue();

  ServerPoolConfig config_;
  std::vector<OutageConfig> outages_;
  std::optional<Time> timeout_;
  Streams streams_;
  std::vector<Instance> instances_;
  // Who runs on each instance, for failing them when it goes down; kept only when
  // instances can go down (outages, crashes): nothing else reads it.
  bool instances_fail_;
  std::vector<RequestQueue> running_;
  std::vector<std::uint32_t> free_list_;  // instances that may have a free worker
  std::vector<std::vector<std::uint32_t>> outage_instances_;  // who each outage took down
  std::uint32_t pool_outages_ = 0;                            // whole-pool outages in progress
  std::uint64_t busy_ = 0;
  RequestQueue queue_;
  // Busy workers since the last autoscale check.
  sim::TimeWeighted scale_busy_;
  Time last_scale_change_ = -sim::kForever;
};

ServerPool::ServerPool(const ServiceConfig& config, const ServiceContext& context, Streams streams)
    : Service(config, context),
      config_(std::get<ServerPoolConfig>(config.type)),
      outages_(config.outages),
      timeout_(config.timeout),
      streams_(streams),
      instances_fail_(!outages_.empty() || config_.crashes),
      queue_(*context.requests) {
  const int slots =
      config_.autoscale ? std::max(config_.instances, config_.autoscale->max) : config_.instances;
  instances_.resize(static_cast<std::size_t>(slots));
  running_.assign(instances_.size(), RequestQueue(*context.requests));
  free_list_.reserve(instances_.size());
  outage_instances_.resize(outages_.size());
  for (std::uint32_t i = 0; i < static_cast<std::uint32_t>(config_.instances); ++i) {
    provision(i);
    instances_[i].booting = false;
    refresh(instances_[i]);
    bring_up(i);
  }
  capacity_changed();
  for (std::uint32_t o = 0; o < outages_.size(); ++o) {
    schedule_outage(outages_[o], kOutageStart, kOutageEnd, o);
  }
  if (config_.autoscale) sim().after(config_.autoscale->interval, this, kAutoscale);
}

void ServerPool::refresh(Instance& in) {
  in.up = in.provisioned && !in.booting && !in.crashed && in.outages == 0 && !in.draining;
}

// The most recently freed instance with a free worker; entries that went down or
// filled up since they were pushed are dropped on the way.
std::uint32_t ServerPool::pick_instance() {
  const auto workers = static_cast<std::uint32_t>(config_.workers);
  while (!free_list_.empty()) {
    const std::uint32_t i = free_list_.back();
    if (accepting(i) && instances_[i].busy < workers) return i;
    free_list_.pop_back();
    instances_[i].in_free_list = false;
  }
  return kNoInstance;
}

void ServerPool::admit(RequestId id) {
  Request& r = requests()[id];
  if (pool_outages_ > 0) return refuse(id, Outcome::outage);
  const std::uint32_t instance = pick_instance();
  if (instance == kNoInstance && config_.queue && queue_.size() >= *config_.queue) {
    return refuse(id, Outcome::rejected);
  }
  if (timeout_) r.timeout = sim().timer(*timeout_, this, kTimeout, id);
  if (instance != kNoInstance) {
    start(id, r, instance);
    set_busy();
    return;
  }
  r.state = Request::State::waiting;
  queue_.push_back(id);
  set_queue();
}

// The caller records the busy level, once for all the starts of the moment.
void ServerPool::start(RequestId id, Request& r, std::uint32_t instance) {
  r.state = Request::State::in_service;
  r.slot = instance;
  r.step = 0;
  ++instances_[instance].busy;
  ++busy_;
  if (instances_fail_) running_[instance].push_back(id);
  record_start(r);
  r.work = sim().after(config_.service.sample(streams_.service), this, kWorkDone, id);
  notify_start(id);
}

void ServerPool::on_event(std::uint32_t tag, std::uint32_t arg) {
  switch (tag) {
    case kWorkDone: {
      Request& r = requests()[arg];
      r.work = {};
      next_call(arg, r);
      break;
    }
    case kTimeout:
      time_out(arg);
      break;
    case kOutageStart:
      start_outage(arg);
      break;
    case kOutageEnd:
      end_outage(arg);
      break;
    case kCrash:
      crash(arg);
      break;
    case kRepair:
      repair(arg);
      break;
    case kBooted:
      instances_[arg].boot = {};
      instances_[arg].booting = false;
      refresh(instances_[arg]);
      bring_up(arg);
      capacity_changed();
      break;
    case kAutoscale:
      autoscale();
      break;
  }
}

// Makes the next downstream call that its probability selects, or finishes.
void ServerPool::next_call(RequestId id, Request& r) {
  while (r.step < dependency_count()) {
    const std::uint32_t d = r.step++;
    const double p = dependency(d).p();
    if (p >= 1.0 || streams_.calls.uniform01() < p) {
      call(id, d);
      return;
    }
  }
  finish(id, r, Outcome::success);
}

void ServerPool::on_call_done(RequestId parent, Outcome outcome) {
  Request& r = requests()[parent];
  r.state = Request::State::in_service;
  if (outcome == Outcome::success) {
    next_call(parent, r);
    return;
  }
  finish(parent, r, outcome);
}

// The request's work ends: success after its calls, or the failure of a call.
void ServerPool::finish(RequestId id, Request& r, Outcome outcome) {
  free_worker(id, r);
  end_request(id, r, outcome);
}

// Frees the worker and hands it to the head of the queue before anyone hears the
// answer, so that a request sent in reaction to it cannot jump the queue.
void ServerPool::free_worker(RequestId id, const Request& r) {
  const std::uint32_t i = r.slot;
  Instance& in = instances_[i];
  if (instances_fail_) running_[i].remove(id);
  --in.busy;
  --busy_;
  if (in.draining && in.busy == 0) {
    deprovision(i);
    capacity_changed();
  } else if (accepting(i) && !in.in_free_list) {
    in.in_free_list = true;
    free_list_.push_back(i);
  }
  if (!serve_queue()) set_busy();
}

// Starts waiting requests while workers are free; returns whether it started any. The
// levels are recorded once, after the last start: several changes at one moment leave
// the same time averages as the last one alone.
bool ServerPool::serve_queue() {
  bool started = false;
  while (!queue_.empty()) {
    const std::uint32_t instance = pick_instance();
    if (instance == kNoInstance) break;
    const RequestId next = queue_.pop_front();
    start(next, requests()[next], instance);
    started = true;
  }
  if (started) {
    set_queue();
    set_busy();
  }
  return started;
}

void ServerPool::time_out(RequestId id) {
  Request& r = requests()[id];
  r.timeout = {};
  if (r.state == Request::State::waiting) {
    leave_queue(id);
    respond(id, Outcome::timeout);
    requests().release(id);
    return;
  }
  // In service or waiting for a callee: the caller hears `timeout` now, the worker
  // stays busy until the work and its calls end (a server does not notice that its
  // client stopped listening).
  respond(id, Outcome::timeout);
}

void ServerPool::withdraw(RequestId id) {
  sim().cancel(requests()[id].timeout);
  give_up(id, queue_);
  set_queue();
}

void ServerPool::leave_queue(RequestId id) {
  queue_.remove(id);
  set_queue();
}

// --- instances going down and coming back -------------------------------------------

void ServerPool::fail_running(std::uint32_t instance, Outcome cause) {
  while (!running_[instance].empty()) {
    const RequestId id = running_[instance].front();
    Request& r = requests()[id];
    sim().cancel(r.work);
    abandon_call(id);  // the callee works on, but its answer has nobody to go to
    finish(id, r, cause);
  }
}

void ServerPool::take_down(std::uint32_t instance, Outcome cause) {
  fail_running(instance, cause);
  capacity_changed();
}

void ServerPool::bring_up(std::uint32_t instance) {
  Instance& in = instances_[instance];
  if (!accepting(instance)) return;
  if (!in.in_free_list) {
    in.in_free_list = true;
    free_list_.push_back(instance);
  }
  serve_queue();
}

void ServerPool::start_outage(std::uint32_t o) {
  const OutageConfig& outage = outages_[o];
  if (outage.instances == 0) {
    ++pool_outages_;
    for (std::uint32_t i = 0; i < instances_.size(); ++i) fail_running(i, Outcome::outage);
    while (!queue_.empty()) {
      const RequestId id = queue_.pop_front();
      set_queue();
      sim().cancel(requests()[id].timeout);
      respond(id, Outcome::outage);
      requests().release(id);
    }
    capacity_changed();
    return;
  }
  // The first `instances` provisioned instances not already in an outage.
  std::vector<std::uint32_t>& taken = outage_instances_[o];
  for (std::uint32_t i = 0; i < instances_.size() && taken.size() < std::size_t(outage.instances);
       ++i) {
    if (!instances_[i].provisioned || instances_[i].outages > 0) continue;
    ++instances_[i].outages;
    refresh(instances_[i]);
    taken.push_back(i);
    take_down(i, Outcome::outage);
  }
}

void ServerPool::end_outage(std::uint32_t o) {
  if (outages_[o].instances == 0) {
    --pool_outages_;
    for (std::uint32_t i = 0; i < instances_.size(); ++i) bring_up(i);
  } else {
    for (const std::uint32_t i : outage_instances_[o]) {
      --instances_[i].outages;
      refresh(instances_[i]);
      bring_up(i);
    }
    outage_instances_[o].clear();
  }
  capacity_changed();
}

void ServerPool::crash(std::uint32_t i) {
  Instance& in = instances_[i];
  in.crash = {};
  in.crashed = true;
  refresh(in);
  in.crash = sim().after(streams_.crashes.exponential(config_.crashes->mttr), this, kRepair, i);
  take_down(i, Outcome::error);
}

void ServerPool::repair(std::uint32_t i) {
  Instance& in = instances_[i];
  in.crashed = false;
  refresh(in);
  in.crash = sim().after(streams_.crashes.exponential(config_.crashes->mtbf), this, kCrash, i);
  bring_up(i);
  capacity_changed();
}

// --- autoscaling ----------------------------------------------------------------------

void ServerPool::provision(std::uint32_t i) {
  Instance& in = instances_[i];
  in.provisioned = true;
  in.booting = true;
  in.crashed = false;
  in.draining = false;
  refresh(in);
  if (config_.crashes) {
    in.crash = sim().after(streams_.crashes.exponential(config_.crashes->mtbf), this, kCrash, i);
  }
}

void ServerPool::deprovision(std::uint32_t i) {
  Instance& in = instances_[i];
  sim().cancel(in.crash);
  sim().cancel(in.boot);
  in.provisioned = in.booting = in.crashed = in.draining = false;
  refresh(in);
}

// Every `interval`: ask for ceil(instances x utilisation / target) instances within
// [min, max]. New ones serve after `delay`; a scale-in waits `cooldown` after the last
// change and removes booting instances first, then idle ones, then drains busy ones.
void ServerPool::autoscale() {
  const AutoscaleConfig& a = *config_.autoscale;
  sim().after(a.interval, this, kAutoscale);
  const Time now = sim().now();
  // instances x utilisation over the serving instances = the mean busy workers over
  // the interval, in instances. Instances still booting count as idle (as Kubernetes'
  // pod autoscaler does): counting them as instances while their capacity is not yet
  // in the utilisation would multiply the request again at every check.
  const double busy_instances = scale_busy_.area(now) / (a.interval * config_.workers);
  scale_busy_.restart(now);

  int current = 0;
  for (const Instance& in : instances_) current += (in.provisioned && !in.draining) ? 1 : 0;
  const int wanted =
      std::clamp(static_cast<int>(std::ceil(busy_instances / a.target - 1e-9)), a.min, a.max);
  if (wanted > current) {
    int missing = wanted - current;
    for (std::uint32_t i = 0; i < instances_.size() && missing > 0; ++i) {
      Instance& in = instances_[i];
      if (in.provisioned && !in.draining) continue;
      --missing;
      if (in.draining) {  // still running: take it back at once
        in.draining = false;
        refresh(in);
        bring_up(i);
        continue;
      }
      provision(i);
      if (a.delay > 0.0) {
        in.boot = sim().after(a.delay, this, kBooted, i);
      } else {
        in.booting = false;
        refresh(in);
        bring_up(i);
      }
    }
    last_scale_change_ = now;
  } else if (wanted < current && now - last_scale_change_ >= a.cooldown) {
    int extra = current - wanted;
    const auto remove_where = [&](auto&& pick) {
      for (std::uint32_t i = static_cast<std::uint32_t>(instances_.size()); i-- > 0 && extra > 0;) {
        Instance& in = instances_[i];
        if (!in.provisioned || in.draining || !pick(in)) continue;
        --extra;
        if (in.busy == 0) {
          deprovision(i);
        } else {
          in.draining = true;
          refresh(in);
        }
      }
    };
    remove_where([](const Instance& in) { return in.booting; });
    remove_where([](const Instance& in) { return in.busy == 0; });
    remove_where([](const Instance&) { return true; });
    last_scale_change_ = now;
  }
  capacity_changed();
}

// --- statistics levels ------------------------------------------------------------------

void ServerPool::capacity_changed() {
  double serving = 0.0;
  double provisioned = 0.0;
  for (std::uint32_t i = 0; i < instances_.size(); ++i) {
    serving += accepting(i) ? 1.0 : 0.0;
    provisioned += instances_[i].provisioned ? 1.0 : 0.0;
  }
  const Time now = sim().now();
  const double available = serving * config_.workers;
  stats_.record([&](ServiceStats& s) {
    s.available.set(now, available);
    s.instances.set(now, serving);
    s.provisioned.set(now, provisioned);
  });
}

void ServerPool::set_busy() {
  const Time now = sim().now();
  const auto busy = static_cast<double>(busy_);
  stats_.record([&](ServiceStats& s) { s.busy.set(now, busy); });
  if (config_.autoscale) scale_busy_.set(now, busy);
}

void ServerPool::set_queue() {
  const Time now = sim().now();
  const auto waiting = static_cast<double>(queue_.size());
  stats_.record([&](ServiceStats& s) { s.queue.set(now, waiting); });
}

}  // namespace

std::unique_ptr<Service> ServerPoolType::make(const ServiceConfig& service,
                                              const ServiceContext& context,
                                              const ServiceStreams& streams) {
  return std::make_unique<ServerPool>(
      service, context,
      ServerPool::Streams{streams("service"), streams("calls"), streams("crashes")});
}

}  // namespace surgesim::models
