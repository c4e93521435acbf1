#pragma once

#include <string>

#include "models/analysis/analytic_estimate.hpp"

namespace surgesim::models {

// The analytic estimate as a table for `surgesim check`.
std::string estimate_report(const Scenario& scenario, const AnalyticEstimate& estimate);

}  // namespace surgesim::models
