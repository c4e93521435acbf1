#include "models/run/shop.hpp"

#include "models/run/saturation.hpp"
#include "models/services/service_types.hpp"
#include "sim/interrupted.hpp"

namespace surgesim::models {
namespace {
enum Tag : std::uint32_t { kWarmupEnd, kBucketEnd };
// Statistics windows turn over before anything else that happens at that instant.
constexpr std::uint8_t kFirst = 0;
}  // namespace

Shop::Shop(const Scenario& scenario, std::uint64_t replication, bool series)
    : scenario_(scenario), sim_(scenario.run_from()) {
  sessions_ = std::make_unique<Sessions>(scenario, replication, sim_, requests_, services_);
  services_.reserve(scenario.services.size());
  for (std::uint32_t i = 0; i < scenario.services.size(); ++i) {
    services_.push_back(
        make_service(scenario.services[i],
                     ServiceContext{&sim_, &requests_, sessions_.get(), &services_,
                                    &scenario.services, i, scenario.seed, replication},
                     scenario.seed, replication));
  }
  if (series) {
    series_ = std::make_unique<ShopSeries>(scenario, services_, *sessions_);
  } else {
    spare_sketch_.emplace();  // nothing reads a bucket's quantiles: the sketches are kept
  }
}

void Shop::watch(double budget_bytes, const std::string& option) {
  guard_ =
      std::make_unique<OverloadGuard>(scenario_, sim_, requests_, services_, budget_bytes, option);
}

void Shop::limit_work(const WorkEstimate& estimate, const std::string& force_option) {
  work_guard_ = std::make_unique<WorkGuard>(scenario_, services_, estimate, force_option);
  sim_.watch(work_guard_.get());
}

void Shop::on_event(std::uint32_t tag, std::uint32_t) {
  const Time now = sim_.now();
  if (tag == kBucketEnd) {
    close_bucket(now);
    sim_.at(bucket_start(bucket_ + 1), this, kBucketEnd, 0, kFirst);
    return;
  }
  restart_totals(now);
}

Time Shop::bucket_start(std::uint64_t bucket) const {
  return scenario_.run_from() + static_cast<double>(bucket) * scenario_.bucket;
}

void Shop::restart_totals(Time t) {
  for (auto& service : services_) service->stats().restart_total(t);
  sessions_->restart_totals(t);
}

void Shop::close_bucket(Time end) {
  if (series_) series_->close_bucket(bucket_start(bucket_), end);
  ++bucket_;
  sim::QuantileSketch* spare = spare_sketch_ ? &*spare_sketch_ : nullptr;
  for (auto& service : services_) service->stats().restart_bucket(end, spare);
  sessions_->restart_buckets(end, spare);
}

ReplicationResult Shop::run(std::atomic<double>* progress, const std::atomic<bool>* stop) {
  const Time from = scenario_.run_from(), to = scenario_.run_to();
  if (from > 0.0) {
    // A window: the shop opens at `from`, and time averages start there, not at 0.
    restart_totals(from);
    for (auto& service : services_) service->stats().restart_bucket(from);
    sessions_->restart_buckets(from);
  }
  if (scenario_.warmup > 0.0) sim_.at(scenario_.statistics_from(), this, kWarmupEnd, 0, kFirst);
  sim_.at(bucket_start(1), this, kBucketEnd, 0, kFirst);
  sessions_->start();
  if (guard_) guard_->start();
  if (!sim_.run_until(to, progress, stop)) throw sim::Interrupted();
  // The last bucket may be partial; a bucket boundary at the end has not fired.
  const Time last_start = bucket_start(bucket_);
  std::vector<QueueAtEnd> queues;
  for (const auto& service : services_) {
    queues.push_back(queue_at_end(service->stats().bucket(), last_start, to, scenario_.bucket));
  }
  std::optional<QueueAtEnd> room;
  if (const WaitingRoom* r = sessions_->waiting_room())
    room = room_at_end(r->stats().bucket(), last_start, to, scenario_.bucket);
  if (last_start < to) close_bucket(to);
  for (auto& service : services_) service->stats().flush_sketch();
  sessions_->flush_sketches();
  Json summary = shop_summary(scenario_, services_, *sessions_);
  write_saturation(summary, queues, room);
  return {std::move(summary), series_ ? series_->take() : std::vector<SeriesTable>{}};
}

}  // namespace surgesim::models
