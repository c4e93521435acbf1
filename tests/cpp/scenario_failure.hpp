#pragma once

// Checking where a scenario error points: its location, key path and words.
#include <doctest/doctest.h>

#include <initializer_list>
#include <string>

#include "models/yaml/scenario_error.hpp"

namespace surgesim::testing {

struct Failure {
  std::string location, path, problem, message;
};

// The ScenarioError that `load()` throws; a test failure if it throws none.
template <class Load>
Failure failure_of(Load&& load, const std::string& text) {
  try {
    load();
  } catch (const models::ScenarioError& e) {
    return {e.location(), e.key_path(), e.problem(), e.what()};
  }
  FAIL("loaded without an error:\n" << text);
  return {};
}

inline std::string at(int line, int column) {
  return "test.yaml:" + std::to_string(line) + ":" + std::to_string(column);
}

}  // namespace surgesim::testing

// Checks where an error points, its key path, and that the problem holds every word.
#define CHECK_FAILURE(failure_expr, where, key_path, ...)                               \
  do {                                                                                  \
    const ::surgesim::testing::Failure f_ = (failure_expr);                             \
    INFO("message: " << f_.message);                                                    \
    CHECK(f_.location == (where));                                                      \
    CHECK(f_.path == (key_path));                                                       \
    for (const std::string& w_ : std::initializer_list<std::string>{__VA_ARGS__}) {     \
      CHECK_MESSAGE(f_.problem.find(w_) != std::string::npos, "missing words: " << w_); \
    }                                                                                   \
    CHECK(f_.message ==                                                                 \
          f_.location + ": " + (f_.path.empty() ? "" : f_.path + ": ") + f_.problem);   \
  } while (false)
