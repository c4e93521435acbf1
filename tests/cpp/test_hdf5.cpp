// Result files (models/results): series merging over replications, one replication at a
// time and in replication order, the HDF5 layout of docs/scenario.md read back through the
// HDF5 C API, the temp-file + rename discipline, and a run whose replications go to the
// file as they are merged instead of staying in memory.
#include <doctest/doctest.h>
#include <hdf5.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <numeric>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "models/loader/scenario_loader.hpp"
#include "models/results/result_file.hpp"
#include "models/results/series_merge.hpp"
#include "models/run/experiment.hpp"
#include "models/yaml/scenario_error.hpp"
#include "sim/confidence.hpp"
#include "sim/interrupted.hpp"
#include "sim/replications_in_order.hpp"

namespace fs = std::filesystem;
using surgesim::models::ExperimentResult;
using surgesim::models::Json;
using surgesim::models::ResultFileWriter;
using surgesim::models::RunOptions;
using surgesim::models::Scenario;
using surgesim::models::SeriesAccumulator;
using surgesim::models::SeriesTable;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

SeriesTable table(const std::string& path, const std::vector<std::string>& columns,
                  std::vector<std::vector<double>> data) {
  SeriesTable t;
  t.path = path;
  t.columns = columns;
  t.data = std::move(data);
  return t;
}

// Two tables per replication over 4 one-minute buckets; values differ by replication,
// with a NaN (no observation) in replication 1.
std::vector<SeriesTable> replication_tables(int r) {
  const double x = r;
  const std::vector<double> t_s = {0, 60, 120, 180};
  return {
      table("timeseries/services/web", {"t_s", "arrivals", "p99_s"},
            {t_s, {10 + x, 20 + x * x, 30 - x, 40}, {0.1 * x, r == 1 ? kNaN : 0.2, 0.3, kNaN}}),
      table("sessions/drops", {"t_s", "abandoned", "checkout.slow"},
            {t_s, {x, 0, 1, 2}, {0, 0, 0, x}}),
  };
}

// A directory of its own per test, removed afterwards.
struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() /
           ("surgesim-test-hdf5-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  static int& counter() {
    static int n = 0;
    return n;
  }
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(path)) names.push_back(e.path().filename());
    return names;
  }
};

std::string file_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// --- reading back with the plain C API -------------------------------------------------

struct Closer {
  hid_t id;
  herr_t (*close)(hid_t);
  ~Closer() {
    if (id >= 0) close(id);
  }
};

std::string read_string_dataset(hid_t file, const char* name) {
  const Closer d{H5Dopen2(file, name, H5P_DEFAULT), H5Dclose};
  REQUIRE(d.id >= 0);
  const Closer type{H5Dget_type(d.id), H5Tclose};
  CHECK(H5Tis_variable_str(type.id) > 0);
  CHECK(H5Tget_cset(type.id) == H5T_CSET_UTF8);
  char* text = nullptr;
  REQUIRE(H5Dread(d.id, type.id, H5S_ALL, H5S_ALL, H5P_DEFAULT, &text) >= 0);
  std::string out(text);
  H5free_memory(text);
  return out;
}

std::string read_string_attribute(hid_t object, const char* name) {
  const Closer a{H5Aopen(object, name, H5P_DEFAULT), H5Aclose};
  REQUIRE(a.id >= 0);
  const Closer type{H5Aget_type(a.id), H5Tclose};
  char* text = nullptr;
  REQUIRE(H5Aread(a.id, type.id, &text) >= 0);
  std::string out(text);
  H5free_memory(text);
  return out;
}

std::vector<std::string> read_string_list_attribute(hid_t object, const char* name) {
  const Closer a{H5Aopen(object, name, H5P_DEFAULT), H5Aclose};
  REQUIRE(a.id >= 0);
  const Closer type{H5Aget_type(a.id), H5Tclose};
  const Closer space{H5Aget_space(a.id), H5Sclose};
  std::vector<char*> texts(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.id)));
  REQUIRE(H5Aread(a.id, type.id, texts.data()) >= 0);
  std::vector<std::string> out(texts.begin(), texts.end());
  for (char* t : texts) H5free_memory(t);
  return out;
}

