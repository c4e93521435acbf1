#include "sim/mser.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

namespace surgesim::sim {
namespace {

// Mean of each whole batch, NaN for a batch without any observation.
std::vector<double> batch_means(std::span<const double> series, std::size_t batch_size) {
  std::vector<double> means(series.size() / batch_size);
  for (std::size_t b = 0; b < means.size(); ++b) {
    double sum = 0.0;
    std::size_t count = 0;
    for (double x : series.subspan(b * batch_size, batch_size)) {
      if (std::isnan(x)) continue;
      sum += x;
      ++count;
    }
    means[b] =
        count > 0 ? sum / static_cast<double>(count) : std::numeric_limits<double>::quiet_NaN();
  }
  return means;
}

}  // namespace

MserTruncation mser(std::span<const double> series, std::size_t batch_size) {
  if (batch_size == 0) throw std::invalid_argument("mser: batch_size must be positive");
  const std::vector<double> z = batch_means(series, batch_size);
  MserTruncation result{z.size(), 0, batch_size};

  // Sums over the kept batches j >= d, built from the end so every d costs O(1); the
  // second moment is taken about a fixed shift (the last batch with data) so that a
  // large level does not cancel away the spread.
  const std::size_t n = z.size();
  double shift = 0.0;
  for (std::size_t j = n; j-- > 0;) {
    if (!std::isnan(z[j])) {
      shift = z[j];
      break;
    }
  }
  std::vector<double> statistic(n + 1, std::numeric_limits<double>::quiet_NaN());
  double sum = 0.0;
  double sum_sq = 0.0;
  std::size_t kept = 0;
  for (std::size_t d = n; d-- > 0;) {
    if (!std::isnan(z[d])) {
      const double y = z[d] - shift;
      sum += y;
      sum_sq += y * y;
      ++kept;
    }
    if (kept >= 2) {
      const double k = static_cast<double>(kept);
      const double squares = std::max(0.0, sum_sq - sum * sum / k);
      statistic[d] = squares / (k * k);
    }
  }
  double best = std::numeric_limits<double>::infinity();
  for (std::size_t d = 0; d <= n / 2; ++d) {
    if (!std::isnan(statistic[d]) && statistic[d] < best) {
      best = statistic[d];
      result.truncated = d;
    }
  }
  return result;
}

}  // namespace surgesim::sim
