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

Shop::Shop(const Scenario& scenario, std::uint64_t replication) : scenario_(scenario) {
  sessions_ = std::make_unique<Sessions>(scenario, replication, sim_, requests_, services_);
  services_.reserve(scenario.services.size());
  for (std::uint32_t i = 0; i < scenario.services.size(); ++i) {
    services_.push_back(make_service(
        scenario.services[i],
        ServiceContext{&sim_, &requests_, sessions_.get(), &services_, &scenario.services, i},
        scenario.seed, replication));
  }
  series_ = std::make_unique<ShopSeries>(scenario, services_, *sessions_);
}

void Shop::on_event(std::uint32_t tag, std::uint32_t) {
  const Time now = sim_.now();
  if (tag == kBucketEnd) {
    close_bucket(now);
    sim_.at(static_cast<double>(bucket_ + 1) * scenario_.bucket, this, kBucketEnd, 0, kFirst);
    return;
  }
  for (auto& service : services_) service->stats().restart_total(now);
  sessions_->restart_totals(now);
}

void Shop::close_bucket(Time end) {
  series_->close_bucket(static_cast<double>(bucket_) * scenario_.bucket, end);
  ++bucket_;
  for (auto& service : services_) service->stats().restart_bucket(end);
  sessions_->restart_buckets(end);
}

ReplicationResult Shop::run(std::atomic<double>* progress, const std::atomic<bool>* stop) {
  if (scenario_.warmup > 0.0) sim_.at(scenario_.warmup, this, kWarmupEnd, 0, kFirst);
  sim_.at(scenario_.bucket, this, kBucketEnd, 0, kFirst);
  sessions_->start();
  if (!sim_.run_until(scenario_.duration, progress, stop)) throw sim::Interrupted();
  // The last bucket may be partial; a bucket boundary at `duration` has not fired.
  const Time last_start = static_cast<double>(bucket_) * scenario_.bucket;
  std::vector<QueueAtEnd> queues;
  for (const auto& service : services_) {
    queues.push_back(
        queue_at_end(service->stats().bucket(), last_start, scenario_.duration, scenario_.bucket));
  }
  if (last_start < scenario_.duration) close_bucket(scenario_.duration);
  Json summary = shop_summary(scenario_, services_, *sessions_);
  write_saturation(summary, queues);
  return {std::move(summary), series_->take()};
}

}  // namespace surgesim::models
