#include "models/run/overload_guard.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "models/limits.hpp"
#include "models/run/work_estimate.hpp"
#include "models/services/server_pool.hpp"

namespace surgesim::models {
namespace {

// Below this share of the budget the requests in flight are not projected at all.
constexpr double kWatchedShare = 1.0 / 16.0;
// Steps of the projection to the end of the run.
constexpr int kSteps = 1024;

}  // namespace

OverloadGuard::OverloadGuard(const Scenario& scenario, sim::Simulator& sim, RequestPool& requests,
                             const std::vector<std::unique_ptr<Service>>& services,
                             double budget_bytes, std::string memory_option)
    : scenario_(scenario),
      sim_(sim),
      requests_(requests),
      services_(services),
      traffic_(scenario.traffic),
      budget_requests_(budget_bytes / kBytesPerRequest),
      budget_bytes_(budget_bytes),
      memory_option_(std::move(memory_option)),
      watched_requests_(kWatchedShare * budget_requests_) {}

void OverloadGuard::start() {
  requests_.watch(static_cast<std::size_t>(std::ceil(watched_requests_)), this);
}

void OverloadGuard::on_pool_growth() {
  // The rates of the first check are measured from here.
  last_.clear();
  for (const auto& service : services_) last_.push_back(seen_now(*service));
  last_t_ = sim_.now();
  sim_.after(std::min(scenario_.bucket, 1.0), this, 0);
}

OverloadGuard::Seen OverloadGuard::seen_now(const Service& service) const {
  const Windowed<ServiceStats>& w = service.stats();
  const Time now = sim_.now();
  const auto count = [&](auto field) {
    return w.so_far([&](const ServiceStats& s, Time) { return static_cast<double>(field(s)); },
                    now);
  };
  const auto area = [&](auto level) {
    return w.so_far([&](const ServiceStats& s, Time t) { return level(s).area(t); }, now);
  };
  return {count([](const ServiceStats& s) { return s.arrivals; }),
          count([](const ServiceStats& s) { return s.started; }),
          count([](const ServiceStats& s) { return s.abandoned + s.timeouts; }),
          w.bucket().queue.value(),
          area([](const ServiceStats& s) -> const sim::TimeWeighted& { return s.queue; }),
          area([](const ServiceStats& s) -> const sim::TimeWeighted& { return s.busy; }),
          area([](const ServiceStats& s) -> const sim::TimeWeighted& { return s.available; })};
}

void OverloadGuard::on_event(std::uint32_t, std::uint32_t) {
  check();
  if (static_cast<double>(requests_.in_flight()) < watched_requests_) {
    // Drained: sleep until the storage grows past what it holds (or the watched share).
    requests_.watch(
        std::max(static_cast<std::size_t>(std::ceil(watched_requests_)), requests_.slots() + 1),
        this);
    return;
  }
  // The next check comes before the requests arriving at the pace just seen could fill
  // a sixteenth of the budget, and at least every second.
  double arrivals = 0.0;
  const double dt = sim_.now() - last_t_;
  std::vector<Seen> seen;
  for (std::size_t s = 0; s < services_.size(); ++s) {
    seen.push_back(seen_now(*services_[s]));
    arrivals += std::max(0.0, seen.back().arrivals - last_[s].arrivals);
  }
  double next = std::min(scenario_.bucket, 1.0);
  if (dt > 0.0 && arrivals > 0.0) {
    next = std::clamp(kWatchedShare * budget_requests_ / (arrivals / dt), 1e-3, next);
  }
  last_ = std::move(seen);
  last_t_ = sim_.now();
  sim_.after(next, this, 0);
}

void OverloadGuard::check() {
  const double in_flight = static_cast<double>(requests_.in_flight());
  if (in_flight < watched_requests_) return;
  const double dt = sim_.now() - last_t_;
  // The statistics window restarted since the last check: its counters say nothing yet.
  const Time restart = scenario_.statistics_from();
  const bool restarted = last_t_ < restart && sim_.now() >= restart;
  if (dt <= 0.0 || restarted) return;
  std::vector<Flow> flows = this->flows(dt);
  double waiting = 0.0;
  for (const Flow& f : flows) waiting += f.waiting;
  std::size_t culprit = 0;
  const double at = projected_crossing(flows, in_flight - waiting, culprit);
  if (at >= 0.0 && !flows.empty()) stop(flows[culprit], at);
  if (in_flight > budget_requests_) {
    // Over already, with no queue to blame (requests held in service, say): the largest
    // queue or the first service.
    stop(flows.empty() ? Flow{} : flows[culprit], sim_.now());
  }
}

std::vector<OverloadGuard::Flow> OverloadGuard::flows(double dt) const {
  std::vector<Flow> out;
  for (std::size_t s = 0; s < services_.size(); ++s) {
    const Seen now = seen_now(*services_[s]);
    const Seen& was = last_[s];
    if (now.waiting <= 0.0 && was.waiting <= 0.0) continue;
    Flow f;
    f.service = s;
    f.waiting = now.waiting;
    f.growth = (now.waiting - was.waiting) / dt;
    const double started = (now.started - was.started) / dt;
    const double left = (now.left - was.left) / dt;
    // What came in is what the queue gained plus what it lost.
    f.in = std::max(0.0, f.growth + started + left);
    const double busy = now.busy_area - was.busy_area;
    const double available = now.available_area - was.available_area;
    const double utilization = available > 0.0 ? busy / available : 1.0;
    f.capacity = started / std::max(utilization, 1e-3);
    const double queue_area = now.queue_area - was.queue_area;
    f.leave = queue_area > 0.0 ? (now.left - was.left) / queue_area : 0.0;
    if (const auto* pool = std::get_if<ServerPoolConfig>(&scenario_.services[s].type)) {
      if (pool->queue) f.most = static_cast<double>(*pool->queue);
    }
    out.push_back(f);
  }
  return out;
}

double OverloadGuard::projected_crossing(std::vector<Flow>& flows, double others,
                                         std::size_t& culprit) const {
  const Time now = sim_.now();
  const Time end = scenario_.run_to();
  if (flows.empty() || end <= now) return -1.0;
  const double traffic_now = traffic_.integral(last_t_, now) / (now - last_t_);
  std::vector<double> q;
  for (const Flow& f : flows) q.push_back(f.waiting);
  const double h = (end - now) / kSteps;
  for (int step = 0; step <= kSteps; ++step) {
    const Time t = now + step * h;
    double total = others;
    for (const double w : q) total += w;
    if (total > budget_requests_) {
      culprit = static_cast<std::size_t>(std::max_element(q.begin(), q.end()) - q.begin());
      return t;
    }
    // Requests scale with the sessions arriving; with none arriving now, as seen.
    const double scale = traffic_now > 0.0 ? traffic_.rate(t) / traffic_now : 1.0;
    for (std::size_t i = 0; i < flows.size(); ++i) {
      const Flow& f = flows[i];
      q[i] = std::clamp(q[i] + h * (f.in * scale - f.capacity - f.leave * q[i]), 0.0, f.most);
    }
  }
  return -1.0;
}

void OverloadGuard::stop(const Flow& f, double at) const {
  const Service& service = *services_[f.service];
  const double rho = f.capacity > 0.0 ? f.in / f.capacity : std::numeric_limits<double>::infinity();
  const std::string when =
      at <= sim_.now() ? "now" : "at about " + run_time(at) + " of simulated time";
  throw Overloaded(fmt::format(
      "service {} is overloaded: ρ ≈ {:.3g} ({}/s arrive, it starts {}/s), queue {} and "
      "growing at {}/s at {} of simulated time; the requests in flight would pass {} ({} "
      "for this replication) {}. Add instances or workers, bound its queue (queue), give "
      "shoppers a patience or the service a timeout, or raise {}",
      service.name(), rho, format_count(f.in), format_count(f.capacity),
      limits::grouped(static_cast<std::int64_t>(f.waiting)), format_count(std::max(f.growth, 0.0)),
      run_time(sim_.now()), memory_option_, format_bytes(budget_bytes_), when, memory_option_));
}

}  // namespace surgesim::models
