#include "models/results/result_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "models/interrupted.hpp"
#include "models/loader/scenario_error.hpp"
#include "models/results/hdf5_file.hpp"

namespace surgesim::models {
namespace {

namespace fs = std::filesystem;

// The /summary attributes besides the identity ones: a headline number by its JSON
// pointer, also as NAME_ci95 when the summary has half-widths.
struct HeadlineAttribute {
  const char* name;
  const char* pointer;
};
constexpr HeadlineAttribute kHeadlineAttributes[] = {
    {"sessions_started", "/sessions/started"},
    {"sessions_completed", "/sessions/completed"},
    {"sessions_dropped", "/sessions/dropped"},
    {"drop_rate", "/drop_rate"},
    {"orders", "/orders"},
    {"revenue", "/revenue"},
    {"lost_revenue", "/lost_revenue/total"},
};

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) {
    if (!out.empty()) out += "\n";
    out += line;
  }
  return out;
}

void write_summary(hdf5::Writer& file, const ExperimentResult& result) {
  const Json& summary = result.summary;
  const hdf5::Handle root = file.group("/");
  file.string_dataset(root.get(), "summary_replications", Json(result.replications).dump(2));
  const hdf5::Handle dataset = file.string_dataset(root.get(), "summary", summary.dump(2));
  const hid_t s = dataset.get();
  hdf5::Writer::attribute(s, "scenario", summary.at("scenario").get<std::string>());
  hdf5::Writer::attribute(s, "seed", summary.at("seed").get<std::uint64_t>());
  hdf5::Writer::attribute(s, "replications", summary.at("replications").get<std::int64_t>());
  hdf5::Writer::attribute(s, "duration_s", summary.at("duration_s").get<double>());
  hdf5::Writer::attribute(s, "warmup_s", summary.at("warmup_s").get<double>());
  hdf5::Writer::attribute(s, "currency", summary.at("currency").get<std::string>());
  const Json* ci95 = summary.contains("ci95") ? &summary["ci95"] : nullptr;
  for (const HeadlineAttribute& a : kHeadlineAttributes) {
    const Json::json_pointer p(a.pointer);
    if (!summary.contains(p) || !summary.at(p).is_number()) continue;  // absent: skipped
    hdf5::Writer::attribute(s, a.name, summary.at(p).get<double>());
    if (ci95 && ci95->contains(p) && ci95->at(p).is_number()) {
      hdf5::Writer::attribute(s, std::string(a.name) + "_ci95", ci95->at(p).get<double>());
    }
  }
}

void write_scenario(hdf5::Writer& file, const Scenario& scenario,
                    const ResultProvenance& provenance) {
  const hdf5::Handle root = file.group("/");
  const hdf5::Handle dataset = file.string_dataset(root.get(), "scenario", scenario.resolved_text);
  hdf5::Writer::attribute(dataset.get(), "file", provenance.scenario_file);
  hdf5::Writer::attribute(dataset.get(), "surgesim_version", std::string(SURGESIM_VERSION));
  hdf5::Writer::attribute(dataset.get(), "overrides", joined(provenance.overrides));
}

void check_rows(const SeriesTable& table, std::size_t rows) {
  for (std::size_t c = 0; c < table.data.size(); ++c) {
    if (table.data[c].size() != rows || table.data.size() != table.columns.size()) {
      throw std::logic_error("result file: table " + table.path + " has columns of unequal length");
    }
  }
}

// /PATH/mean/COLUMN, /PATH/ci95/COLUMN and /PATH/replications/COLUMN of table t.
void write_table(hdf5::Writer& file, const ExperimentResult& result, std::size_t t,
                 double bucket_s) {
  const SeriesTable& mean = result.series_mean[t];
  check_rows(mean, mean.rows());
  if (!result.series_ci95.empty()) check_rows(result.series_ci95[t], mean.rows());
  for (const auto& tables : result.replication_series) check_rows(tables[t], mean.rows());
  const hdf5::Handle group = file.group(mean.path);
  hdf5::Writer::attribute(group.get(), "bucket_s", bucket_s);
  hdf5::Writer::attribute(group.get(), "columns", mean.columns);
  {
    const hdf5::Handle g = file.group(mean.path + "/mean");
    for (std::size_t c = 0; c < mean.columns.size(); ++c) {
      file.doubles(g.get(), mean.columns[c], mean.data[c]);
    }
  }
  if (!result.series_ci95.empty()) {
    const SeriesTable& ci95 = result.series_ci95[t];
    const hdf5::Handle g = file.group(mean.path + "/ci95");
    for (std::size_t c = 0; c < ci95.columns.size(); ++c) {
      file.doubles(g.get(), ci95.columns[c], ci95.data[c]);
    }
  }
  const hdf5::Handle g = file.group(mean.path + "/replications");
  const std::size_t reps = result.replication_series.size();
  const std::size_t rows = mean.rows();
  std::vector<double> matrix(reps * rows);
  for (std::size_t c = 0; c < mean.columns.size(); ++c) {
    for (std::size_t r = 0; r < reps; ++r) {
      const std::vector<double>& column = result.replication_series[r][t].data[c];
      std::copy(column.begin(), column.end(),
                matrix.begin() + static_cast<std::ptrdiff_t>(r * rows));
    }
    file.doubles(g.get(), mean.columns[c], reps, rows, matrix);
  }
}

void throw_if_stopped(const std::atomic<bool>* stop) {
  if (stop && stop->load()) throw Interrupted();
}

// The data must be on disk before the rename makes the file visible under its name,
// or a crash right after could leave an empty "complete" file.
void sync_to_disk(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0 || ::fsync(fd) != 0) {
    const std::string reason = std::strerror(errno);
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("cannot sync " + path + ": " + reason);
  }
  ::close(fd);
}

void write_file(const std::string& path, const Scenario& scenario, const ExperimentResult& result,
                const ResultProvenance& provenance, const std::atomic<bool>* stop) {
  hdf5::Writer file = hdf5::Writer::create(path);
  write_summary(file, result);
  write_scenario(file, scenario, provenance);
  for (std::size_t t = 0; t < result.series_mean.size(); ++t) {
    throw_if_stopped(stop);
    write_table(file, result, t, scenario.bucket);
  }
  file.close();
}

}  // namespace

void check_result_path(const std::string& path) {
  const fs::path p(path);
  std::error_code ec;
  if (path.empty() || !p.has_filename() || fs::is_directory(p, ec)) {
    throw ScenarioError("-o " + path, "", "expected a result file name, found a directory");
  }
  const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
  if (!fs::is_directory(dir, ec)) {
    throw ScenarioError("-o " + path, "",
                        "the directory " + dir.string() + " of the result file does not exist");
  }
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    throw ScenarioError(
        "-o " + path, "",
        "cannot write in the directory " + dir.string() + ": " + std::strerror(errno));
  }
}

void write_result_file(const std::string& path, const Scenario& scenario,
                       const ExperimentResult& result, const ResultProvenance& provenance,
                       const std::atomic<bool>* stop) {
  // Same directory, so the rename is atomic; the PID keeps two runs apart.
  const std::string temporary = path + ".tmp-" + std::to_string(::getpid());
  try {
    write_file(temporary, scenario, result, provenance, stop);
    sync_to_disk(temporary);
    throw_if_stopped(stop);
    fs::rename(temporary, path);
  } catch (...) {
    std::error_code ignored;
    fs::remove(temporary, ignored);
    throw;
  }
}

}  // namespace surgesim::models
