#include "sim/confidence.hpp"

#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <stdexcept>

namespace surgesim::sim {

double student_t_quantile(double p, double dof) {
  // Validate here so callers see one exception type instead of Boost's
  // domain/overflow errors.
  if (!(p > 0.0 && p < 1.0)) throw std::invalid_argument("student_t_quantile: p must be in (0, 1)");
  if (!(dof > 0.0)) throw std::invalid_argument("student_t_quantile: dof must be > 0");
  return boost::math::quantile(boost::math::students_t(dof), p);
}

MeanCI mean_ci(std::span<const double> xs, double confidence) {
  if (!(confidence > 0.0 && confidence < 1.0))
    throw std::invalid_argument("mean_ci: confidence must be in (0, 1)");
  const std::size_t n = xs.size();
  if (n == 0) return {0.0, 0.0};

  // Two passes: the data are in memory, and this avoids any cancellation.
  double sum = 0.0;
  for (double x : xs) sum += x;
  const double nd = static_cast<double>(n);
  const double mean = sum / nd;
  if (n < 2) return {mean, 0.0};

  double ss = 0.0;
  for (double x : xs) ss += (x - mean) * (x - mean);
  const double s = std::sqrt(ss / (nd - 1.0));
  const double t = student_t_quantile(0.5 + confidence / 2.0, nd - 1.0);
  return {mean, t * s / std::sqrt(nd)};
}

}  // namespace surgesim::sim
