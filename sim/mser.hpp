#pragma once

#include <cstddef>
#include <span>

namespace surgesim::sim {

// Where the Marginal Standard Error Rule (White 1997; MSER-5 with batch_size 5) ends the
// initial transient of an output series.
struct MserTruncation {
  std::size_t batches = 0;    // whole batches in the series (a trailing partial one is dropped)
  std::size_t truncated = 0;  // d*: batches to discard from the start
  std::size_t batch_size = 5;

  // Observations to discard from the start: d* x batch_size.
  std::size_t truncated_points() const { return truncated * batch_size; }
};

// MSER over batch means: the series is cut into batches of `batch_size` consecutive
// observations, each replaced by its mean; d* minimises
//   MSER(d) = sum_{j > d} (Z_j - mean_{j > d} Z)^2 / (n - d)^2
// over d in [0, n/2] (the second half is never truncated: the rule is unstable there).
// NaN observations (no data in that bucket) are skipped inside a batch; a batch
// without any observation is skipped in the sums, so n - d counts batches that have
// one. Ties go to the smallest d. A series with fewer than two batches with data
// after every candidate d gets d* = 0. batch_size must be positive
// (std::invalid_argument).
MserTruncation mser(std::span<const double> series, std::size_t batch_size = 5);

}  // namespace surgesim::sim
