// surgesim run FILE: simulate and report.
#include <iostream>
#include <optional>

#include "cli/commands.hpp"
#include "cli/progress_bar.hpp"
#include "models/experiment.hpp"
#include "models/loader/scenario_error.hpp"
#include "models/report/text_report.hpp"

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
  bool check_slo = false;
  bool quiet = false;
};

int run(const RunArgs& args) {
  if (!args.output.empty()) {
    throw models::ScenarioError(
        "-o " + args.output, "",
        "writing result files is not supported yet by this version of surgesim");
  }
  models::Scenario scenario = load_scenario(args.file, args.sets);
  if (args.replications) scenario.replications = *args.replications;
  if (args.seed) scenario.seed = *args.seed;

  install_stop_handlers();
  models::ExperimentProgress progress(static_cast<std::size_t>(scenario.replications));
  models::ExperimentResult result;
  {
    ProgressBar bar([&] { return progress.overall(); }, !args.quiet);
    result = models::run_experiment(scenario, {args.threads, &progress, &stop_requested()});
  }
  if (args.format == "json") {
    std::cout << result.summary.dump(2) << "\n";
  } else {
    std::cout << models::text_report(result.summary);
  }
  return kOk;
}

}  // namespace

Command add_run_command(CLI::App& app) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* cmd = app.add_subcommand("run", "Simulate a scenario and report");
  cmd->add_option("FILE", args->file, "Scenario YAML file")->required();
  cmd->add_option("-o,--output", args->output, "Write results to an HDF5 file");
  cmd->add_option("-r,--replications", args->replications, "Independent replications")
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--seed", args->seed, "Master seed");
  cmd->add_option("--threads", args->threads, "Worker threads (default: all cores)");
  cmd->add_option("--set", args->sets, "Override a scalar: KEY.PATH=VALUE (repeatable)");
  cmd->add_option("--format", args->format, "Output format")
      ->check(CLI::IsMember({"text", "json"}));
  cmd->add_flag("--check-slo", args->check_slo, "Exit with status 3 if an SLO fails");
  cmd->add_flag("-q,--quiet", args->quiet, "No progress bar");
  return [args] { return run(*args); };
}

}  // namespace surgesim::cli
