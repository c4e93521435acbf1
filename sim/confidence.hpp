#pragma once

#include <span>

namespace surgesim::sim {

// Mean with a symmetric confidence-interval half-width, mean +/- half_width.
struct MeanCI {
  double mean;
  double half_width;  // 0 when n < 2 (no variance estimate)
};

// Student-t interval for the mean of independent observations (e.g. one
// summary value per replication), appropriate for the small n typical of
// replications. mean is 0 for empty input. confidence must be in (0, 1)
// (std::invalid_argument).
MeanCI mean_ci(std::span<const double> xs, double confidence = 0.95);

// Quantile of Student's t with dof degrees of freedom, e.g. p = 0.975 for a
// two-sided 95% interval. Requires 0 < p < 1 and dof > 0
// (std::invalid_argument).
double student_t_quantile(double p, double dof);

}  // namespace surgesim::sim