template <class T>
T read_number_attribute(hid_t object, const char* name, hid_t memory_type) {
  const Closer a{H5Aopen(object, name, H5P_DEFAULT), H5Aclose};
  REQUIRE(a.id >= 0);
  T value{};
  REQUIRE(H5Aread(a.id, memory_type, &value) >= 0);
  return value;
}

struct Doubles {
  std::vector<hsize_t> dims;
  std::vector<double> values;
  bool shuffled = false;
  bool deflated = false;
  bool chunked = false;
};

Doubles read_doubles(hid_t file, const std::string& name) {
  const Closer d{H5Dopen2(file, name.c_str(), H5P_DEFAULT), H5Dclose};
  REQUIRE_MESSAGE(d.id >= 0, name);
  const Closer space{H5Dget_space(d.id), H5Sclose};
  Doubles out;
  out.dims.resize(static_cast<std::size_t>(H5Sget_simple_extent_ndims(space.id)));
  H5Sget_simple_extent_dims(space.id, out.dims.data(), nullptr);
  out.values.resize(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.id)));
  REQUIRE(H5Dread(d.id, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.values.data()) >= 0);
  const Closer plist{H5Dget_create_plist(d.id), H5Pclose};
  out.chunked = H5Pget_layout(plist.id) == H5D_CHUNKED;
  for (int f = 0; f < H5Pget_nfilters(plist.id); ++f) {
    unsigned flags = 0;
    std::size_t n = 0;
    unsigned config = 0;
    const H5Z_filter_t id = H5Pget_filter2(plist.id, static_cast<unsigned>(f), &flags, &n, nullptr,
                                           0, nullptr, &config);
    out.shuffled |= id == H5Z_FILTER_SHUFFLE;
    out.deflated |= id == H5Z_FILTER_DEFLATE;
  }
  return out;
}

bool same_values(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(a[i]) != std::isnan(b[i])) return false;
    if (!std::isnan(a[i]) && a[i] != b[i]) return false;
  }
  return true;
}

// A small experiment result around the synthetic tables, shaped as run_experiment's.
struct Fixture {
  Scenario scenario;
  ExperimentResult result;
  explicit Fixture(int replications) {
    scenario.name = "synthetic";
    scenario.duration = 240;
    scenario.bucket = 60;
    scenario.resolved_text = "name: synthetic\nduration: 4m\n";
    for (int r = 0; r < replications; ++r) {
      result.replications.push_back(
          Json{{"sessions", {{"started", 100 + r}, {"completed", 90}, {"dropped", 10 - r}}},
               {"drop_rate", 0.1 - 0.01 * r},
               {"orders", 5 + r},
               {"revenue", 500.0 + r},
               {"lost_revenue", {{"total", 50.0}}}});
      result.replication_series.push_back(replication_tables(r));
    }
    auto merged = surgesim::models::merge_series(result.replication_series);
    result.series_mean = std::move(merged.mean);
    result.series_ci95 = std::move(merged.ci95);
    auto [mean, ci95] = surgesim::models::merge_replications(result.replications);
    result.summary =
        Json{{"scenario", "synthetic"}, {"seed", 42},       {"replications", replications},
             {"duration_s", 240.0},     {"warmup_s", 60.0}, {"currency", "IDR"}};
    result.summary.update(mean);
    result.summary["drop_rate"] = nullptr;  // "absent fields are skipped"
    if (replications >= 2) result.summary["ci95"] = ci95;
  }
};

