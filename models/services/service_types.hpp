#pragma once

#include <cstdint>
#include <memory>

#include "models/scenario.hpp"
#include "models/services/service.hpp"

namespace surgesim::models {

// Builds the component for a service config: the one place that knows every type.
std::unique_ptr<Service> make_service(const ServiceConfig& config, ServiceContext context,
                                      std::uint64_t seed, std::uint64_t replication);

}  // namespace surgesim::models
