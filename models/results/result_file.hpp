#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "models/experiment.hpp"
#include "models/scenario.hpp"

namespace surgesim::models {

// Where a result file came from, for its /scenario attributes.
struct ResultProvenance {
  std::string scenario_file;           // as the user named it
  std::vector<std::string> overrides;  // the --set options, in order
};

// Throws ScenarioError (a usage error) if `path` cannot be a result file: its directory
// is missing or not writable, or it names a directory. Run before a long simulation,
// not after it.
void check_result_path(const std::string& path);

// Writes the HDF5 result file of common.md's layout (/summary, /summary_replications,
// /scenario and every time series table as mean, ci95 and replications) to
// "PATH.tmp-PID" and renames it to `path` only once complete. On any failure, or when
// `stop` becomes true before the rename (Interrupted), the temporary file is removed
// and a previous file at `path` is left as it was.
void write_result_file(const std::string& path, const Scenario& scenario,
                       const ExperimentResult& result, const ResultProvenance& provenance,
                       const std::atomic<bool>* stop = nullptr);

}  // namespace surgesim::models
