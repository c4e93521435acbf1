#pragma once

#include <string>

#include "models/service_stats.hpp"

namespace surgesim::models {

// The terminal report of a run: headline, drop-offs by cause, journeys, pages and
// services as aligned tables, with 95% half-widths when there are replications.
std::string text_report(const Json& summary);

}  // namespace surgesim::models
