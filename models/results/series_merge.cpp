#include "models/results/series_merge.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "sim/confidence.hpp"

namespace surgesim::models {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr const char* kTimeColumn = "t_s";

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

std::string replication_name(std::size_t r) {
  return "replication " + std::to_string(r);
}

}  // namespace

std::vector<TableShape> TableShape::of(const std::vector<SeriesTable>& tables) {
  std::vector<TableShape> shapes;
  shapes.reserve(tables.size());
  for (const SeriesTable& t : tables) shapes.push_back({t.path, t.columns, t.rows()});
  check(shapes, tables, 0);  // columns of unequal length within one replication
  return shapes;
}

void TableShape::check(const std::vector<TableShape>& shapes,
                       const std::vector<SeriesTable>& tables, std::size_t replication) {
  if (tables.size() != shapes.size()) {
    throw std::logic_error("series: " + replication_name(replication) + " has " +
                           std::to_string(tables.size()) + " tables, replication 0 " +
                           std::to_string(shapes.size()));
  }
  for (std::size_t t = 0; t < tables.size(); ++t) {
    const TableShape& shape = shapes[t];
    const SeriesTable& table = tables[t];
    if (table.path != shape.path || table.columns != shape.columns ||
        table.data.size() != shape.columns.size()) {
      throw std::logic_error("series: " + replication_name(replication) + " has table '" +
                             table.path + "' where replication 0 has '" + shape.path +
                             "' (or other columns)");
    }
    for (const auto& column : table.data) {
      if (column.size() != shape.rows) {
        throw std::logic_error("series: table '" + shape.path + "' has a column of " +
                               std::to_string(column.size()) + " rows in " +
                               replication_name(replication) + ", " + std::to_string(shape.rows) +
                               " in replication 0");
      }
    }
  }
}

void SeriesAccumulator::add(const std::vector<SeriesTable>& replication) {
  if (replications_ == 0) {
    add(std::vector<SeriesTable>(replication));
    return;
  }
  TableShape::check(shapes_, replication, replications_);
  fold_first();
  accumulate(replication);
}

void SeriesAccumulator::add(std::vector<SeriesTable>&& replication) {
  if (replications_ == 0) {
    shapes_ = TableShape::of(replication);
    first_ = std::move(replication);
    replications_ = 1;
    return;
  }
  add(static_cast<const std::vector<SeriesTable>&>(replication));
}

// Turns the kept first replication into sums (and Welford's terms) by the same steps
// every later replication takes, so the arithmetic is the one of an eager accumulator.
void SeriesAccumulator::fold_first() {
  if (first_.empty()) return;
  columns_.resize(shapes_.size());
  for (std::size_t t = 0; t < shapes_.size(); ++t) {
    const std::size_t rows = shapes_[t].rows;
    for (std::size_t c = 0; c < shapes_[t].columns.size(); ++c) {
      Column column;
      if (shapes_[t].columns[c] == kTimeColumn) {
        column.time = first_[t].data[c];
      } else {
        column.sum.assign(rows, 0.0);
        column.count.assign(rows, 0);
        if (with_spread_) {
          column.running_mean.assign(rows, 0.0);
          column.m2.assign(rows, 0.0);
        }
      }
      columns_[t].push_back(std::move(column));
    }
  }
  const std::vector<SeriesTable> first = std::move(first_);
  first_.clear();
  replications_ = 0;
  accumulate(first);
}

void SeriesAccumulator::accumulate(const std::vector<SeriesTable>& replication) {
  for (std::size_t t = 0; t < columns_.size(); ++t) {
    for (std::size_t c = 0; c < columns_[t].size(); ++c) {
      Column& column = columns_[t][c];
      if (column.sum.empty()) continue;  // the time axis
      const std::vector<double>& xs = replication[t].data[c];
      for (std::size_t b = 0; b < xs.size(); ++b) {
        const double x = xs[b];
        if (std::isnan(x)) continue;
        column.sum[b] += x;
        const std::uint32_t n = ++column.count[b];
        if (!with_spread_) continue;
        // Welford: M2 grows by delta x (x - new mean) >= 0, exactly 0 for equal values.
        const double delta = x - column.running_mean[b];
        column.running_mean[b] += delta / static_cast<double>(n);
        column.m2[b] += delta * (x - column.running_mean[b]);
      }
    }
  }
  ++replications_;
}

std::vector<SeriesTable> SeriesAccumulator::tables_of(
    const std::function<std::vector<double>(const Column&)>& values) const {
  std::vector<SeriesTable> tables;
  tables.reserve(shapes_.size());
  for (std::size_t t = 0; t < shapes_.size(); ++t) {
    SeriesTable table;
    table.path = shapes_[t].path;
    table.columns = shapes_[t].columns;
    for (const Column& column : columns_[t]) {
      table.data.push_back(column.sum.empty() ? column.time : values(column));
    }
    tables.push_back(std::move(table));
  }
  return tables;
}

