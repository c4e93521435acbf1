#include "models/results/result_file.hpp"

#include <functional>
#include <span>
#include <stdexcept>

#include "models/results/hdf5_file.hpp"
#include "models/results/output_file.hpp"
#include "models/results/series_merge.hpp"
#include "models/yaml/scenario_error.hpp"
#include "sim/interrupted.hpp"

namespace surgesim::models {
namespace {

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
    {"sessions_unfinished", "/sessions/unfinished"},
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
  if (summary.contains("start")) {
    hdf5::Writer::attribute(s, "start", summary.at("start").get<std::string>());
  }
  hdf5::Writer::attribute(s, "saturated", std::int64_t{summary.value("saturated", false)});
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

void check_rows(const SeriesTable& table, const TableShape& shape) {
  if (table.path != shape.path || table.columns != shape.columns ||
      table.data.size() != table.columns.size()) {
    throw std::logic_error("result file: table " + table.path + " is not the replications' " +
                           shape.path);
  }
  for (const auto& column : table.data) {
    if (column.size() != shape.rows) {
      throw std::logic_error("result file: table " + table.path + " has columns of unequal length");
    }
  }
}

// /PATH/mean/COLUMN, /PATH/ci95/COLUMN and /PATH/replications/COLUMN of table t, and
// the group's attributes (`start` with the scenario's: the clock at t_s = 0).
// `column(c)` gives column c of every replication, [replication][bucket] row-major.
void write_table(hdf5::Writer& file, const ExperimentResult& result, std::size_t t,
                 std::size_t replications, const Scenario& scenario,
                 const std::function<std::vector<double>(std::size_t)>& column) {
  const SeriesTable& mean = result.series_mean[t];
  const hdf5::Handle group = file.group(mean.path);
  hdf5::Writer::attribute(group.get(), "bucket_s", scenario.bucket);
  if (scenario.start) hdf5::Writer::attribute(group.get(), "start", scenario.start->text);
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
  for (std::size_t c = 0; c < mean.columns.size(); ++c) {
    file.doubles(g.get(), mean.columns[c], replications, mean.rows(), column(c));
  }
}

void throw_if_stopped(const std::atomic<bool>* stop) {
  if (stop && stop->load()) throw sim::Interrupted();
}

}  // namespace

void check_result_path(const std::string& path) {
  check_output_path(path);
}

struct ResultFileWriter::State {
  explicit State(const std::string& path) : path(path), scratch(path) {}

  // Column c of table t for every replication, [replication][bucket] row-major.
  std::vector<double> column(std::size_t t, std::size_t c) const {
    const std::size_t rows = shapes.at(t).rows;
    std::vector<double> values(added * rows);
    for (std::size_t r = 0; r < added; ++r) {
      scratch.read(std::span(values).subspan(r * rows, rows), r * record + offsets[t][c]);
    }
    return values;
  }

  void write_file(int fd, const Scenario& scenario, const ExperimentResult& result,
                  const ResultProvenance& provenance, const std::atomic<bool>* stop) const {
    hdf5::Writer file = hdf5::Writer::create(fd);
    write_summary(file, result);
    write_scenario(file, scenario, provenance);
    for (std::size_t t = 0; t < result.series_mean.size(); ++t) {
      throw_if_stopped(stop);
      write_table(file, result, t, added, scenario, [&](std::size_t c) { return column(t, c); });
    }
    file.close();
  }

  std::string path;
  ScratchFile scratch;
  std::vector<TableShape> shapes;
  std::vector<std::vector<std::size_t>> offsets;  // [table][column], in values
  std::size_t record = 0;                         // values per replication
  std::size_t added = 0;                          // replications
};

ResultFileWriter::ResultFileWriter(const std::string& path) {
  remove_stale_temporaries(path);
  state_ = std::make_unique<State>(path);
}

ResultFileWriter::~ResultFileWriter() = default;

void ResultFileWriter::add(const std::vector<SeriesTable>& replication) {
  State& s = *state_;
  if (s.added == 0) {
    s.shapes = TableShape::of(replication);
    for (const TableShape& shape : s.shapes) {
      std::vector<std::size_t>& offsets = s.offsets.emplace_back();
      for (std::size_t c = 0; c < shape.columns.size(); ++c) {
        offsets.push_back(s.record);
        s.record += shape.rows;
      }
    }
  } else {
    TableShape::check(s.shapes, replication, s.added);
  }
  for (std::size_t t = 0; t < s.shapes.size(); ++t) {
    for (std::size_t c = 0; c < s.shapes[t].columns.size(); ++c) {
      s.scratch.write(replication[t].data[c], s.added * s.record + s.offsets[t][c]);
    }
  }
  ++s.added;
}

std::vector<SeriesTable> ResultFileWriter::ci95(const std::vector<SeriesTable>& mean) {
  const State& s = *state_;
  return two_pass_ci95(mean, s.added, [&](std::size_t t, std::size_t c) { return s.column(t, c); });
}

void ResultFileWriter::commit(const Scenario& scenario, const ExperimentResult& result,
                              const ResultProvenance& provenance, const std::atomic<bool>* stop) {
  const State& s = *state_;
  if (result.replications.size() != s.added) {
    throw std::logic_error("result file: the series of " + std::to_string(s.added) +
                           " replications were added, for " +
                           std::to_string(result.replications.size()) + " replications");
  }
  if (result.series_mean.size() != s.shapes.size() ||
      (!result.series_ci95.empty() && result.series_ci95.size() != s.shapes.size())) {
    throw std::logic_error("result file: the merged tables are not the replications' tables");
  }
  for (std::size_t t = 0; t < s.shapes.size(); ++t) {
    check_rows(result.series_mean[t], s.shapes[t]);
    if (!result.series_ci95.empty()) check_rows(result.series_ci95[t], s.shapes[t]);
  }
  // Unpublished, the pending file leaves nothing behind and a previous file at `path` as
  // it was, whatever went wrong.
  try {
    PendingFile pending(s.path);
    s.write_file(pending.fd(), scenario, result, provenance, stop);
    throw_if_stopped(stop);
    pending.publish();
  } catch (const sim::Interrupted&) {
    throw;
  } catch (const std::runtime_error& e) {
    throw std::runtime_error("cannot write the result file " + s.path + ": " + e.what() +
                             "; nothing was written, and a previous file of that name is "
                             "unchanged");
  }
}

void write_result_file(const std::string& path, const Scenario& scenario,
                       const ExperimentResult& result, const ResultProvenance& provenance,
                       const std::atomic<bool>* stop) {
  ResultFileWriter file(path);
  for (const auto& tables : result.replication_series) file.add(tables);
  file.commit(scenario, result, provenance, stop);
}

}  // namespace surgesim::models
