#include "models/services/payment_gateway.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "models/limits.hpp"
#include "models/services/service.hpp"
#include "models/services/service_estimate.hpp"
#include "models/services/service_types.hpp"
#include "models/yaml/yaml_node.hpp"
#include "sim/queueing_theory.hpp"

namespace surgesim::models {
namespace {

// A payment goes to a provider picked by share; beyond the provider's `concurrency` it
// is `rejected`, during the provider's outage it fails with `outage`, otherwise it takes
// the provider's latency and ends declined (a business answer, final), with a technical
// `error`, or paid. With `failover`, an error, rejection or outage is tried once more at
// the next provider in the list. An outage of the gateway answers every payment at once
// with `outage`, those in flight included; a provider's outage fails its payments in
// flight (which may fail over).
class PaymentGateway final : public Service {
 public:
  struct Streams {
    sim::RandomStream route;    // provider choice
    sim::RandomStream latency;  // provider latency
    sim::RandomStream outcome;  // declined / error / paid
  };

  PaymentGateway(const ServiceConfig& config, const ServiceContext& context, Streams streams);

  void withdraw(RequestId id) override;
  // Flattened, as ServerPool's: a request's path inlines the helpers it passes.
  [[gnu::flatten]] void on_event(std::uint32_t tag, std::uint32_t arg) override;
  // A provider's answer mostly goes out at once (see Service::expect_response).
  void prefetch(std::uint32_t tag, std::uint32_t arg) const override {
    if (tag == kPaymentDone) expect_response(arg);
  }

 private:
  [[gnu::flatten]] void admit(RequestId id) override;

  enum Tag : std::uint32_t {
    kPaymentDone,
    kTimeout,
    kOutageStart,
    kOutageEnd,
    kProviderOutageStart,
    kProviderOutageEnd
  };

  struct Provider {
    ProviderConfig config;
    RequestQueue in_flight;
    std::uint32_t outages = 0;  // in progress
  };

  void attempt(RequestId id);
  void attempt_failed(RequestId id, Outcome outcome);
  void payment_done(RequestId id);
  // Ends the payment in flight at its provider; `failover`: it may try the next one.
  void fail_in_flight(RequestId id, bool failover);
  void set_busy();