// A small shop in one-second buckets: 1,800 rows per table, so each replication's
// tables (about 0.3 MB) outweigh its summary tree.
constexpr const char* kStreamShop = R"(
name: stream
duration: 30m
warmup: 1m
bucket: 1s
seed: 5
replications: 12
traffic: {rate: 5/s}
journeys:
  shop:
    share: 1
    patience: {dist: exponential, mean: 3s}
    pages:
      home: {call: web, next: {buy: 0.3, exit: 0.7}}
      buy: {call: web, next: {exit: 1}, order: {value: 1000}}
services:
  web:
    type: server_pool
    instances: 2
    workers: 3
    service: {dist: exponential, mean: 1s}
)";

RunOptions run_options(unsigned threads, bool keep,
                       surgesim::models::SeriesStore* store = nullptr) {
  RunOptions options;
  options.threads = threads;
  options.keep_replication_series = keep;
  options.series_store = store;
  return options;
}

// Welford's one-pass half-widths against the two-pass ones: the same cells observed,
// and values equal to rounding. Both sum n terms of size ~s^2 with relative error
// ~n x 1e-16 (Chan, Golub & LeVeque 1983, times |mean| / s for Welford); 1e-12 is far
// above that for n <= 12 and far below any wrong formula (n for n - 1 is >= 4%).
void check_equal_to_rounding(const std::vector<SeriesTable>& one_pass,
                             const std::vector<SeriesTable>& two_pass) {
  REQUIRE(one_pass.size() == two_pass.size());
  double worst = 0.0;
  for (std::size_t t = 0; t < two_pass.size(); ++t) {
    for (std::size_t c = 0; c < two_pass[t].data.size(); ++c) {
      const auto& a = one_pass[t].data[c];
      const auto& b = two_pass[t].data[c];
      REQUIRE(a.size() == b.size());
      for (std::size_t i = 0; i < a.size(); ++i) {
        REQUIRE(std::isnan(a[i]) == std::isnan(b[i]));
        if (std::isnan(b[i])) continue;
        if (b[i] == 0.0) {
          CHECK(a[i] == 0.0);  // equal observations: Welford's M2 stays exactly 0
          continue;
        }
        worst = std::max(worst, std::abs(a[i] - b[i]) / std::abs(b[i]));
      }
    }
  }
  INFO("largest relative difference " << worst);
  CHECK(worst <= 1e-12);
}

void check_same_tables(const std::vector<SeriesTable>& a, const std::vector<SeriesTable>& b) {
  REQUIRE(a.size() == b.size());
  for (std::size_t t = 0; t < a.size(); ++t) {
    CHECK(a[t].path == b[t].path);
    CHECK(a[t].columns == b[t].columns);
    REQUIRE(a[t].data.size() == b[t].data.size());
    for (std::size_t c = 0; c < a[t].data.size(); ++c)
      CHECK(same_values(a[t].data[c], b[t].data[c]));
  }
}

