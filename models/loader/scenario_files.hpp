#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>

#include "models/loader/input_file.hpp"

namespace surgesim::models {

// A file a scenario names that cannot be read; what() says what it is and why, never
// what it holds ("expected a CSV file, found a FIFO: 'x.csv' ...").
class FileUnreadable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The files a scenario names besides itself (`extends` bases, traffic CSVs), by the path
// the loader resolves them to. Everything read is remembered, so that a scenario can
// travel with its files (Python's Scenario, a sweep point on a Dask worker) and be
// loaded again, bit for bit the same, where those files do not exist.
class ScenarioFiles {
 public:
  using Contents = std::map<std::string, std::string>;  // resolved path -> bytes

  // Reads from disk whatever `known` does not hold.
  explicit ScenarioFiles(Contents known = {}) : files_(std::move(known)) {}
  // Reads no file: only `known` is served; anything else fails with `why_not`
  // ("not among the files shipped with the scenario").
  static ScenarioFiles only(Contents known, std::string why_not);

  // The bytes of the file at `path`, a `kind` of file of at most `limit` bytes, read from
  // disk as input_file.hpp says (a regular file, the size checked first). Throws
  // FileUnreadable.
  const std::string& read(const std::string& path, const InputKind& kind, std::size_t limit);
  // Every file read so far (served from `known` or from disk).
  const Contents& read_files() const { return read_; }
  // False for ScenarioFiles::only: no path reaches the disk, relative or not.
  bool reads_disk() const { return !no_disk_; }

 private:
  Contents files_;
  Contents read_;
  std::optional<std::string> no_disk_;  // set: read no file, and why
};

// Where the files a scenario names are found: relative paths start at `dir` (the
// scenario file's directory), and `files` reads them.
struct ScenarioPaths {
  std::string dir;
  ScenarioFiles& files;
};

}  // namespace surgesim::models
