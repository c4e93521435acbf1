// surgesim._core: the private compiled half of the Python package. Thin on purpose:
// load, run and report are the library's; JSON crosses the boundary as text, which
// Python's json module reads back exactly.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <future>
#include <optional>
#include <string>
#include <vector>

#include "models/analysis/call_graph.hpp"
#include "models/run/experiment.hpp"
#include "models/yaml/scenario_error.hpp"
#include "models/loader/scenario_loader.hpp"
#include "models/report/text_report.hpp"
#include "models/results/result_file.hpp"

namespace py = pybind11;
using namespace surgesim;

namespace {

models::Scenario load(const std::string& path, const std::vector<std::string>& set) {
  std::vector<models::Override> overrides;
  overrides.reserve(set.size());
  for (const std::string& s : set) overrides.push_back(models::parse_override(s));
  models::Scenario scenario = models::load_scenario_file(path, overrides);
  // As the CLI prints them on stderr: a Python UserWarning each (filterable, and an
  // error under `-W error`).
  for (const std::string& warning : scenario.warnings) {
    if (PyErr_WarnEx(PyExc_UserWarning, warning.c_str(), 2) != 0) throw py::error_already_set();
  }
  return scenario;
}

// What one call of run() does with the scenario: optionally estimate the warm-up by a
// pilot run, then the experiment.
struct Study {
  std::optional<models::WarmupEstimate> warmup;
  models::ExperimentResult result;
};

// Runs without the GIL on a helper thread so that the caller's thread can notice
// Ctrl-C (Jupyter's "interrupt kernel" too): PyErr_CheckSignals only works there.
// `scenario` gets the warm-up that was used.
Study run_interruptibly(models::Scenario& scenario, models::RunOptions options, bool auto_warmup) {
  std::atomic<bool> stop{false};
  options.stop = &stop;
  py::gil_scoped_release release;
  auto done = std::async(std::launch::async, [&] {
    Study study;
    if (auto_warmup) {
      study.warmup = models::estimate_warmup(scenario, options);
      scenario.warmup = study.warmup->warmup_s;
    }
    study.result = models::run_experiment(scenario, options);
    return study;
  });
  while (done.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready) {
    py::gil_scoped_acquire acquire;
    if (PyErr_CheckSignals() != 0) {
      stop.store(true);
      done.wait();  // the workers read `stop`, which must outlive them
      throw py::error_already_set();
    }
  }
  return done.get();
}

// A table as numpy arrays: mean and ci95 [column, bucket], replications
// [replication, column, bucket].
py::dict series_dict(const models::ExperimentResult& result, std::size_t t, double bucket_s) {
  const models::SeriesTable& mean = result.series_mean[t];
  const auto columns = static_cast<py::ssize_t>(mean.columns.size());
  const auto rows = static_cast<py::ssize_t>(mean.rows());
  auto matrix = [&](const models::SeriesTable& table) {
    py::array_t<double> out({columns, rows});
    auto view = out.mutable_unchecked<2>();
    for (py::ssize_t c = 0; c < columns; ++c) {
      for (py::ssize_t b = 0; b < rows; ++b) view(c, b) = table.data[c][b];
    }
    return out;
  };
  // Empty (0 replications) unless the run kept them.
  const auto reps = static_cast<py::ssize_t>(result.replication_series.size());
  py::array_t<double> replications({reps, columns, rows});
  auto view = replications.mutable_unchecked<3>();
  for (py::ssize_t r = 0; r < reps; ++r) {
    const models::SeriesTable& table = result.replication_series[r][t];
    for (py::ssize_t c = 0; c < columns; ++c) {
      for (py::ssize_t b = 0; b < rows; ++b) view(r, c, b) = table.data[c][b];
    }
  }
  py::dict d;
  d["path"] = mean.path;
  d["columns"] = mean.columns;
  d["bucket_s"] = bucket_s;
  d["mean"] = matrix(mean);
  d["ci95"] = result.series_ci95.empty() ? py::object(py::none())
                                         : py::object(matrix(result.series_ci95[t]));
  d["replications"] = replications;
  return d;
}

py::dict run(const std::string& path, const std::vector<std::string>& set,
             std::optional<int> replications, std::optional<std::uint64_t> seed, unsigned threads,
             std::optional<std::string> output, std::optional<std::string> warmup,
             std::optional<double> precision, int max_replications, bool keep_replications) {
  if (output) models::check_result_path(*output);
  models::Scenario scenario = load(path, set);
  if (replications) {
    if (*replications < 1) throw py::value_error("replications must be at least 1");
    scenario.replications = *replications;
  }
  if (seed) scenario.seed = *seed;
  const bool auto_warmup = warmup && *warmup == "auto";
  if (warmup && !auto_warmup) models::override_warmup(scenario, *warmup, "warmup=" + *warmup);
  models::RunOptions options{threads, nullptr, nullptr, std::nullopt};
  options.keep_replication_series = keep_replications;
  if (precision) {
    if (!(*precision > 0.0)) throw py::value_error("precision must be positive");
    if (max_replications < std::max(scenario.replications, 3)) {
      throw py::value_error(
          "max_replications must be at least the first batch of a precision run, "
          "max(replications, 3) = " +
          std::to_string(std::max(scenario.replications, 3)));
    }
    options.precision = models::PrecisionGoal{*precision, max_replications};
  }

  // The replications' tables go to the file as they are merged.
  std::optional<models::ResultFileWriter> file;
  if (output) {
    file.emplace(*output);
    options.series_store = &*file;
  }
  const Study study = run_interruptibly(scenario, options, auto_warmup);
  const models::ExperimentResult& result = study.result;
  if (file) {
    py::gil_scoped_release release;
    file->commit(scenario, result, {path, set});
  }

  py::list trees;
  for (const models::Json& tree : result.replications) trees.append(tree.dump());
  py::list series;
  for (std::size_t t = 0; t < result.series_mean.size(); ++t) {
    series.append(series_dict(result, t, scenario.bucket));
  }
  py::dict out;
  out["summary"] = result.summary.dump();
  out["replications"] = trees;
  out["series"] = series;
  out["warmup_note"] = study.warmup ? py::object(py::str(study.warmup->describe())) : py::none();
  out["precision_note"] =
      result.precision ? py::object(py::str(result.precision->describe(*precision))) : py::none();
  out["precision_met"] = result.precision ? result.precision->met : true;
  return out;
}

py::dict validate(const std::string& path, const std::vector<std::string>& set) {
  const models::Scenario scenario = load(path, set);
  py::dict journeys;
  for (const models::JourneyConfig& j : scenario.journeys) {
    py::list pages;
    for (const models::PageConfig& p : j.pages) pages.append(p.name);
    journeys[py::str(j.name)] = pages;
  }
  py::list services;
  for (const models::ServiceConfig& s : scenario.services) services.append(s.name);
  py::dict info;
  info["name"] = scenario.name;
  info["description"] = scenario.description;
  info["currency"] = scenario.currency;
  info["duration_s"] = scenario.duration;
  info["warmup_s"] = scenario.warmup;
  info["seed"] = scenario.seed;
  info["replications"] = scenario.replications;
  info["journeys"] = journeys;
  info["services"] = services;
  info["warnings"] = scenario.warnings;
  return info;
}

// Loaded like validate(), warnings included, so that Python sees what `surgesim graph`
// prints on stderr.
std::string graph(const std::string& path, const std::vector<std::string>& set) {
  return models::to_dot(load(path, set));
}

std::string report(const std::string& summary_json) {
  try {
    return models::text_report(models::Json::parse(summary_json));
  } catch (const models::Json::exception& e) {  // not JSON, or not a summary's shape
    throw py::value_error(std::string("not a surgesim summary: ") + e.what());
  }
}

// The exception class is plain Python (surgesim/_errors.py) so that it has real
// attributes, a typed stub and pickles; looking it up per error costs nothing.
void translate_scenario_error(std::exception_ptr p) {
  try {
    if (p) std::rethrow_exception(p);
  } catch (const models::ScenarioError& e) {
    const py::object type = py::module_::import("surgesim._errors").attr("ScenarioError");
    const py::object error = type(e.what(), e.location(), e.key_path(), e.problem());
    PyErr_SetObject(type.ptr(), error.ptr());
  }
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = R"(Private compiled core of surgesim; use the ``surgesim`` package instead.)";
  m.attr("__version__") = SURGESIM_VERSION;
  py::register_exception_translator(translate_scenario_error);

  m.def("run", &run, py::arg("path"), py::arg("set") = std::vector<std::string>{},
        py::arg("replications") = py::none(), py::arg("seed") = py::none(), py::arg("threads") = 0u,
        py::arg("output") = py::none(), py::arg("warmup") = py::none(),
        py::arg("precision") = py::none(), py::arg("max_replications") = 100,
        py::arg("keep_replications") = false,
        R"(Load, validate and simulate a scenario file.

``set`` holds ``KEY.PATH=VALUE`` overrides applied before validation;
``replications`` and ``seed`` override the file's; ``threads`` = 0 uses all cores.
``output`` names an HDF5 result file (written as ``surgesim run -o`` writes it);
``warmup`` is a duration that replaces the scenario's, or ``"auto"`` (MSER-5 on a
pilot run); ``precision`` adds replications until every headline half-width is below
``precision`` x |mean|, up to ``max_replications``; ``keep_replications`` keeps every
replication's own tables (memory grows with the replications; without it ci95 comes
from a running M2, equal to the two-pass value up to rounding, unless ``output`` gives
the exact one).
Returns a dict: summary (JSON text), replications (JSON text per replication), series
(per table: path, columns, bucket_s, mean and ci95 as [column, bucket] arrays, ci95
None with one replication, replications as [replication, column, bucket], with no
replication unless kept),
warmup_note, precision_note (text or None) and precision_met. The GIL is released
while simulating and Ctrl-C stops the run (KeyboardInterrupt). Raises
surgesim.ScenarioError.)");

  m.def("validate", &validate, py::arg("path"), py::arg("set") = std::vector<std::string>{},
        R"(Load and validate a scenario file without running it.

Returns a dict: name, description, currency, duration_s, warmup_s, seed,
replications, journeys (name -> page names) and services (names).
Raises surgesim.ScenarioError.)");

  m.def("graph", &graph, py::arg("path"), py::arg("set") = std::vector<std::string>{},
        R"(The call graph of a scenario file as Graphviz DOT text (what ``surgesim graph`` writes).

Raises surgesim.ScenarioError.)");

  m.def("text_report", &report, py::arg("summary_json"),
        R"(The terminal report (as printed by ``surgesim run``) of a summary given as JSON text.)");
}