  PaymentGatewayConfig config_;
  std::optional<Time> timeout_;
  Streams streams_;
  std::vector<Provider> providers_;
  std::vector<double> share_cumulative_;
  std::uint32_t outages_ = 0;  // of the whole gateway, in progress
  std::uint64_t in_flight_ = 0;
};

PaymentGateway::PaymentGateway(const ServiceConfig& config, const ServiceContext& context,
                               Streams streams)
    : Service(config, context),
      config_(std::get<PaymentGatewayConfig>(config.type)),
      timeout_(config.timeout),
      streams_(streams) {
  schedule_outages(config.outages, kOutageStart, kOutageEnd, 0);
  double cumulative = 0.0;
  bool all_capped = true;
  double capacity = 0.0;
  for (std::uint32_t p = 0; p < config_.providers.size(); ++p) {
    const ProviderConfig& pc = config_.providers[p];
    providers_.push_back({pc, RequestQueue(*context.requests), 0});
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
  if (all_capped) stats_.record([&](ServiceStats& s) { s.available.set(sim().now(), capacity); });
}

void PaymentGateway::admit(RequestId id) {
  Request& r = requests()[id];
  if (outages_ > 0) return refuse(id, Outcome::outage);
  if (timeout_) r.timeout = sim().timer(*timeout_, this, kTimeout, id);
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
  if (provider.config.concurrency && provider.in_flight.size() >= *provider.config.concurrency) {
    return attempt_failed(id, Outcome::rejected);
  }
  provider.in_flight.push_back(id);
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
  provider.in_flight.remove(id);
  --in_flight_;
  set_busy();
  const double u = streams_.outcome.uniform01();
  if (u < provider.config.decline) return end_request(id, Outcome::declined);
  if (u < provider.config.decline + provider.config.error) {
    return attempt_failed(id, Outcome::error);
  }
  end_request(id, Outcome::success);
}

void PaymentGateway::fail_in_flight(RequestId id, bool failover) {
  Request& r = requests()[id];
  providers_[r.slot].in_flight.remove(id);
  --in_flight_;
  set_busy();
  sim().cancel(r.work);
  if (failover) return attempt_failed(id, Outcome::outage);
  end_request(id, Outcome::outage);
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
      for (Provider& provider : providers_) {
        while (!provider.in_flight.empty()) fail_in_flight(provider.in_flight.front(), false);
      }
      break;
    case kOutageEnd:
      --outages_;
      break;
    case kProviderOutageStart:
      ++providers_[arg].outages;
      while (!providers_[arg].in_flight.empty()) {
        fail_in_flight(providers_[arg].in_flight.front(), true);
      }
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

}  // namespace

std::vector<std::string> PaymentGatewayType::keys() {
  return {"providers", "failover"};
}

namespace {

constexpr double kShareTolerance = 1e-6;  // provider shares sum to 1 +- 1e-6

ProviderConfig read_provider(const YamlNode& node) {
  if (!node.is_map()) node.expected("a provider: a map with 'name', 'share' and 'latency'");
  const YamlMap m(node, {"name", "share", "latency", "concurrency", "decline", "error", "outages"});
  ProviderConfig p;
  p.name = m.required("name").as_name();
  p.share = m.required("share").as_probability();
  p.latency = m.required("latency").as_distribution();
  if (const auto n = m.get("concurrency")) {
    p.concurrency = static_cast<std::uint64_t>(n->as_integer(1, kMaxWorkers));
  }
  if (const auto n = m.get("decline")) p.decline = n->as_probability();
  if (const auto n = m.get("error")) p.error = n->as_probability();
  if (p.decline + p.error > 1.0) {
    node.fail("expected decline + error <= 1, found " + format_sum(p.decline + p.error));
  }
  if (const auto n = m.get("outages")) p.outages = read_outages(*n, 0);
  return p;
}

}  // namespace

PaymentGatewayConfig PaymentGatewayType::read(const YamlMap& m) {
  PaymentGatewayConfig gateway;
  const YamlNode providers = m.required("providers");
  check_count(providers, limits::kProviders, "providers",
              "providers that behave alike are one provider with their shares summed");
  double share_sum = 0.0;
  for (const YamlNode& item : providers.items()) {
    gateway.providers.push_back(read_provider(item));
    const std::string& name = gateway.providers.back().name;
    const auto same = [&](const ProviderConfig& p) { return p.name == name; };
    if (std::count_if(gateway.providers.begin(), gateway.providers.end(), same) > 1) {
      YamlMap(item, {"name", "share", "latency", "concurrency", "decline", "error", "outages"})
          .required("name")
          .fail("duplicate provider name '" + name + "'");
    }
    share_sum += gateway.providers.back().share;
  }
  if (gateway.providers.empty()) providers.expected("at least one provider");
  if (std::abs(share_sum - 1.0) > kShareTolerance) {
    providers.fail("expected provider shares that sum to 1 (within 1e-6), found a sum of " +
                   format_sum(share_sum));
  }
  if (const auto n = m.get("failover")) gateway.failover = n->as_bool();
  return gateway;
}

std::unique_ptr<Service> PaymentGatewayType::make(const ServiceConfig& service,
                                                  const ServiceContext& context,
                                                  const ServiceStreams& streams) {
  return std::make_unique<PaymentGateway>(
      service, context,
      PaymentGateway::Streams{streams("route"), streams("latency"), streams("outcome")});
}

std::string PaymentGatewayType::size_label(const PaymentGatewayConfig& config) {
  std::string names;
  for (const ProviderConfig& p : config.providers) names += (names.empty() ? "" : ", ") + p.name;
  return "payment_gateway " + names;
}

// Each provider is an M/M/c/c loss system over its concurrency cap (Erlang B).
void PaymentGatewayType::estimate(const PaymentGatewayConfig& config, const ResponseTimes&,
                                  ServiceEstimate& e) {
  double carried = 0.0;  // payments per second that get a slot
  double latency = 0.0;  // sum over carried payments of their mean latency, per second
  for (const ProviderConfig& provider : config.providers) {
    ProviderEstimate p;
    p.name = provider.name;
    p.arrival_rate = e.arrival_rate * provider.share;
    p.mean_response = provider.latency.mean();
    p.offered_load = p.arrival_rate * p.mean_response;
    if (provider.concurrency) {
      p.servers = static_cast<int>(*provider.concurrency);
      p.blocking = sim::theory::erlang_b(p.servers, p.offered_load);
      p.utilization = p.offered_load * (1.0 - p.blocking) / p.servers;
      e.saturated = e.saturated || p.offered_load >= p.servers;
    }
    carried += p.arrival_rate * (1.0 - p.blocking);
    latency += p.arrival_rate * (1.0 - p.blocking) * p.mean_response;
    e.offered_load += p.offered_load;
    e.providers.push_back(p);
  }
  e.blocking = e.arrival_rate > 0.0 ? 1.0 - carried / e.arrival_rate : 0.0;
  e.mean_response = carried > 0.0 ? latency / carried : 0.0;
  e.mean_service = e.mean_response;
}

}  // namespace surgesim::models
