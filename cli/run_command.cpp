// surgesim run FILE: simulate, report and optionally keep the results in an HDF5 file.
#include <fmt/format.h>

#include <iostream>
#include <optional>

#include "cli/commands.hpp"
#include "cli/progress_bar.hpp"
#include "cli/stop_signals.hpp"
#include "models/run/experiment.hpp"
#include "models/yaml/scenario_error.hpp"
#include "models/report/text_report.hpp"
#include "models/results/result_file.hpp"

namespace surgesim::cli {
namespace {

struct RunArgs {
  std::string file;
  std::string output;
  std::optional<int> replications;
  std::optional<std::uint64_t> seed;
  unsigned threads = 0;
  std::vector<std::string> sets;
  std::string format = "text";
  std::string warmup;  // empty: the scenario's; "auto": MSER-5; else a duration
  std::optional<double> precision;
  int max_replications = 100;
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

int run(const RunArgs& args) {
  // Before the simulation, which may take long: a bad -o would only show at the end.
  if (!args.output.empty()) models::check_result_path(args.output);
  models::Scenario scenario = load_scenario(args.file, args.sets);
  if (args.replications) scenario.replications = *args.replications;
  if (args.seed) scenario.seed = *args.seed;
  const bool auto_warmup = args.warmup == "auto";
  if (!args.warmup.empty() && !auto_warmup)
    models::override_warmup(scenario, args.warmup, "--warmup " + args.warmup);

  models::RunOptions options{args.threads, nullptr, &stop_requested(), std::nullopt};
  std::size_t most_replications = static_cast<std::size_t>(scenario.replications);
  if (args.precision) {
    const int first = std::max(scenario.replications, 3);
    if (args.max_replications < first) {
      throw models::ScenarioError(
          "--max-replications " + std::to_string(args.max_replications), "",
          fmt::format("expected at least the first batch of a --precision run "
                      "(max(replications, 3) = {}), found {}",
                      first, args.max_replications));
    }
    options.precision = models::PrecisionGoal{*args.precision, args.max_replications};
    most_replications = static_cast<std::size_t>(args.max_replications);
  }

  models::ExperimentProgress progress(most_replications);
  options.progress = &progress;
  // The replications' tables go to the file as they are merged; none is kept in memory.
  options.keep_replication_series = false;
  std::optional<models::ResultFileWriter> file;
  if (!args.output.empty()) {
    file.emplace(args.output);
    options.series_store = &*file;
  }
  std::optional<models::WarmupEstimate> warmup;
  models::ExperimentResult result;
  {
    ProgressBar bar([&] { return progress.overall(); }, !args.quiet);
    if (auto_warmup) {
      warmup = models::estimate_warmup(scenario, options);
      scenario.warmup = warmup->warmup_s;
    }
    result = models::run_experiment(scenario, options);
  }

  // Notes on how the run was shaped belong to the text report; with JSON on stdout
  // they go to stderr.
  const bool json = args.format == "json";
  std::ostream& notes = json ? std::cerr : std::cout;
  if (warmup) notes << warmup->describe() << "\n";
  if (result.precision) notes << result.precision->describe(*args.precision) << "\n";
  if (!json && (warmup || result.precision)) notes << "\n";
  if (json) {
    std::cout << result.summary.dump(2) << "\n";
  } else {
    std::cout << models::text_report(result.summary);
  }
  std::cout.flush();

  if (file) {
    const WritingResults writing;
    file->commit(scenario, result, {args.file, args.sets}, &stop_requested());
    if (!args.quiet) std::cerr << "results written to " << args.output << "\n";
  }
  // A saturated run fails --check-slo like a failed SLO: its figures understate the damage.
  if (args.check_slo &&
      (any_slo_failed(result.summary) || result.summary.value("saturated", false)))
    return kSloFailed;
  return kOk;
}

}  // namespace

Command add_run_command(CLI::App& app) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* cmd = app.add_subcommand("run", "Simulate a scenario and report");
  cmd->add_option("FILE", args->file, "Scenario YAML file")->required();
  cmd->add_option("-o,--output", args->output,
                  "Write results to an HDF5 file (appears only when complete)");
  cmd->add_option("-r,--replications", args->replications, "Independent replications")
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--seed", args->seed, "Master seed");
  cmd->add_option("--threads", args->threads, "Worker threads (default: all cores)");
  cmd->add_option("--set", args->sets, "Override a scalar: KEY.PATH=VALUE (repeatable)");
  cmd->add_option("--format", args->format, "Output format")
      ->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("--warmup", args->warmup,
                  "Warm-up to discard: a duration (overrides the scenario's) or auto (MSER-5 "
                  "on a pilot run)");
  cmd->add_option("--precision", args->precision,
                  "Add replications until every headline 95% half-width is below REL x |mean|")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--max-replications", args->max_replications,
                  "Upper bound on replications for --precision")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  cmd->add_flag("--check-slo", args->check_slo, "Exit with status 3 if an SLO fails");
  cmd->add_flag("-q,--quiet", args->quiet, "No progress bar");
  return [args] { return run(*args); };
}

}  // namespace surgesim::cli
