#pragma once

#include <limits>
#include <stdexcept>
#include <string>

#include "models/yaml/untrusted_text.hpp"

namespace surgesim::models {

// A scenario that cannot be used: says where (file:line:column, or the --set option it
// came from), which key (its dotted path), what was expected and what was found.
// Whatever went into it, the message quotes no key or value longer than 80 characters
// and holds no control character (untrusted_text.hpp).
class ScenarioError : public std::runtime_error {
 public:
  ScenarioError(const std::string& location, const std::string& key_path,
                const std::string& problem)
      : ScenarioError(Parts{excerpt(location, std::numeric_limits<std::size_t>::max()),
                            shortened_words(key_path), shortened_words(problem)}) {}

  const std::string& location() const { return location_; }
  const std::string& key_path() const { return key_path_; }
  const std::string& problem() const { return problem_; }

 private:
  struct Parts {
    std::string location, key_path, problem;
  };
  explicit ScenarioError(Parts p)
      : std::runtime_error(format(p.location, p.key_path, p.problem)),
        location_(std::move(p.location)),
        key_path_(std::move(p.key_path)),
        problem_(std::move(p.problem)) {}

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
