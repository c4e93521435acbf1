#include "models/sessions/revenue_to_go.hpp"

#include <stdexcept>

#include "models/sessions/journey_chain.hpp"

namespace surgesim::models {

std::vector<double> revenue_to_go(const JourneyConfig& journey) {
  // r = N v with N = (I - Q)^-1, so one solve of (I - Q) r = v gives every page at once.
  std::vector<double> order_value(journey.pages.size(), 0.0);
  for (std::size_t i = 0; i < journey.pages.size(); ++i) {
    const PageConfig& page = journey.pages[i];
    if (page.order_value) order_value[i] = page.order_value->mean();
  }
  return expected_to_go(journey, order_value);
}

double expected_revenue_per_session(const JourneyConfig& journey) {
  const auto to_go = revenue_to_go(journey);
  for (std::size_t p = 0; p < journey.pages.size(); ++p) {
    if (journey.pages[p].name == journey.start) return to_go[p];
  }
  throw std::invalid_argument("journey '" + journey.name + "': unknown start page '" +
                              journey.start + "'");
}

}  // namespace surgesim::models
