#include "models/service_registry.hpp"

#include <stdexcept>

#include "models/server_pool.hpp"

namespace surgesim::models {

std::unique_ptr<Service> make_service(const ServiceConfig& config, ServiceContext context,
                                      std::uint64_t seed, std::uint64_t replication) {
  const std::string prefix = "service." + config.name;
  return std::visit(
      [&](const auto& kind) -> std::unique_ptr<Service> {
        using Kind = std::decay_t<decltype(kind)>;
        if constexpr (std::is_same_v<Kind, ServerPoolConfig>) {
          return std::make_unique<ServerPool>(
              config, context, sim::RandomStream(seed, replication, prefix + ".service"));
        } else {
          throw std::logic_error("service type of '" + config.name + "' is not built yet");
        }
      },
      config.kind);
}

}  // namespace surgesim::models
