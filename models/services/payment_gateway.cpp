#include "models/services/payment_gateway.hpp"

#include <algorithm>
#include <limits>

namespace surgesim::models {

PaymentGateway::PaymentGateway(const ServiceConfig& config, ServiceContext context, Streams streams)
    : Service(config.name, context),
      config_(std::get<PaymentGatewayConfig>(config.kind)),
      timeout_(config.timeout),
      streams_(streams) {
  schedule_outages(config.outages, kOutageStart, kOutageEnd, 0);
  double cumulative = 0.0;
  bool all_capped = true;
  double capacity = 0.0;
  for (std::uint32_t p = 0; p < config_.providers.size(); ++p) {
    const ProviderConfig& pc = config_.providers[p];
    providers_.push_back({pc, 0, 0});
    cumulative += pc.share;
    share_cumulative_.push_back(cumulative);
    schedule_outages(pc.outages, kProviderOutageStart, kProviderOutageEnd, p);
    if (pc.concurrency) {
      capacity += static_cast<double>(*pc.concurrency);
    } else {
      all_capped = false;
    }
  }
  // Utilisation means something only when every provider has a concurrency cap.
  if (all_capped) stats_.record([&](ServiceStats& s) { s.available.set(0.0, capacity); });
}

void PaymentGateway::arrive(RequestId id) {
  stats_.record([](ServiceStats& s) { ++s.arrivals; });
  Request& r = requests()[id];
  r.arrival_t = sim().now();
  if (outages_ > 0) return refuse(id, Outcome::outage);
  if (timeout_) r.timeout = sim().after(*timeout_, this, kTimeout, id);
  const double u = streams_.route.uniform01() * share_cumulative_.back();
  const auto it = std::upper_bound(share_cumulative_.begin(), share_cumulative_.end(), u);
  r.slot = static_cast<std::uint32_t>(std::min<std::ptrdiff_t>(
      it - share_cumulative_.begin(), static_cast<std::ptrdiff_t>(share_cumulative_.size()) - 1));
  r.step = 0;
  stats_.record([](ServiceStats& s) {
    ++s.started;
    s.wait.add(0.0);
  });
  notify_start(id);
  attempt(id);
}

void PaymentGateway::attempt(RequestId id) {
  Request& r = requests()[id];
  Provider& provider = providers_[r.slot];
  if (provider.outages > 0) return attempt_failed(id, Outcome::outage);
  if (provider.config.concurrency && provider.in_flight >= *provider.config.concurrency) {
    return attempt_failed(id, Outcome::rejected);
  }
  ++provider.in_flight;
  ++in_flight_;
  set_busy();
  r.state = Request::State::in_service;
  r.work = sim().after(provider.config.latency.sample(streams_.latency), this, kPaymentDone, id);
}

void PaymentGateway::attempt_failed(RequestId id, Outcome outcome) {
  Request& r = requests()[id];
  if (config_.failover && r.step == 0 && providers_.size() > 1) {
    r.step = 1;
    r.slot = (r.slot + 1) % static_cast<std::uint32_t>(providers_.size());
    return attempt(id);
  }
  end_request(id, outcome);
}

void PaymentGateway::payment_done(RequestId id) {
  Request& r = requests()[id];
  Provider& provider = providers_[r.slot];
  --provider.in_flight;
  --in_flight_;
  set_busy();
  const double u = streams_.outcome.uniform01();
  if (u < provider.config.decline) return end_request(id, Outcome::declined);
  if (u < provider.config.decline + provider.config.error) {
    return attempt_failed(id, Outcome::error);
  }
  end_request(id, Outcome::success);
}

void PaymentGateway::on_event(std::uint32_t tag, std::uint32_t arg) {
  switch (tag) {
    case kPaymentDone:
      requests()[arg].work = {};
      payment_done(arg);
      break;
    case kTimeout:
      requests()[arg].timeout = {};
      respond(arg, Outcome::timeout);  // the provider still works on it
      break;
    case kOutageStart:
      ++outages_;
      break;
    case kOutageEnd:
      --outages_;
      break;
    case kProviderOutageStart:
      ++providers_[arg].outages;
      break;
    case kProviderOutageEnd:
      --providers_[arg].outages;
      break;
  }
}

void PaymentGateway::withdraw(RequestId id) {
  Request& r = requests()[id];
  sim().cancel(r.timeout);
  r.detached = true;
  orphan(id);
}

void PaymentGateway::set_busy() {
  const Time now = sim().now();
  const auto busy = static_cast<double>(in_flight_);
  stats_.record([&](ServiceStats& s) { s.busy.set(now, busy); });
}

}  // namespace surgesim::models
