// surgesim._core: the private compiled half of the Python package. Thin on purpose:
// load, run and report are the library's; JSON crosses the boundary as text, which
// Python's json module reads back exactly.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <future>
#include <optional>
#include <string>
#include <vector>

#include "models/experiment.hpp"
#include "models/loader/scenario_error.hpp"
#include "models/loader/scenario_loader.hpp"
#include "models/report/text_report.hpp"

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

// Runs without the GIL on a helper thread so that the caller's thread can notice
// Ctrl-C (Jupyter's "interrupt kernel" too): PyErr_CheckSignals only works there.
models::ExperimentResult run_interruptibly(const models::Scenario& scenario, unsigned threads) {
  std::atomic<bool> stop{false};
  py::gil_scoped_release release;
  auto done = std::async(std::launch::async, [&] {
    return models::run_experiment(scenario, {threads, nullptr, &stop});
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

py::tuple run(const std::string& path, const std::vector<std::string>& set,
              std::optional<int> replications, std::optional<std::uint64_t> seed,
              unsigned threads) {
  models::Scenario scenario = load(path, set);
  if (replications) {
    if (*replications < 1) throw py::value_error("replications must be at least 1");
    scenario.replications = *replications;
  }
  if (seed) scenario.seed = *seed;
  const models::ExperimentResult result = run_interruptibly(scenario, threads);
  py::list trees;
  for (const models::Json& tree : result.replications) trees.append(tree.dump());
  return py::make_tuple(result.summary.dump(), trees);
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
        R"(Load, validate and simulate a scenario file.

``set`` holds ``KEY.PATH=VALUE`` overrides applied before validation;
``replications`` and ``seed`` override the file's; ``threads`` = 0 uses all cores.
Returns ``(summary_json, [replication_json, ...])``: the SCENARIO.md summary and
one tree per replication, as JSON text. The GIL is released while simulating and
Ctrl-C stops the run (KeyboardInterrupt). Raises surgesim.ScenarioError.)");

  m.def("validate", &validate, py::arg("path"), py::arg("set") = std::vector<std::string>{},
        R"(Load and validate a scenario file without running it.

Returns a dict: name, description, currency, duration_s, warmup_s, seed,
replications, journeys (name -> page names) and services (names).
Raises surgesim.ScenarioError.)");

  m.def("text_report", &report, py::arg("summary_json"),
        R"(The terminal report (as printed by ``surgesim run``) of a summary given as JSON text.)");
}
