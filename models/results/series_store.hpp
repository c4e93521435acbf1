#pragma once

#include <vector>

#include "models/series_table.hpp"

namespace surgesim::models {

// Where run_experiment hands every replication's time series, in replication order, as
// soon as that replication is merged. A store keeps them (a result file keeps them on
// disk), so that the experiment itself holds only running sums per cell and memory does
// not grow with the number of replications.
class SeriesStore {
 public:
  virtual ~SeriesStore() = default;
  // The next replication's tables (every replication has the same tables, columns and
  // rows, else std::logic_error).
  virtual void add(const std::vector<SeriesTable>& replication) = 0;
  // The 95% Student-t half-width of every cell of `mean` (SeriesAccumulator::mean() of
  // the replications added), by a second pass over the stored values: bit-identical to
  // merge_series() of all replications at once.
  virtual std::vector<SeriesTable> ci95(const std::vector<SeriesTable>& mean) = 0;
};

}  // namespace surgesim::models
