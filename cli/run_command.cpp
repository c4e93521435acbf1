// surgesim run FILE: simulate, report and optionally keep the results in an HDF5 file.
#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <optional>

#include "cli/commands.hpp"
#include "cli/progress_bar.hpp"
#include "cli/stop_signals.hpp"
#include "models/report/text_report.hpp"
#include "models/run/study.hpp"

namespace surgesim::cli {
namespace {

struct RunArgs {
  std::string file;
  std::vector<std::string> sets;
  models::StudyOptions options;
  std::string warmup;  // empty: the scenario's; "auto": MSER-5; else a duration
  std::string format = "text";
  bool check_slo = false;
  bool quiet = false;
};

bool any_slo_failed(const models::Json& summary) {
  if (!summary.contains("slo")) return false;
  for (const models::Json& slo : summary["slo"]) {
    if (!slo.value("ok", true)) return true;
  }
  return false;
}

// Notes on how the run was shaped belong to the text report; with JSON on stdout they
// go to stderr.
void print_results(const models::Study& study, bool json) {
  std::ostream& notes = json ? std::cerr : std::cout;
  if (study.warmup) notes << study.warmup->describe() << "\n";
  if (!study.precision_note.empty()) notes << study.precision_note << "\n";
  if (!json && (study.warmup || !study.precision_note.empty())) notes << "\n";
  if (json) {
    std::cout << study.result.summary.dump(2) << "\n";
  } else {
    std::cout << models::text_report(study.result.summary);
  }
  std::cout.flush();
}

int run(RunArgs& args) {
  if (!args.warmup.empty()) args.options.warmup = args.warmup;
  const models::ScenarioSource source{args.file, std::nullopt, std::nullopt,
                                      parse_overrides(args.sets)};
  models::ScenarioFiles files;
  std::unique_ptr<ProgressBar> bar;
  std::optional<WritingResults> writing;
  models::StudyHooks hooks;
  hooks.stop = &stop_requested();
  hooks.loaded = print_warnings;
  hooks.started = [&](const models::ExperimentProgress& progress) {
    bar = std::make_unique<ProgressBar>([&progress] { return progress.overall(); }, !args.quiet);
  };
  hooks.simulated = [&](const models::Study& study) {
    bar.reset();
    print_results(study, args.format == "json");
    if (!args.options.output.empty()) writing.emplace();  // the result file comes next
  };
  const models::Study study =
      models::run_study(source, files, args.options, models::command_line_words(), hooks);
  if (!args.options.output.empty() && !args.quiet) {
    std::cerr << "results written to " << args.options.output << "\n";
  }
  // A saturated run fails --check-slo like a failed SLO: its figures understate the damage.
  const models::Json& summary = study.result.summary;
  if (args.check_slo && (any_slo_failed(summary) || summary.value("saturated", false)))
    return kSloFailed;
  return kOk;
}

}  // namespace

Command add_run_command(CLI::App& app) {
  auto args = std::make_shared<RunArgs>();
  models::StudyOptions& o = args->options;
  o.series = false;  // the command prints none: built for a result file or SLOs only
  CLI::App* cmd = app.add_subcommand("run", "Simulate a scenario and report");
  cmd->add_option("FILE", args->file, "Scenario YAML file")->required();
  cmd->add_option("-o,--output", o.output,
                  "Write results to an HDF5 file (appears only when complete)");
  cmd->add_option("-r,--replications", o.replications, "Independent replications");
  add_seed_option(*cmd, o.seed, "Master seed");
  cmd->add_option("--threads", o.threads, "Worker threads (default: all cores)");
  add_set_option(*cmd, args->sets);
  cmd->add_option("--format", args->format, "Output format")
      ->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("--warmup", args->warmup,
                  "Warm-up to discard: a duration (overrides the scenario's) or auto (MSER-5 "
                  "on a pilot run)");
  cmd->add_option("--precision", o.precision,
                  "Add replications until every headline 95% half-width is below REL x |mean|");
  cmd->add_option("--max-replications", o.max_replications,
                  "Upper bound on replications for --precision")
      ->capture_default_str();
  cmd->add_option("--max-memory", o.max_memory,
                  "Memory the run may use: bytes, or with K, M or G (default: half the "
                  "physical memory)");
  cmd->add_flag("--force", o.force, "Run even when the work estimate says it cannot finish");
  cmd->add_flag("--check-slo", args->check_slo, "Exit with status 3 if an SLO fails");
  cmd->add_flag("-q,--quiet", args->quiet, "No progress bar");
  return [args] { return run(*args); };
}

}  // namespace surgesim::cli
