#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "models/results/experiment_result.hpp"
#include "models/results/series_store.hpp"
#include "models/scenario.hpp"

namespace surgesim::models {

// Where a result file came from, for its /scenario attributes.
struct ResultProvenance {
  std::string scenario_file;           // as the user named it
  std::vector<std::string> overrides;  // the --set options, in order
};

// Throws ScenarioError (a usage error) if `path` cannot be a result file: its directory
// is missing or not writable, or it names a directory, a device, a FIFO or a socket.
// Run before a long simulation, not after it.
void check_result_path(const std::string& path);

// The HDF5 result file of the layout docs/scenario.md describes, for an experiment that does not
// keep its replications' tables in memory. As a SeriesStore (RunOptions::series_store) it appends
// every replication's tables, as they are merged, to a scratch file beside `path` that
// has no name (output_file.hpp), and computes the exact ci95 by reading them back one
// column at a time. commit() writes the file beside `path` (the replications/ datasets
// from the scratch file, one column at a time), syncs it and renames it to `path`; on
// any failure (a full disk: "cannot write the result file PATH: No space left on
// device; ..."), or when `stop` becomes true before the rename (Interrupted), nothing is
// left behind and a previous file at `path` is left as it was. Constructing one removes
// the temporaries of `path` that killed processes left. Memory: one column of every
// replication at a time.
// NOTE: the scratch file holds the tables uncompressed (0.7 MB per replication for
// Harbolnas' 4 h in minutes) until the writer is destroyed. Writing HDF5 only at the
// end keeps every dataset laid out as before (chunks sized from the final count, which
// --precision knows only at the end) and HDF5 calls off the run.
class ResultFileWriter final : public SeriesStore {
 public:
  explicit ResultFileWriter(const std::string& path);
  ~ResultFileWriter() override;
  ResultFileWriter(const ResultFileWriter&) = delete;
  ResultFileWriter& operator=(const ResultFileWriter&) = delete;

  void add(const std::vector<SeriesTable>& replication) override;
  std::vector<SeriesTable> ci95(const std::vector<SeriesTable>& mean) override;

  // Writes the file of `result` (its summary, series_mean and series_ci95 as they are;
  // its replications must be those added) and renames it to `path`.
  void commit(const Scenario& scenario, const ExperimentResult& result,
              const ResultProvenance& provenance, const std::atomic<bool>* stop = nullptr);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Writes an experiment held in memory (its replication_series kept) to `path` at once,
// through ResultFileWriter.
void write_result_file(const std::string& path, const Scenario& scenario,
                       const ExperimentResult& result, const ResultProvenance& provenance,
                       const std::atomic<bool>* stop = nullptr);

}  // namespace surgesim::models
