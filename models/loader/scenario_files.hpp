#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>

namespace surgesim::models {

// A file a scenario names that cannot be read; what() says why ("no such file").
class FileUnreadable : public std::runtime_error {
 public:
  FileUnreadable(const std::string& why, bool directory = false)
      : std::runtime_error(why), directory_(directory) {}
  bool directory() const { return directory_; }  // a directory, not a file

 private:
  bool directory_;
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

  // The bytes of the file at `path`. Throws FileUnreadable.
  const std::string& read(const std::string& path);
  // Every file read so far (served from `known` or from disk).
  const Contents& read_files() const { return read_; }

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
