#include "models/sessions/revenue_to_go.hpp"

#include <Eigen/Dense>
#include <cmath>
#include <map>
#include <stdexcept>

namespace surgesim::models {
namespace {

std::map<std::string, Eigen::Index> page_index(const JourneyConfig& journey) {
  std::map<std::string, Eigen::Index> index;
  for (std::size_t i = 0; i < journey.pages.size(); ++i) {
    index[journey.pages[i].name] = static_cast<Eigen::Index>(i);
  }
  return index;
}

}  // namespace

std::vector<double> revenue_to_go(const JourneyConfig& journey) {
  const auto n = static_cast<Eigen::Index>(journey.pages.size());
  const auto index = page_index(journey);
  // r = N v with N = (I - Q)^-1, so one solve of (I - Q) r = v gives every page at once.
  Eigen::MatrixXd i_minus_q = Eigen::MatrixXd::Identity(n, n);
  Eigen::VectorXd order_value = Eigen::VectorXd::Zero(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const PageConfig& page = journey.pages[static_cast<std::size_t>(i)];
    for (const auto& [target, p] : page.next) {
      if (target == kExit) continue;
      const auto it = index.find(target);
      if (it == index.end()) {
        throw std::invalid_argument("journey '" + journey.name + "': page '" + page.name +
                                    "' goes to unknown page '" + target + "'");
      }
      i_minus_q(i, it->second) -= p;
    }
    if (page.order_value) order_value(i) = page.order_value->mean();
  }
  // NOTE: PartialPivLU does not report singularity; a journey whose pages cannot all reach
  // exit makes I - Q singular and shows up as non-finite values or a large residual.
  const Eigen::VectorXd r = i_minus_q.partialPivLu().solve(order_value);
  const double residual = (i_minus_q * r - order_value).norm();
  if (!r.allFinite() || residual > 1e-9 * (1.0 + order_value.norm())) {
    throw std::invalid_argument("journey '" + journey.name + "' has pages that never reach exit");
  }
  return {r.data(), r.data() + r.size()};
}

double expected_revenue_per_session(const JourneyConfig& journey) {
  const auto to_go = revenue_to_go(journey);
  const auto index = page_index(journey);
  const auto it = index.find(journey.start);
  if (it == index.end()) {
    throw std::invalid_argument("journey '" + journey.name + "': unknown start page '" +
                                journey.start + "'");
  }
  return to_go[static_cast<std::size_t>(it->second)];
}

}  // namespace surgesim::models
