#include "models/shop.hpp"

#include "models/interrupted.hpp"
#include "models/service_registry.hpp"

namespace surgesim::models {
namespace {
enum Tag : std::uint32_t { kWarmupEnd };
// Statistics restart before anything else that happens at the warm-up instant.
constexpr std::uint8_t kFirst = 0;
}  // namespace

Shop::Shop(const Scenario& scenario, std::uint64_t replication) : scenario_(scenario) {
  shoppers_ = std::make_unique<Shoppers>(scenario, replication, sim_, requests_, services_);
  services_.reserve(scenario.services.size());
  for (const ServiceConfig& config : scenario.services) {
    services_.push_back(make_service(config, ServiceContext{&sim_, &requests_, shoppers_.get()},
                                     scenario.seed, replication));
  }
}

void Shop::on_event(std::uint32_t tag, std::uint32_t) {
  if (tag != kWarmupEnd) return;
  const Time now = sim_.now();
  for (auto& service : services_) service->stats().restart(now);
  shoppers_->restart_statistics();
}

ReplicationResult Shop::run(std::atomic<double>* progress, const std::atomic<bool>* stop) {
  if (scenario_.warmup > 0.0) sim_.at(scenario_.warmup, this, kWarmupEnd, 0, kFirst);
  shoppers_->start();
  if (!sim_.run_until(scenario_.duration, progress, stop)) throw Interrupted();
  return {summary(), {}};
}

Json Shop::summary() const {
  const Time end = scenario_.duration;
  const SessionStats& totals = shoppers_->totals();
  Json j;
  Json sessions;
  sessions["started"] = totals.started;
  sessions["completed"] = totals.completed;
  sessions["dropped"] = totals.dropped;
  sessions["by_cause"] = totals.causes_json();
  j["sessions"] = std::move(sessions);
  j["drop_rate"] = totals.drop_rate();

  Json pages = Json::object();
  for (std::size_t p = 0; p < shoppers_->page_count(); ++p) {
    pages[shoppers_->page_label(p)] = shoppers_->page_stats(p).to_json();
  }
  j["pages"] = std::move(pages);

  Json journeys = Json::object();
  for (std::size_t k = 0; k < shoppers_->journey_count(); ++k) {
    const SessionStats& js = shoppers_->journey_stats(k);
    Json jj;
    jj["sessions"] = js.started;
    jj["completed"] = js.completed;
    jj["dropped"] = js.dropped;
    jj["drop_rate"] = js.drop_rate();
    jj["by_cause"] = js.causes_json();  // extension: drop-offs by cause per journey
    journeys[shoppers_->journey_name(k)] = std::move(jj);
  }
  j["journeys"] = std::move(journeys);

  Json services = Json::object();
  for (const auto& service : services_) services[service->name()] = service->stats().to_json(end);
  j["services"] = std::move(services);
  return j;
}

}  // namespace surgesim::models