// Every dataset of two result files of the same experiment shape, value for value.
void check_same_files(const std::string& a_path, const std::string& b_path,
                      const std::vector<SeriesTable>& tables) {
  const Closer a{H5Fopen(a_path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose};
  const Closer b{H5Fopen(b_path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose};
  REQUIRE(a.id >= 0);
  REQUIRE(b.id >= 0);
  for (const char* name : {"summary", "summary_replications", "scenario"}) {
    CHECK(read_string_dataset(a.id, name) == read_string_dataset(b.id, name));
  }
  for (const SeriesTable& table : tables) {
    for (const std::string& column : table.columns) {
      for (const char* kind : {"mean", "ci95", "replications"}) {
        const std::string name = table.path + "/" + kind + "/" + column;
        CAPTURE(name);
        const Doubles x = read_doubles(a.id, name);
        const Doubles y = read_doubles(b.id, name);
        CHECK(x.dims == y.dims);
        CHECK(same_values(x.values, y.values));
      }
    }
  }
}

}  // namespace

TEST_CASE("merge_series: NaN-skipping mean and Student-t half-width per cell") {
  std::vector<std::vector<SeriesTable>> reps;
  for (int r = 0; r < 3; ++r) reps.push_back(replication_tables(r));
  const auto merged = surgesim::models::merge_series(reps);
  REQUIRE(merged.mean.size() == 2);
  REQUIRE(merged.ci95.size() == 2);
  const SeriesTable& mean = merged.mean[0];
  const SeriesTable& ci = merged.ci95[0];
  CHECK(mean.path == "timeseries/services/web");
  CHECK(mean.columns == std::vector<std::string>{"t_s", "arrivals", "p99_s"});
  CHECK(mean.data[0] == std::vector<double>{0, 60, 120, 180});
  CHECK(ci.data[0] == mean.data[0]);  // the time axis, not a statistic

  // arrivals in bucket 1: 20, 21, 24.
  const std::vector<double> cell = {20, 21, 24};
  const auto expected = surgesim::sim::mean_ci(cell, 0.95);
  CHECK(mean.data[1][1] == doctest::Approx(expected.mean).epsilon(1e-15));
  CHECK(ci.data[1][1] == doctest::Approx(expected.half_width).epsilon(1e-12));
  CHECK(ci.data[1][3] == 0.0);  // 40 everywhere

  // p99_s in bucket 1: 0.2, NaN, 0.2 -> mean of the two observations.
  CHECK(mean.data[2][1] == doctest::Approx(0.2));
  CHECK(ci.data[2][1] == 0.0);
  // bucket 3: NaN everywhere stays NaN, in both.
  CHECK(std::isnan(mean.data[2][3]));
  CHECK(std::isnan(ci.data[2][3]));
}

TEST_CASE("merge_series: one replication has means only; one observation has no half-width") {
  const auto single = surgesim::models::merge_series({replication_tables(1)});
  CHECK(single.ci95.empty());
  CHECK(std::isnan(single.mean[0].data[2][1]));

  std::vector<std::vector<SeriesTable>> reps = {replication_tables(0), replication_tables(1)};
  const auto two = surgesim::models::merge_series(reps);
  // p99_s bucket 1: 0.2 and NaN -> one observation: mean 0.2, half-width unknown.
  CHECK(two.mean[0].data[2][1] == doctest::Approx(0.2));
  CHECK(std::isnan(two.ci95[0].data[2][1]));
}

TEST_CASE("merge_series: replications of different shapes are a logic error") {
  std::vector<std::vector<SeriesTable>> reps = {replication_tables(0), replication_tables(1)};
  reps[1][0].data[1].pop_back();
  CHECK_THROWS_AS(surgesim::models::merge_series(reps), std::logic_error);
  reps = {replication_tables(0), replication_tables(1)};
  reps[1][1].path = "revenue";
  CHECK_THROWS_AS(surgesim::models::merge_series(reps), std::logic_error);
  reps = {replication_tables(0), replication_tables(1)};
  reps[1].pop_back();
  CHECK_THROWS_AS(surgesim::models::merge_series(reps), std::logic_error);
}

TEST_CASE("write_result_file: the layout of docs/scenario.md, read back") {
  const TempDir dir;
  const Fixture f(3);
  const std::string path = (dir.path / "out.h5").string();
  surgesim::models::write_result_file(path, f.scenario, f.result,
                                      {"configs/x.yaml", {"a.b=1", "c=2"}});
  CHECK(dir.entries() == std::vector<std::string>{"out.h5"});

  const Closer file{H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose};
  REQUIRE(file.id >= 0);
  CHECK(read_string_dataset(file.id, "summary") == f.result.summary.dump(2));
  CHECK(Json::parse(read_string_dataset(file.id, "summary_replications")) ==
        Json(f.result.replications));
  CHECK(read_string_dataset(file.id, "scenario") == f.scenario.resolved_text);

  {
    const Closer summary{H5Dopen2(file.id, "summary", H5P_DEFAULT), H5Dclose};
    CHECK(read_string_attribute(summary.id, "scenario") == "synthetic");
    CHECK(read_string_attribute(summary.id, "currency") == "IDR");
    CHECK(read_number_attribute<std::uint64_t>(summary.id, "seed", H5T_NATIVE_UINT64) == 42);
    CHECK(read_number_attribute<std::int64_t>(summary.id, "replications", H5T_NATIVE_INT64) == 3);
    CHECK(read_number_attribute<double>(summary.id, "duration_s", H5T_NATIVE_DOUBLE) == 240.0);
    CHECK(read_number_attribute<double>(summary.id, "warmup_s", H5T_NATIVE_DOUBLE) == 60.0);
    CHECK(read_number_attribute<double>(summary.id, "sessions_started", H5T_NATIVE_DOUBLE) ==
          101.0);
    CHECK(read_number_attribute<double>(summary.id, "orders", H5T_NATIVE_DOUBLE) == 6.0);
    CHECK(read_number_attribute<double>(summary.id, "lost_revenue", H5T_NATIVE_DOUBLE) == 50.0);
    CHECK(read_number_attribute<double>(summary.id, "orders_ci95", H5T_NATIVE_DOUBLE) ==
          f.result.summary["ci95"]["orders"].get<double>());
    CHECK(read_number_attribute<double>(summary.id, "lost_revenue_ci95", H5T_NATIVE_DOUBLE) == 0.0);
    CHECK(H5Aexists(summary.id, "drop_rate") == 0);  // null in the summary: skipped
    CHECK(H5Aexists(summary.id, "drop_rate_ci95") == 0);
  }
  {
    const Closer scenario{H5Dopen2(file.id, "scenario", H5P_DEFAULT), H5Dclose};
    CHECK(read_string_attribute(scenario.id, "file") == "configs/x.yaml");
    CHECK(read_string_attribute(scenario.id, "overrides") == "a.b=1\nc=2");
    CHECK(!read_string_attribute(scenario.id, "surgesim_version").empty());
  }
  for (std::size_t t = 0; t < f.result.series_mean.size(); ++t) {
    const SeriesTable& mean = f.result.series_mean[t];
    CAPTURE(mean.path);
    const Closer group{H5Gopen2(file.id, mean.path.c_str(), H5P_DEFAULT), H5Gclose};
    REQUIRE(group.id >= 0);
    CHECK(read_number_attribute<double>(group.id, "bucket_s", H5T_NATIVE_DOUBLE) == 60.0);
    CHECK(read_string_list_attribute(group.id, "columns") == mean.columns);
    for (std::size_t c = 0; c < mean.columns.size(); ++c) {
      CAPTURE(mean.columns[c]);
      const Doubles m = read_doubles(file.id, mean.path + "/mean/" + mean.columns[c]);
      CHECK(m.dims == std::vector<hsize_t>{4});
      CHECK(same_values(m.values, mean.data[c]));
      CHECK(m.chunked);
      CHECK(m.shuffled);
      CHECK(m.deflated);
      const Doubles ci = read_doubles(file.id, mean.path + "/ci95/" + mean.columns[c]);
      CHECK(same_values(ci.values, f.result.series_ci95[t].data[c]));
      const Doubles reps = read_doubles(file.id, mean.path + "/replications/" + mean.columns[c]);
      CHECK(reps.dims == std::vector<hsize_t>{3, 4});
      CHECK(reps.deflated);
      for (std::size_t r = 0; r < 3; ++r) {
        const std::vector<double> row(reps.values.begin() + static_cast<long>(r * 4),
                                      reps.values.begin() + static_cast<long>(r * 4 + 4));
        CHECK(same_values(row, f.result.replication_series[r][t].data[c]));
      }
    }
  }
}

TEST_CASE("write_result_file: one replication has no ci95 groups or attributes") {
  const TempDir dir;
  const Fixture f(1);
  const std::string path = (dir.path / "one.h5").string();
  surgesim::models::write_result_file(path, f.scenario, f.result, {"x.yaml", {}});
  const Closer file{H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose};
  REQUIRE(file.id >= 0);
  CHECK(H5Lexists(file.id, "timeseries/services/web/mean", H5P_DEFAULT) > 0);
  CHECK(H5Lexists(file.id, "timeseries/services/web/ci95", H5P_DEFAULT) == 0);
  const Closer summary{H5Dopen2(file.id, "summary", H5P_DEFAULT), H5Dclose};
  CHECK(H5Aexists(summary.id, "orders") > 0);
  CHECK(H5Aexists(summary.id, "orders_ci95") == 0);
}

TEST_CASE("write_result_file: a failed or interrupted write leaves the previous file as it was") {
  const TempDir dir;
  const Fixture f(2);
  const fs::path path = dir.path / "kept.h5";
  { std::ofstream(path) << "the previous results"; }
  const std::string before = file_bytes(path);

  SUBCASE("interrupted") {
    const std::atomic<bool> stop{true};
    CHECK_THROWS_AS(
        surgesim::models::write_result_file(path.string(), f.scenario, f.result, {"x", {}}, &stop),
        surgesim::sim::Interrupted);
  }
  SUBCASE("failed half-way (a table with a short column)") {
    Fixture broken(2);
    broken.result.series_mean[1].data[1].pop_back();
    CHECK_THROWS_AS(surgesim::models::write_result_file(path.string(), broken.scenario,
                                                        broken.result, {"x", {}}),
                    std::logic_error);
  }
  CHECK(file_bytes(path) == before);
  CHECK(dir.entries() == std::vector<std::string>{"kept.h5"});  // no kept.h5.tmp-PID
}

TEST_CASE("write_result_file: an unwritable place is an error that names it") {
  const TempDir dir;
  const Fixture f(1);
  const std::string path = (dir.path / "missing" / "out.h5").string();
  try {
    surgesim::models::write_result_file(path, f.scenario, f.result, {"x", {}});
    FAIL("expected an exception");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()).find("out.h5.tmp-") != std::string::npos);
  }
  CHECK(dir.entries().empty());
}

