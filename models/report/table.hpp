#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace surgesim::models {

// A plain-text table: the first `left_columns` columns (names, words) left-aligned, the
// others (figures) right-aligned.
class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header, std::size_t left_columns = 1)
      : left_columns_(left_columns) {
    rows_.push_back(std::move(header));
  }
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  std::string render(const std::string& indent = "  ") const;

 private:
  std::size_t left_columns_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace surgesim::models
