#include "models/loader/scenario_files.hpp"

#include "models/yaml/untrusted_text.hpp"

namespace surgesim::models {

ScenarioFiles ScenarioFiles::only(Contents known, std::string why_not) {
  ScenarioFiles files(std::move(known));
  files.no_disk_ = std::move(why_not);
  return files;
}

const std::string& ScenarioFiles::read(const std::string& path, const InputKind& kind,
                                       std::size_t limit) {
  const auto too_large = [&] {
    throw FileUnreadable(std::string("the ") + kind.name + " '" + excerpt(path) +
                         "' is larger than the " + std::to_string(limit) +
                         " bytes left of what surgesim reads: " + kind.advice);
  };
  if (const auto it = read_.find(path); it != read_.end()) {
    if (it->second.size() > limit) too_large();
    return it->second;
  }
  if (const auto it = files_.find(path); it != files_.end()) {
    if (it->second.size() > limit) too_large();  // shipped files are held to the limit too
    return read_.emplace(path, it->second).first->second;
  }
  if (no_disk_) {
    throw FileUnreadable(std::string("cannot open the ") + kind.name + " '" + excerpt(path) +
                         "': " + *no_disk_);
  }
  try {
    return read_.emplace(path, read_input_file(path, kind, limit)).first->second;
  } catch (const InputFileError& e) {
    throw FileUnreadable(e.what());
  }
}

}  // namespace surgesim::models
