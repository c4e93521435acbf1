#pragma once

#include <stdexcept>
#include <string>

namespace surgesim::models {

// A scenario that cannot be used: says where (file:line:column, or the --set option it
// came from), which key (its dotted path), what was expected and what was found.
class ScenarioError : public std::runtime_error {
 public:
  ScenarioError(std::string location, std::string key_path, std::string problem)
      : std::runtime_error(format(location, key_path, problem)),
        location_(std::move(location)),
        key_path_(std::move(key_path)),
        problem_(std::move(problem)) {}

  const std::string& location() const { return location_; }
  const std::string& key_path() const { return key_path_; }
  const std::string& problem() const { return problem_; }

 private:
  static std::string format(const std::string& location, const std::string& key_path,
                            const std::string& problem) {
    std::string message = location.empty() ? "" : location + ": ";
    if (!key_path.empty()) message += key_path + ": ";
    return message + problem;
  }

  std::string location_;
  std::string key_path_;
  std::string problem_;
};

}  // namespace surgesim::models