namespace {
// The mean of one observation as the sums compute it: (0 + x) / 1, which is 0 + x (a
// division by 1 is exact) and turns -0 into +0; NaN (no observation) stays the same NaN.
// Without a division or a branch the loop is vectorised: it runs over every cell of a
// run's time series.
void mean_of_one(SeriesTable& table) {
  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    if (table.columns[c] == kTimeColumn) continue;
    for (double& x : table.data[c]) x = 0.0 + x;
  }
}
}  // namespace

std::vector<SeriesTable> SeriesAccumulator::mean() const {
  if (!first_.empty()) {
    std::vector<SeriesTable> tables = first_;
    for (SeriesTable& table : tables) mean_of_one(table);
    return tables;
  }
  return tables_of([](const Column& column) {
    std::vector<double> means(column.sum.size(), kNaN);
    for (std::size_t b = 0; b < means.size(); ++b) {
      if (column.count[b] > 0) means[b] = column.sum[b] / static_cast<double>(column.count[b]);
    }
    return means;
  });
}

std::vector<SeriesTable> SeriesAccumulator::take_mean() {
  std::vector<SeriesTable> tables;
  if (!first_.empty()) {
    tables = std::move(first_);
    for (SeriesTable& table : tables) mean_of_one(table);
  } else {
    tables = mean();
  }
  *this = SeriesAccumulator(with_spread_);
  return tables;
}

std::vector<SeriesTable> SeriesAccumulator::ci95() const {
  if (!with_spread_) {
    throw std::logic_error("SeriesAccumulator::ci95: the accumulator keeps no spread");
  }
  if (replications_ < 2) return {};
  const HalfWidthFactor factor(replications_);
  return tables_of([&](const Column& column) {
    std::vector<double> half_widths(column.sum.size(), kNaN);
    for (std::size_t b = 0; b < half_widths.size(); ++b) {
      const std::uint32_t n = column.count[b];
      if (n < 2) continue;
      half_widths[b] = factor(n) * std::sqrt(column.m2[b] / (static_cast<double>(n) - 1.0));
    }
    return half_widths;
  });
}

std::vector<SeriesTable> two_pass_ci95(
    const std::vector<SeriesTable>& mean, std::size_t replications,
    const std::function<std::vector<double>(std::size_t t, std::size_t c)>& column) {
  if (replications < 2) return {};
  const HalfWidthFactor factor(replications);
  std::vector<SeriesTable> tables;
  tables.reserve(mean.size());
  for (std::size_t t = 0; t < mean.size(); ++t) {
    const SeriesTable& m = mean[t];
    SeriesTable ci95;
    ci95.path = m.path;
    ci95.columns = m.columns;
    const std::size_t rows = m.rows();
    for (std::size_t c = 0; c < m.columns.size(); ++c) {
      if (m.columns[c] == kTimeColumn) {
        ci95.data.push_back(m.data[c]);
        continue;
      }
      const std::vector<double> values = column(t, c);
      if (values.size() != replications * rows || m.data[c].size() != rows) {
        throw std::logic_error("two_pass_ci95: table '" + m.path + "' column '" + m.columns[c] +
                               "' has " + std::to_string(values.size()) + " values for " +
                               std::to_string(replications) + " replications of " +
                               std::to_string(rows) + " rows");
      }
      std::vector<double> half_widths(rows, kNaN);
      for (std::size_t b = 0; b < rows; ++b) {
        const double cell_mean = m.data[c][b];
        std::size_t n = 0;
        double squares = 0.0;
        for (std::size_t r = 0; r < replications; ++r) {
          const double x = values[r * rows + b];
          if (std::isnan(x)) continue;
          ++n;
          squares += (x - cell_mean) * (x - cell_mean);
        }
        if (n < 2) continue;
        half_widths[b] = factor(n) * std::sqrt(squares / (static_cast<double>(n) - 1.0));
      }
      ci95.data.push_back(std::move(half_widths));
    }
    tables.push_back(std::move(ci95));
  }
  return tables;
}

std::vector<SeriesTable> two_pass_ci95(const std::vector<SeriesTable>& mean,
                                       const std::vector<std::vector<SeriesTable>>& replications) {
  return two_pass_ci95(mean, replications.size(), [&](std::size_t t, std::size_t c) {
    const std::size_t rows = mean.at(t).rows();
    std::vector<double> values(replications.size() * rows);
    for (std::size_t r = 0; r < replications.size(); ++r) {
      const std::vector<double>& column = replications[r].at(t).data.at(c);
      if (column.size() != rows) {
        throw std::logic_error("two_pass_ci95: table '" + mean[t].path + "' has " +
                               std::to_string(column.size()) + " rows in " + replication_name(r) +
                               ", " + std::to_string(rows) + " in the mean");
      }
      std::copy(column.begin(), column.end(),
                values.begin() + static_cast<std::ptrdiff_t>(r * rows));
    }
    return values;
  });
}

MergedSeries merge_series(const std::vector<std::vector<SeriesTable>>& replications) {
  MergedSeries merged;
  if (replications.empty()) return merged;
  SeriesAccumulator accumulator(false);
  for (const auto& tables : replications) accumulator.add(tables);
  merged.mean = accumulator.mean();
  merged.ci95 = two_pass_ci95(merged.mean, replications);
  return merged;
}

}  // namespace surgesim::models
