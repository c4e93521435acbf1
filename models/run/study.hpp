#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

#include "models/loader/scenario_loader.hpp"
#include "models/run/experiment.hpp"

// One study, as `surgesim run` and Python's surgesim.run both do it: load the scenario
// with its overrides, apply the run's options, simulate, and write the result file.
namespace surgesim::models {

// The options of `surgesim run` beyond the scenario. Whole numbers are signed so that a
// negative one is caught here, in words, and not wrapped around on the way in.
struct StudyOptions {
  std::optional<std::int64_t> replications;  // none: the scenario's
  std::optional<std::int64_t> seed;          // none: the scenario's
  std::int64_t threads = 0;                  // 0: every core
  std::optional<std::string> warmup;         // a duration replacing the scenario's, or "auto"
  std::optional<double> precision;           // relative half-width goal
  std::int64_t max_replications = 100;       // with `precision`
  std::string output;                        // the result file; empty: none
  bool keep_replication_series = false;      // see RunOptions
  // The caller reads the time series (Python's results do). Without, they are built
  // only for what needs them here: a result file, SLOs.
  bool series = true;
  // Memory the run may use: bytes, or with a K, M or G suffix; none: half the physical
  // memory. A run estimated over it is refused; one whose requests in flight would pass
  // it is stopped.
  std::optional<std::string> max_memory;
  bool force = false;  // run even when the work estimate says it cannot finish
};

// How a shell names the options in its messages: the command line's flags or Python's
// argument names, so that a user reads the words they wrote.
struct OptionWords {
  std::string replications;
  std::string seed;
  std::string threads;
  std::string warmup;
  std::string precision;
  std::string max_replications;
  std::string output;
  std::string max_memory;
  std::string force;      // the whole option that forces a run: "--force", "force=True"
  std::string separator;  // between an option and its value: " " or "="
  std::string quote;      // around a text value: "" or "'"
  std::string with_value(const std::string& word, const std::string& text) const {
    return word + separator + quote + text + quote;
  }
};
const OptionWords& command_line_words();  // --replications, --max-replications, ...
const OptionWords& python_words();        // replications, max_replications, ...

// An option out of its range; what() is a sentence in the shell's words ("replications
// must be at least 1, found 0"). A usage error, like an invalid scenario.
class StudyOptionError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// What the shell sees of a study as it goes.
struct StudyHooks {
  const std::atomic<bool>* stop = nullptr;  // set from a signal handler or Ctrl-C
  // The scenario is loaded (its warnings are the shell's to show).
  std::function<void(const Scenario&)> loaded;
  // The simulation starts; the progress lives until it ends (a progress bar reads it).
  std::function<void(const ExperimentProgress&)> started;
  // The simulation ended, before the result file is written (which may fail): a shell
  // shows the results first.
  std::function<void(const struct Study&)> simulated;
};

struct Study {
  Scenario scenario;  // as simulated: options applied, the warm-up used
  std::optional<WarmupEstimate> warmup;
  ExperimentResult result;
  std::string precision_note;  // empty without a precision goal
};

// Checks the options (StudyOptionError) and the result path, loads the scenario through
// `files` (ScenarioError), applies replications, seed and warm-up, runs the experiment
// and commits the result file. Throws sim::Interrupted when `hooks.stop` became true.
Study run_study(const ScenarioSource& source, ScenarioFiles& files, const StudyOptions& options,
                const OptionWords& words, const StudyHooks& hooks = {});

}  // namespace surgesim::models
