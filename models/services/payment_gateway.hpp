#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "models/scenario.hpp"
#include "models/services/service.hpp"
#include "sim/random_stream.hpp"

namespace surgesim::models {

// Payment providers behind one gateway. A payment goes to a provider picked by share;
// beyond the provider's `concurrency` it is `rejected`, during the provider's outage it
// fails with `outage`, otherwise it takes the provider's latency and ends declined
// (a business answer, final), with a technical `error`, or paid. With `failover`, an
// error, rejection or outage is tried once more at the next provider in the list.
// An outage of the gateway itself answers every payment at once with `outage`.
class PaymentGateway final : public Service {
 public:
  struct Streams {
    sim::RandomStream route;    // provider choice
    sim::RandomStream latency;  // provider latency
    sim::RandomStream outcome;  // declined / error / paid
  };
  PaymentGateway(const ServiceConfig& config, ServiceContext context, Streams streams);

  void arrive(RequestId id) override;
  void withdraw(RequestId id) override;
  void on_event(std::uint32_t tag, std::uint32_t arg) override;

 private:
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
    std::uint64_t in_flight = 0;
    std::uint32_t outages = 0;  // in progress
  };

  void attempt(RequestId id);
  void attempt_failed(RequestId id, Outcome outcome);
  void payment_done(RequestId id);
  void set_busy();

  PaymentGatewayConfig config_;
  std::optional<Time> timeout_;
  Streams streams_;
  std::vector<Provider> providers_;
  std::vector<double> share_cumulative_;
  std::uint32_t outages_ = 0;  // of the whole gateway, in progress
  std::uint64_t in_flight_ = 0;
};

}  // namespace surgesim::models
