#include "models/run/study.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>

#include "models/limits.hpp"
#include "models/results/result_file.hpp"
#include "models/run/work_estimate.hpp"
#include "models/yaml/units.hpp"
#include "sim/replication_runner.hpp"

namespace surgesim::models {
namespace {

constexpr std::int64_t kMostReplications = limits::kReplications;  // as the scenario's
constexpr std::int64_t kMostThreads = 4096;

void check_range(const std::string& word, std::int64_t value, std::int64_t low, std::int64_t high,
                 const std::string& what) {
  if (value < low || value > high) {
    throw StudyOptionError(fmt::format("{} must be {}, found {}", word, what, value));
  }
}

void check_options(const StudyOptions& o, const OptionWords& w) {
  if (o.replications) {
    check_range(w.replications, *o.replications, 1, kMostReplications,
                fmt::format("a whole number from 1 to {}", kMostReplications));
  }
  if (o.seed) {
    // As a scenario's `seed`: YAML whole numbers stop there.
    check_range(w.seed, *o.seed, 0, std::numeric_limits<std::int64_t>::max(),
                "a whole number from 0 to 2^63-1");
  }
  check_range(w.threads, o.threads, 0, kMostThreads,
              fmt::format("0 (every core) or a thread count up to {}", kMostThreads));
  if (o.precision) {
    if (!(*o.precision > 0.0) || !std::isfinite(*o.precision)) {
      throw StudyOptionError(fmt::format(
          "{} must be a relative half-width > 0, e.g. 0.02, found {}", w.precision, *o.precision));
    }
    // Below it no run ends: the replications needed grow as 1 / precision^2.
    if (*o.precision < limits::kPrecision) {
      throw StudyOptionError(fmt::format(
          "{} must be at least {:g} (a half-width of 0.1% of the mean), found {:g}; run more "
          "replications with -r instead to narrow it further",
          w.precision, limits::kPrecision, *o.precision));
    }
    check_range(w.max_replications, o.max_replications, 1, kMostReplications,
                fmt::format("a whole number from 1 to {}", kMostReplications));
  }
}

// --max-memory as bytes; the default when not given.
double max_memory(const StudyOptions& o, const OptionWords& w) {
  if (!o.max_memory) return default_max_memory();
  const auto bytes = parse_size(*o.max_memory);
  if (!bytes) {
    throw StudyOptionError(
        fmt::format("{} must be a size: bytes, or a number with K, M or G (e.g. 8G), found {}",
                    w.max_memory, w.quote + *o.max_memory + w.quote));
  }
  return *bytes;
}

}  // namespace

const OptionWords& command_line_words() {
  static const OptionWords words{"--replications",
                                 "--seed",
                                 "--threads",
                                 "--warmup",
                                 "--precision",
                                 "--max-replications",
                                 "--output",
                                 "--max-memory",
                                 "--force",
                                 " ",
                                 ""};
  return words;
}

const OptionWords& python_words() {
  static const OptionWords words{
      "replications", "seed",       "threads",    "warmup", "precision", "max_replications",
      "output",       "max_memory", "force=True", "=",      "'"};
  return words;
}

Study run_study(const ScenarioSource& source, ScenarioFiles& files, const StudyOptions& options,
                const OptionWords& words, const StudyHooks& hooks) {
  check_options(options, words);
  // Before the simulation, which may take long: a bad output path would only show at the end.
  if (!options.output.empty()) check_result_path(options.output);

  Study study;
  Scenario& scenario = study.scenario;
  scenario = load_scenario(source, files);
  if (hooks.loaded) hooks.loaded(scenario);
  if (options.replications) scenario.replications = static_cast<int>(*options.replications);
  if (options.seed) scenario.seed = static_cast<std::uint64_t>(*options.seed);
  const bool auto_warmup = options.warmup && *options.warmup == "auto";
  if (options.warmup && !auto_warmup) {
    override_warmup(scenario, *options.warmup, words.with_value(words.warmup, *options.warmup));
  }

  RunOptions run;
  run.threads = static_cast<unsigned>(options.threads);
  run.stop = hooks.stop;
  run.keep_replication_series = options.keep_replication_series;
  run.series = options.series;
  std::size_t most_replications = static_cast<std::size_t>(scenario.replications);
  if (options.precision) {
    const int first = std::max(scenario.replications, 3);
    if (options.max_replications < first) {
      throw StudyOptionError(fmt::format(
          "{} must be at least the first batch of a {} run, max(replications, 3) = {}, found {}",
          words.max_replications, words.precision, first, options.max_replications));
    }
    run.precision = PrecisionGoal{*options.precision, static_cast<int>(options.max_replications)};
    most_replications = static_cast<std::size_t>(options.max_replications);
  }

  // A run that cannot finish is refused before anything is sized from it.
  run.max_memory = max_memory(options, words);
  run.max_memory_option = words.max_memory;
  if (!options.force) {
    const WorkShape shape{static_cast<double>(most_replications), sim::resolve_threads(run.threads),
                          run.keep_replication_series, auto_warmup,
                          builds_series(scenario, run.series, !options.output.empty())};
    run.work = estimate_work(scenario, shape);
    run.force_option = words.force;
    refuse_unfinishable(*run.work, run.max_memory, source.file, words.force, words.max_memory);
  }

  ExperimentProgress progress(most_replications);
  run.progress = &progress;
  // The replications' tables go to the file as they are merged; none is kept in memory
  // unless asked.
  std::unique_ptr<ResultFileWriter> file;
  if (!options.output.empty()) {
    file = std::make_unique<ResultFileWriter>(options.output);
    run.series_store = file.get();
  }
  if (hooks.started) hooks.started(progress);
  if (auto_warmup) {
    study.warmup = estimate_warmup(scenario, run);
    scenario.warmup = study.warmup->warmup_s;
  }
  study.result = run_experiment(scenario, run);
  if (study.result.precision) {
    study.precision_note = study.result.precision->describe(*options.precision);
  }
  if (hooks.simulated) hooks.simulated(study);

  if (file) {
    ResultProvenance provenance{source.file, {}};
    for (const Override& o : source.overrides)
      provenance.overrides.push_back(o.path + "=" + o.value);
    file->commit(scenario, study.result, provenance, hooks.stop);
  }
  return study;
}

}  // namespace surgesim::models
