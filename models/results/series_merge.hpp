#pragma once

#include <vector>

#include "models/series_table.hpp"

namespace surgesim::models {

// The time series of an experiment, merged cell by cell over replications.
struct MergedSeries {
  std::vector<SeriesTable> mean;  // NaN-skipping mean; NaN where no replication observed
  // 95% Student-t half-width of that mean, same shape; NaN where fewer than two
  // replications observed the cell. Empty with fewer than two replications. The "t_s"
  // column is copied, not merged: it is the time axis in both.
  std::vector<SeriesTable> ci95;
};

// Merges per-replication tables (replication order; every replication has the same
// tables, columns and rows, else std::logic_error). The sums run in replication order,
// so the result does not depend on which thread ran which replication.
MergedSeries merge_series(const std::vector<std::vector<SeriesTable>>& replications);

}  // namespace surgesim::models
