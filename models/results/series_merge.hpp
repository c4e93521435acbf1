#pragma once

#include <cstdint>
#include <functional>
#include <string>
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

// What every replication's copy of a table must share: path, columns and rows.
struct TableShape {
  std::string path;
  std::vector<std::string> columns;
  std::size_t rows = 0;

  static std::vector<TableShape> of(const std::vector<SeriesTable>& tables);
  // std::logic_error naming `replication` unless `tables` have exactly these shapes.
  static void check(const std::vector<TableShape>& shapes, const std::vector<SeriesTable>& tables,
                    std::size_t replication);
};

// Merges the tables of one replication after another, in replication order, keeping a
// few numbers per cell instead of the replications: memory follows the size of one
// replication's tables, not the number of replications.
class SeriesAccumulator {
 public:
  // `with_spread`: also keep Welford's running mean and M2 per cell, for ci95().
  explicit SeriesAccumulator(bool with_spread) : with_spread_(with_spread) {}

  // The next replication's tables (the first fixes the shapes; std::logic_error after).
  // The first is kept as it is and folded into sums when the second comes, so a single
  // replication costs no more than its own tables; hand it over with std::move to avoid
  // even the copy.
  void add(const std::vector<SeriesTable>& replication);
  void add(std::vector<SeriesTable>&& replication);
  std::size_t replications() const { return replications_; }

  // NaN-skipping mean per cell: the observations summed in replication order over their
  // count, the very arithmetic of merge_series, so bit-identical to it.
  std::vector<SeriesTable> mean() const;
  // The same, leaving the accumulator empty: a single replication's tables become the
  // mean in place instead of being copied.
  std::vector<SeriesTable> take_mean();
  // 95% Student-t half-width per cell from Welford's M2 (needs `with_spread`; empty with
  // fewer than two replications). NOTE: one pass cannot reproduce the two-pass sum of
  // squared deviations bit for bit; the two agree to rounding (error ~ n x 1e-16 x
  // |mean| / sd; 1e-14 relative measured on shop series). Stores that keep the values
  // give the exact one.
  std::vector<SeriesTable> ci95() const;

 private:
  struct Column {
    std::vector<double> time;  // the "t_s" column, copied from the first replication
    std::vector<double> sum;   // of the observations (non-NaN), in replication order
    std::vector<std::uint32_t> count;
    std::vector<double> running_mean;  // Welford, with_spread only
    std::vector<double> m2;
  };
  std::vector<SeriesTable> tables_of(
      const std::function<std::vector<double>(const Column&)>& values) const;
  void fold_first();
  void accumulate(const std::vector<SeriesTable>& replication);

  bool with_spread_;
  std::size_t replications_ = 0;
  std::vector<TableShape> shapes_;
  std::vector<std::vector<Column>> columns_;  // [table][column], once folded
  std::vector<SeriesTable> first_;            // the only replication so far, not folded
};

// The exact 95% Student-t half-widths of `mean`, in a second pass: per cell the squared
// deviations of the observations from the mean, summed in replication order.
// `column(t, c)` returns column c of table t for every replication, [replication][bucket]
// row-major, `replications` rows of them. "t_s" columns are copied from `mean`.
std::vector<SeriesTable> two_pass_ci95(
    const std::vector<SeriesTable>& mean, std::size_t replications,
    const std::function<std::vector<double>(std::size_t t, std::size_t c)>& column);

// The same for replications held in memory (replication order).
std::vector<SeriesTable> two_pass_ci95(const std::vector<SeriesTable>& mean,
                                       const std::vector<std::vector<SeriesTable>>& replications);

// Merges per-replication tables held in memory (replication order; every replication
// has the same tables, columns and rows, else std::logic_error): the accumulator's mean
// and the two-pass half-widths, so the result does not depend on which thread ran which
// replication.
MergedSeries merge_series(const std::vector<std::vector<SeriesTable>>& replications);

}  // namespace surgesim::models