TEST_CASE("check_result_path: refuses a directory or a missing directory before the run") {
  const TempDir dir;
  CHECK_NOTHROW(surgesim::models::check_result_path((dir.path / "out.h5").string()));
  CHECK_THROWS_AS(surgesim::models::check_result_path(dir.path.string()),
                  surgesim::models::ScenarioError);
  CHECK_THROWS_AS(surgesim::models::check_result_path((dir.path / "nope" / "out.h5").string()),
                  surgesim::models::ScenarioError);
  CHECK_NOTHROW(surgesim::models::check_result_path("relative-name.h5"));
}

TEST_CASE("SeriesAccumulator: merge_series' mean bit for bit, Welford's half-widths to rounding") {
  std::vector<std::vector<SeriesTable>> reps;
  SeriesAccumulator accumulator(true);
  for (int r = 0; r < 5; ++r) {
    reps.push_back(replication_tables(r));
    accumulator.add(reps.back());
  }
  CHECK(accumulator.replications() == 5);
  const auto merged = surgesim::models::merge_series(reps);
  check_same_tables(accumulator.mean(), merged.mean);
  check_equal_to_rounding(accumulator.ci95(), merged.ci95);
  CHECK(accumulator.ci95()[0].data[1][3] == 0.0);  // 40 in every replication

  SeriesAccumulator single(true);
  single.add(replication_tables(0));
  CHECK(single.ci95().empty());
  SeriesAccumulator means_only(false);
  means_only.add(replication_tables(0));
  CHECK_THROWS_AS(means_only.ci95(), std::logic_error);
  auto other = replication_tables(1);
  other[0].data[2].pop_back();
  CHECK_THROWS_AS(means_only.add(other), std::logic_error);
}

