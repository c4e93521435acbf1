#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace surgesim::models {

using Json = nlohmann::ordered_json;

// One time series table: a row per bucket of width `bucket` over [0, duration), the
// warm-up included (plots and MSER-5 want the transient). `path` is where it lives in a
// result file ("timeseries/services/web", "sessions/drops", "revenue"); the first
// column is always "t_s", the bucket's start. NaN marks "no observation" (e.g. a
// quantile of a bucket without responses).
struct SeriesTable {
  std::string path;
  std::vector<std::string> columns;
  std::vector<std::vector<double>> data;  // data[column][bucket]

  SeriesTable(std::string table_path, const std::vector<std::string>& value_columns)
      : path(std::move(table_path)), columns{"t_s"} {
    columns.insert(columns.end(), value_columns.begin(), value_columns.end());
    data.resize(columns.size());
  }
  SeriesTable() = default;

  // Appends the row of bucket starting at t_s; `values` follow `columns` after "t_s".
  void append(double t_s, const std::vector<double>& values) {
    data[0].push_back(t_s);
    for (std::size_t c = 0; c < values.size() && c + 1 < data.size(); ++c) {
      data[c + 1].push_back(values[c]);
    }
  }

  std::size_t rows() const { return data.empty() ? 0 : data.front().size(); }
  const std::vector<double>* column(const std::string& name) const {
    for (std::size_t c = 0; c < columns.size(); ++c) {
      if (columns[c] == name) return &data[c];
    }
    return nullptr;
  }
};

// What one replication produces: the summary tree of docs/scenario.md (without the
// experiment-level fields) and its time series.
struct ReplicationResult {
  Json summary;
  std::vector<SeriesTable> series;
};

}  // namespace surgesim::models
