// surgesim._core: the private compiled half of the Python package. Thin on purpose:
// load, run and report are the library's (run_study is the one `surgesim run` calls);
// JSON crosses the boundary as text, which Python's json module reads back exactly.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <future>
#include <new>
#include <optional>
#include <string>
#include <vector>

#include "models/analysis/bucket_estimate.hpp"
#include "models/analysis/call_graph.hpp"
#include "models/limits.hpp"
#include "models/loader/scenario_loader.hpp"
#include "models/report/text_report.hpp"
#include "models/run/overload_guard.hpp"
#include "models/run/study.hpp"
#include "models/run/work_estimate.hpp"
#include "models/yaml/scenario_error.hpp"

namespace py = pybind11;
using namespace surgesim;

namespace {

// A scenario as Python holds it (surgesim._scenario.Scenario): its text, the name and
// directory it came from, the overrides set on it, and the files it read.
struct Source {
  models::ScenarioSource scenario;
  models::ScenarioFiles files;
};

Source source_from(const py::dict& d) {
  models::ScenarioSource scenario;
  scenario.file = d["file"].cast<std::string>();
  scenario.text = d["text"].cast<std::string>();
  if (!d["base_dir"].is_none()) scenario.base_dir = d["base_dir"].cast<std::string>();
  for (const py::handle o : d["overrides"]) {
    const auto t = o.cast<py::tuple>();
    scenario.overrides.push_back(
        {t[0].cast<std::string>(), t[1].cast<std::string>(), t[2].cast<std::string>()});
  }
  auto known = d["files"].cast<models::ScenarioFiles::Contents>();
  // `no_disk`: why no file may be read (a scenario from text without a directory, or
  // one shipped to another machine with its files).
  if (d["no_disk"].is_none()) return {scenario, models::ScenarioFiles(std::move(known))};
  return {scenario,
          models::ScenarioFiles::only(std::move(known), d["no_disk"].cast<std::string>())};
}

py::dict describe(const models::Scenario& scenario) {
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
  info["start"] = scenario.start ? py::object(py::str(scenario.start->text)) : py::none();
  if (scenario.window) {
    py::dict window;
    window["from_s"] = scenario.window->from;
    window["to_s"] = scenario.window->to;
    info["window"] = window;
  } else {
    info["window"] = py::none();
  }
  info["seed"] = scenario.seed;
  info["replications"] = scenario.replications;
  info["journeys"] = journeys;
  info["services"] = services;
  info["warnings"] = scenario.warnings;
  return info;
}

// Loads and validates; returns what it is (describe()), the YAML as simulated, and the
// files it read, which the Scenario keeps.
py::dict load(const py::dict& source) {
  Source s = source_from(source);
  const models::Scenario scenario = models::load_scenario(s.scenario, s.files);
  py::dict out;
  out["info"] = describe(scenario);
  out["resolved"] = scenario.resolved_text;
  py::dict files;  // bytes: a file need not be UTF-8 to be a valid CSV
  for (const auto& [path, bytes] : s.files.read_files()) files[py::str(path)] = py::bytes(bytes);
  out["files"] = files;
  return out;
}

// Runs `work` without the GIL on a helper thread so that the caller's thread can notice
// Ctrl-C (Jupyter's "interrupt kernel" too): PyErr_CheckSignals only works on the main
// thread. A run on another thread (a sweep's point) stops when `cancel.is_set()`.
template <class Work>
auto interruptibly(Work work, const py::object& cancel = py::none()) {
  std::atomic<bool> stop{false};
  py::gil_scoped_release release;
  auto done = std::async(std::launch::async, [&] { return work(&stop); });
  while (done.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready) {
    py::gil_scoped_acquire acquire;
    const bool signalled = PyErr_CheckSignals() != 0;
    if (signalled || (!cancel.is_none() && cancel.attr("is_set")().cast<bool>())) {
      stop.store(true);
      done.wait();  // the workers read `stop`, which must outlive them
      if (!signalled) PyErr_SetString(PyExc_KeyboardInterrupt, "cancelled");
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

// How messages name the options: "command_line" (flags, for a command run by Python) or
// Python's argument names.
const models::OptionWords& option_words(const std::string& words) {
  return words == "command_line" ? models::command_line_words() : models::python_words();
}

py::dict run(const py::dict& source, std::optional<std::int64_t> replications,
             std::optional<std::int64_t> seed, std::int64_t threads,
             std::optional<std::string> output, std::optional<std::string> warmup,
             std::optional<double> precision, std::int64_t max_replications, bool keep_replications,
             bool series, const py::object& cancel, const std::string& words,
             std::optional<std::string> max_memory, bool force) {
  Source s = source_from(source);
  models::StudyOptions options;
  options.replications = replications;
  options.seed = seed;
  options.threads = threads;
  options.output = output.value_or("");
  options.warmup = warmup;
  options.precision = precision;
  options.max_replications = max_replications;
  options.keep_replication_series = keep_replications;
  options.series = series;  // without, built only for a result file or SLOs
  options.max_memory = max_memory;
  options.force = force;
  const models::Study study = interruptibly(
      [&](const std::atomic<bool>* stop) {
        models::StudyHooks hooks;
        hooks.stop = stop;
        return models::run_study(s.scenario, s.files, options, option_words(words), hooks);
      },
      cancel);
  const models::ExperimentResult& result = study.result;

  py::list trees;
  for (const models::Json& tree : result.replications) trees.append(tree.dump());
  py::list tables;
  for (std::size_t t = 0; series && t < result.series_mean.size(); ++t) {
    tables.append(series_dict(result, t, study.scenario.bucket));
  }
  py::dict out;
  out["summary"] = result.summary.dump();
  out["replications"] = trees;
  out["series"] = tables;
  out["warmup_note"] = study.warmup ? py::object(py::str(study.warmup->describe())) : py::none();
  out["precision_note"] =
      study.precision_note.empty() ? py::object(py::none()) : py::str(study.precision_note);
  out["precision_met"] = result.precision ? result.precision->met : true;
  return out;
}

// Refuses a sweep whose points add up to over an hour on one core, each estimated as
// run() estimates it, before any runs; the sum stops once it passes the hour.
void refuse_long_sweep(const py::list& sources, std::optional<std::int64_t> replications,
                       const std::string& words, const std::string& where) {
  double seconds = 0.0;
  std::size_t counted = 0;
  for (const py::handle source : sources) {
    Source s = source_from(source.cast<py::dict>());
    models::Scenario scenario = models::load_scenario(s.scenario, s.files);
    // An out-of-range count is the run's to refuse, in words.
    if (replications && *replications >= 1 && *replications <= models::limits::kReplications)
      scenario.replications = static_cast<int>(*replications);
    models::WorkShape shape;
    shape.replications = scenario.replications;
    shape.series = false;  // as the points run
    seconds += models::estimate_work(scenario, shape).cpu_seconds;
    ++counted;
    if (seconds > models::kMostCpuSeconds) break;
    if (PyErr_CheckSignals() != 0) throw py::error_already_set();
  }
  models::refuse_long_sweep(seconds, counted, sources.size(), where, option_words(words).force);
}

// The analytic estimate per time bucket x service, as rows of JSON text.
std::string estimate_per_bucket(const py::dict& source) {
  Source s = source_from(source);
  const models::Scenario scenario = models::load_scenario(s.scenario, s.files);
  return models::estimate_rows(models::estimate_buckets(scenario)).dump();
}

std::string graph(const py::dict& source) {
  Source s = source_from(source);
  return models::to_dot(models::load_scenario(s.scenario, s.files));
}

std::string report(const std::string& summary_json) {
  try {
    return models::text_report(models::Json::parse(summary_json));
  } catch (const models::Json::exception& e) {  // not JSON, or not a summary's shape
    throw py::value_error(std::string("not a surgesim summary: ") + e.what());
  }
}

// The exception classes are plain Python (surgesim/_errors.py) so that they have real
// attributes, typed stubs and pickle; looking one up per error costs nothing.
void translate_errors(std::exception_ptr p) {
  try {
    if (p) std::rethrow_exception(p);
  } catch (const models::ScenarioError& e) {
    const py::object type = py::module_::import("surgesim._errors").attr("ScenarioError");
    const py::object error = type(e.what(), e.location(), e.key_path(), e.problem());
    PyErr_SetObject(type.ptr(), error.ptr());
  } catch (const models::Overloaded& e) {
    const py::object type = py::module_::import("surgesim._errors").attr("Overloaded");
    PyErr_SetObject(type.ptr(), type(e.what()).ptr());
  } catch (const std::bad_alloc&) {
    // Limits and the work estimate should refuse such a run first; "std::bad_alloc" alone
    // would say nothing about what to change.
    PyErr_SetString(PyExc_MemoryError,
                    "out of memory: the run needed more memory than it could get (a ulimit, or "
                    "other programs). Use wider buckets, fewer pages, services or replications, "
                    "or set max_memory to what this machine can spare so that such a run is "
                    "refused before it starts");
  }
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = R"(Private compiled core of surgesim; use the ``surgesim`` package instead.)";
  m.attr("__version__") = SURGESIM_VERSION;
  py::register_exception_translator(translate_errors);

  m.def("load", &load, py::arg("source"),
        R"(Load and validate a scenario given as a source dict (file, text, base_dir,
overrides as (path, YAML value, origin) tuples, files, no_disk).

Returns a dict: info (name, description, currency, duration_s, warmup_s, seed,
replications, journeys, services, warnings), resolved (the YAML after the overrides)
and files (every file read, by resolved path). Raises surgesim.ScenarioError.)");

  m.def("run", &run, py::arg("source"), py::arg("replications") = py::none(),
        py::arg("seed") = py::none(), py::arg("threads") = 0, py::arg("output") = py::none(),
        py::arg("warmup") = py::none(), py::arg("precision") = py::none(),
        py::arg("max_replications") = 100, py::arg("keep_replications") = false,
        py::arg("series") = true, py::arg("cancel") = py::none(), py::arg("words") = "python",
        py::arg("max_memory") = py::none(), py::arg("force") = false,
        R"(Load, validate and simulate a scenario source (as ``load`` takes it).

``replications`` and ``seed`` override the scenario's; ``threads`` = 0 uses all cores.
``output`` names an HDF5 result file (written as ``surgesim run -o`` writes it);
``warmup`` is a duration that replaces the scenario's, or ``"auto"`` (MSER-5 on a
pilot run); ``precision`` adds replications until every headline half-width is below
``precision`` x |mean|, up to ``max_replications``; ``keep_replications`` keeps every
replication's own tables; ``series`` = False builds and returns no time series (unless
a result file or SLOs need them; the summary is the same); ``cancel``, an object with
``is_set()`` (a threading.Event), stops a run on another thread; ``words``
= "command_line" names options as flags in messages (a command run by Python);
``max_memory`` (bytes, or text with K, M or G) and ``force`` as ``--max-memory`` and
``--force``.
Returns a dict: summary (JSON text), replications (JSON text per replication), series
(per table: path, columns, bucket_s, mean and ci95 as [column, bucket] arrays, ci95
None with one replication, replications as [replication, column, bucket], with no
replication unless kept), warmup_note, precision_note (text or None) and
precision_met. The GIL is released while simulating and Ctrl-C stops the run
(KeyboardInterrupt). Raises surgesim.ScenarioError (also for a run refused by the work
estimate), ValueError for an option out of range, and surgesim.Overloaded (a
RuntimeError) when a service overloads past ``max_memory`` or, unless ``force``, the run
does far more work than its estimate foresaw (retries of calls that fail at once).)");

  m.def("refuse_long_sweep", &refuse_long_sweep, py::arg("sources"),
        py::arg("replications") = py::none(), py::arg("words") = "python", py::arg("where") = "",
        R"(Raises surgesim.ScenarioError (at ``where``) when the scenario sources of a sweep's
points, run with ``replications`` each (None: each scenario's), add up to over an hour on one
core by the work estimate that run() applies to one of them.)");

  m.def("default_max_memory", &models::default_max_memory,
        R"(Half the physical memory, or of the container's limit when lower, in bytes: the
default of ``max_memory``.)");

  m.def("estimate", &estimate_per_bucket, py::arg("source"),
        R"(The analytic estimate of a scenario source per time bucket x service, as JSON text
(the rows of ``surgesim check --format json``). Raises surgesim.ScenarioError.)");

  m.def(
      "graph", &graph, py::arg("source"),
      R"(The call graph of a scenario source as Graphviz DOT text (what ``surgesim graph`` writes).

Raises surgesim.ScenarioError.)");

  m.def("text_report", &report, py::arg("summary_json"),
        R"(The terminal report (as printed by ``surgesim run``) of a summary given as JSON text.)");
}