TEST_CASE("SeriesAccumulator: one replication kept as it is, the same mean as the sums") {
  // Bucket 0 of sessions/drops' first column is -0: a sum starting at 0 makes it +0.
  auto tables = replication_tables(0);
  tables[1].data[1][0] = -0.0;
  const auto merged = surgesim::models::merge_series({tables});
  const auto check = [&](const std::vector<SeriesTable>& mean) {
    check_same_tables(mean, merged.mean);
    CHECK_FALSE(std::signbit(mean[1].data[1][0]));
    CHECK(std::isnan(mean[0].data[2][3]));  // no observation stays NaN
  };
  SeriesAccumulator copied(false);
  copied.add(tables);
  check(copied.mean());
  SeriesAccumulator moved(true);
  moved.add(std::vector<SeriesTable>(tables));
  CHECK(moved.ci95().empty());
  check(moved.mean());
  check(moved.take_mean());
  CHECK(moved.replications() == 0);
  // The kept replication is folded into sums when a second one comes.
  moved.add(std::vector<SeriesTable>(tables));
  moved.add(replication_tables(1));
  const auto two = surgesim::models::merge_series({tables, replication_tables(1)});
  check_same_tables(moved.mean(), two.mean);
  check_equal_to_rounding(moved.ci95(), two.ci95);
}

