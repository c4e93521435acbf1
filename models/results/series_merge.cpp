#include "models/results/series_merge.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

#include "sim/confidence.hpp"

namespace surgesim::models {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void check_same_shape(const SeriesTable& first, const SeriesTable& other, std::size_t r) {
  if (other.path != first.path || other.columns != first.columns ||
      other.data.size() != first.columns.size()) {
    throw std::logic_error("merge_series: replication " + std::to_string(r) + " has table '" +
                           other.path + "' where replication 0 has '" + first.path +
                           "' (or other columns)");
  }
  for (const auto& column : other.data) {
    if (column.size() != first.rows()) {
      throw std::logic_error("merge_series: table '" + first.path + "' has " +
                             std::to_string(column.size()) + " rows in replication " +
                             std::to_string(r) + ", " + std::to_string(first.rows()) +
                             " in replication 0");
    }
  }
}

// t quantiles by number of observations, computed once (Boost's inversion is costly and
// a table has tens of thousands of cells).
class HalfWidthFactor {
 public:
  explicit HalfWidthFactor(std::size_t max_n) : factor_(max_n + 1, kNaN) {
    for (std::size_t n = 2; n <= max_n; ++n) {
      const double nd = static_cast<double>(n);
      factor_[n] = sim::student_t_quantile(0.975, nd - 1.0) / std::sqrt(nd);
    }
  }
  double operator()(std::size_t n) const { return factor_[n]; }

 private:
  std::vector<double> factor_;
};

}  // namespace

MergedSeries merge_series(const std::vector<std::vector<SeriesTable>>& replications) {
  MergedSeries merged;
  if (replications.empty()) return merged;
  const std::vector<SeriesTable>& first = replications.front();
  for (std::size_t r = 1; r < replications.size(); ++r) {
    if (replications[r].size() != first.size()) {
      throw std::logic_error("merge_series: replication " + std::to_string(r) + " has " +
                             std::to_string(replications[r].size()) + " tables, replication 0 " +
                             std::to_string(first.size()));
    }
  }
  const bool with_ci = replications.size() >= 2;
  const HalfWidthFactor factor(replications.size());
  std::vector<double> cell;
  cell.reserve(replications.size());

  for (std::size_t t = 0; t < first.size(); ++t) {
    const SeriesTable& shape = first[t];
    for (std::size_t r = 1; r < replications.size(); ++r) {
      check_same_shape(shape, replications[r][t], r);
    }
    SeriesTable mean;
    mean.path = shape.path;
    mean.columns = shape.columns;
    SeriesTable ci95 = mean;
    for (std::size_t c = 0; c < shape.columns.size(); ++c) {
      if (shape.columns[c] == "t_s") {
        mean.data.push_back(shape.data[c]);
        if (with_ci) ci95.data.push_back(shape.data[c]);
        continue;
      }
      std::vector<double> means(shape.rows(), kNaN);
      std::vector<double> half_widths(with_ci ? shape.rows() : 0, kNaN);
      for (std::size_t b = 0; b < shape.rows(); ++b) {
        cell.clear();
        for (const auto& tables : replications) {
          const double x = tables[t].data[c][b];
          if (!std::isnan(x)) cell.push_back(x);
        }
        if (cell.empty()) continue;
        double sum = 0.0;
        for (double x : cell) sum += x;
        const double n = static_cast<double>(cell.size());
        means[b] = sum / n;
        if (!with_ci || cell.size() < 2) continue;
        double squares = 0.0;
        for (double x : cell) squares += (x - means[b]) * (x - means[b]);
        half_widths[b] = factor(cell.size()) * std::sqrt(squares / (n - 1.0));
      }
      mean.data.push_back(std::move(means));
      if (with_ci) ci95.data.push_back(std::move(half_widths));
    }
    merged.mean.push_back(std::move(mean));
    if (with_ci) merged.ci95.push_back(std::move(ci95));
  }
  return merged;
}

}  // namespace surgesim::models
