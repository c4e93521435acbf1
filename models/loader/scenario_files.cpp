#include "models/loader/scenario_files.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace surgesim::models {

ScenarioFiles ScenarioFiles::only(Contents known, std::string why_not) {
  ScenarioFiles files(std::move(known));
  files.no_disk_ = std::move(why_not);
  return files;
}

const std::string& ScenarioFiles::read(const std::string& path) {
  if (const auto it = read_.find(path); it != read_.end()) return it->second;
  if (const auto it = files_.find(path); it != files_.end()) {
    return read_.emplace(path, it->second).first->second;
  }
  if (no_disk_) throw FileUnreadable(*no_disk_);
  // A directory opens fine on Linux and reads as empty, which would mislead.
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw FileUnreadable("it is a directory", true);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int error = errno;
    throw FileUnreadable(std::filesystem::exists(path, ec) ? std::strerror(error) : "no such file");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return read_.emplace(path, text.str()).first->second;
}

}  // namespace surgesim::models