TEST_CASE("run_replications_in_order: merges in order and holds at most `threads` results") {
  for (unsigned threads : {1u, 2u, 4u}) {
    CAPTURE(threads);
    std::vector<std::size_t> merged;
    // The first replication is slow: were workers free to run ahead, they would finish
    // the 39 others meanwhile, and all of them would wait to be merged.
    const std::size_t most_waiting = surgesim::sim::run_replications_in_order<std::size_t>(
        10, 40, threads,
        [](std::size_t r) {
          if (r == 10) std::this_thread::sleep_for(std::chrono::milliseconds(200));
          return r;
        },
        [&](std::size_t r) { merged.push_back(r); });
    std::vector<std::size_t> expected(40);
    std::iota(expected.begin(), expected.end(), 10);
    CHECK(merged == expected);
    CHECK(most_waiting <= threads);
  }
}

TEST_CASE("run_replications_in_order: a failing replication or merge stops the run") {
  for (unsigned threads : {1u, 3u}) {
    CAPTURE(threads);
    std::vector<std::size_t> merged;
    auto keep = [&](std::size_t r) { merged.push_back(r); };
    CHECK_THROWS_AS(surgesim::sim::run_replications_in_order<std::size_t>(
                        0, 50, threads,
                        [](std::size_t r) {
                          if (r == 7) throw std::runtime_error("replication 7");
                          return r;
                        },
                        keep),
                    std::runtime_error);
    for (std::size_t i = 0; i < merged.size(); ++i) CHECK(merged[i] == i);
    CHECK(merged.size() <= 7);
    CHECK_THROWS_AS(surgesim::sim::run_replications_in_order<std::size_t>(
                        0, 50, threads, [](std::size_t r) { return r; },
                        [](std::size_t r) {
                          if (r == 3) throw std::invalid_argument("merge 3");
                        }),
                    std::invalid_argument);
  }
}

TEST_CASE("run_experiment: replications merged as they come; tables kept only when asked") {
  const Scenario scenario = surgesim::models::load_scenario_text(kStreamShop, "stream.yaml");
  const ExperimentResult kept = surgesim::models::run_experiment(scenario, run_options(2, true));
  const ExperimentResult two = surgesim::models::run_experiment(scenario, run_options(2, false));
  const ExperimentResult one = surgesim::models::run_experiment(scenario, run_options(1, false));
  CHECK(kept.replication_series.size() == 12);
  CHECK(two.replication_series.empty());
  CHECK(two.most_waiting_replications <= 2);
  CHECK(one.most_waiting_replications == 0);
  CHECK(two.summary == kept.summary);
  CHECK(one.summary == two.summary);
  CHECK(two.replications == kept.replications);
  check_same_tables(two.series_mean, kept.series_mean);
  check_same_tables(one.series_ci95, two.series_ci95);
  // Without kept tables or a store, the half-widths are Welford's.
  check_equal_to_rounding(two.series_ci95, kept.series_ci95);
}

