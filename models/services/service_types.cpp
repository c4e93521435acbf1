#include "models/services/service_types.hpp"

#include "models/services/cache.hpp"
#include "models/services/database.hpp"
#include "models/services/payment_gateway.hpp"
#include "models/services/server_pool.hpp"

namespace surgesim::models {

std::unique_ptr<Service> make_service(const ServiceConfig& config, ServiceContext context,
                                      std::uint64_t seed, std::uint64_t replication) {
  const std::string prefix = "service." + config.name;
  const auto stream = [&](const char* name) {
    return sim::RandomStream(seed, replication, prefix + "." + name);
  };
  return std::visit(
      [&](const auto& kind) -> std::unique_ptr<Service> {
        using Kind = std::decay_t<decltype(kind)>;
        if constexpr (std::is_same_v<Kind, ServerPoolConfig>) {
          return std::make_unique<ServerPool>(
              config, context,
              ServerPool::Streams{stream("service"), stream("calls"), stream("crashes")});
        } else if constexpr (std::is_same_v<Kind, CacheConfig>) {
          return std::make_unique<Cache>(config, context,
                                         Cache::Streams{stream("lookup"), stream("hits")});
        } else if constexpr (std::is_same_v<Kind, DatabaseConfig>) {
          return std::make_unique<Database>(config, context, stream("query"));
        } else {
          return std::make_unique<PaymentGateway>(
              config, context,
              PaymentGateway::Streams{stream("route"), stream("latency"), stream("outcome")});
        }
      },
      config.kind);
}

}  // namespace surgesim::models