TEST_CASE("ResultFileWriter: a run streamed to the file writes what a kept run writes") {
  const TempDir dir;
  const Scenario scenario = surgesim::models::load_scenario_text(kStreamShop, "stream.yaml");
  const surgesim::models::ResultProvenance provenance{"stream.yaml", {"seed=5"}};
  const std::string kept_path = (dir.path / "kept.h5").string();
  const ExperimentResult kept = surgesim::models::run_experiment(scenario, run_options(2, true));
  surgesim::models::write_result_file(kept_path, scenario, kept, provenance);

  const std::string streamed_path = (dir.path / "streamed.h5").string();
  ResultFileWriter file(streamed_path);
  const ExperimentResult streamed =
      surgesim::models::run_experiment(scenario, run_options(2, false, &file));
  CHECK(streamed.replication_series.empty());
  // The exact two-pass half-widths, read back from the scratch file.
  check_same_tables(streamed.series_ci95, kept.series_ci95);
  // The scratch file has no name: until the commit, nothing new is in the directory.
  CHECK(dir.entries() == std::vector<std::string>{"kept.h5"});
  file.commit(scenario, streamed, provenance);
  check_same_files(kept_path, streamed_path, kept.series_mean);
}

TEST_CASE("ResultFileWriter: a --precision run streamed in batches equals a fixed run") {
  const TempDir dir;
  Scenario scenario = surgesim::models::load_scenario_text(kStreamShop, "stream.yaml");
  const surgesim::models::ResultProvenance provenance{"stream.yaml", {}};
  // A bound never met: batches of 3, 6 and 7 replications.
  scenario.replications = 2;
  const std::string streamed_path = (dir.path / "streamed.h5").string();
  ResultFileWriter file(streamed_path);
  RunOptions options = run_options(2, false, &file);
  options.precision = surgesim::models::PrecisionGoal{1e-6, 7};
  const ExperimentResult streamed = surgesim::models::run_experiment(scenario, options);
  REQUIRE(streamed.precision);
  CHECK(streamed.precision->replications == 7);
  file.commit(scenario, streamed, provenance);

  scenario.replications = 7;
  const std::string kept_path = (dir.path / "kept.h5").string();
  const ExperimentResult kept = surgesim::models::run_experiment(scenario, run_options(1, true));
  surgesim::models::write_result_file(kept_path, scenario, kept, provenance);
  const Closer h5{H5Fopen(kept_path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose};
  CHECK(read_doubles(h5.id, "timeseries/services/web/replications/arrivals").dims ==
        std::vector<hsize_t>{7, 1800});
  check_same_files(kept_path, streamed_path, kept.series_mean);
}

TEST_CASE("ResultFileWriter: without a commit, or with replications it was not given, no file") {
  const TempDir dir;
  const std::string path = (dir.path / "out.h5").string();
  {
    ResultFileWriter file(path);
    file.add(replication_tables(0));
    file.add(replication_tables(1));
    CHECK(dir.entries().empty());
  }
  CHECK(dir.entries().empty());

  const Fixture f(3);  // three replications, of which the file is given two
  ResultFileWriter file(path);
  file.add(f.result.replication_series[0]);
  file.add(f.result.replication_series[1]);
  CHECK_THROWS_AS(file.commit(f.scenario, f.result, {"x", {}}), std::logic_error);
  auto shorter = replication_tables(2);
  shorter[1].data[0].pop_back();
  CHECK_THROWS_AS(file.add(shorter), std::logic_error);
  file.add(f.result.replication_series[2]);
  file.commit(f.scenario, f.result, {"x", {}});
  CHECK(dir.entries() == std::vector<std::string>{"out.h5"});
}
