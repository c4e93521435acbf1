// surgesim command line: a thin shell over the models library.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>

#include "cli/progress_bar.hpp"
#include "models/analytic_estimate.hpp"
#include "models/experiment.hpp"
#include "models/interrupted.hpp"
#include "models/loader/scenario_error.hpp"
#include "models/loader/scenario_loader.hpp"
#include "models/report/estimate_report.hpp"
#include "models/report/text_report.hpp"

namespace {

using namespace surgesim;

// Exit statuses of SCENARIO.md.
constexpr int kOk = 0;
constexpr int kFailure = 1;
constexpr int kInvalid = 2;

std::atomic<bool> g_stop{false};
extern "C" void request_stop(int) {
  g_stop.store(true);
}

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

models::Scenario load(const std::string& file, const std::vector<std::string>& sets) {
  std::vector<models::Override> overrides;
  for (const std::string& s : sets) overrides.push_back(models::parse_override(s));
  models::Scenario scenario = models::load_scenario_file(file, overrides);
  for (const std::string& warning : scenario.warnings) std::cerr << "warning: " << warning << "\n";
  return scenario;
}

int run(const RunArgs& args) {
  if (!args.output.empty()) {
    throw models::ScenarioError(
        "-o " + args.output, "",
        "writing result files is not supported yet by this version of surgesim");
  }
  models::Scenario scenario = load(args.file, args.sets);
  if (args.replications) scenario.replications = *args.replications;
  if (args.seed) scenario.seed = *args.seed;

  std::signal(SIGINT, request_stop);
  std::signal(SIGTERM, request_stop);
  models::ExperimentProgress progress(static_cast<std::size_t>(scenario.replications));
  models::ExperimentResult result;
  {
    cli::ProgressBar bar([&] { return progress.overall(); }, !args.quiet);
    result = models::run_experiment(scenario, {args.threads, &progress, &g_stop});
  }
  if (args.format == "json") {
    std::cout << result.summary.dump(2) << "\n";
  } else {
    std::cout << models::text_report(result.summary);
  }
  return kOk;
}

int check(const std::string& file, const std::vector<std::string>& sets) {
  const models::Scenario scenario = load(file, sets);
  std::size_t pages = 0;
  for (const auto& j : scenario.journeys) pages += j.pages.size();
  fmt::print("{}: valid scenario '{}': {} journeys, {} pages, {} services\n\n", file, scenario.name,
             scenario.journeys.size(), pages, scenario.services.size());
  fmt::print("{}", models::estimate_report(scenario, models::estimate(scenario)));
  return kOk;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"surgesim — capacity planning for online shops on sale days"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "surgesim 0.1.0");

  RunArgs run_args;
  CLI::App* run_cmd = app.add_subcommand("run", "Simulate a scenario and report");
  run_cmd->add_option("FILE", run_args.file, "Scenario YAML file")->required();
  run_cmd->add_option("-o,--output", run_args.output, "Write results to an HDF5 file");
  run_cmd->add_option("-r,--replications", run_args.replications, "Independent replications")
      ->check(CLI::Range(1, 100000));
  run_cmd->add_option("--seed", run_args.seed, "Master seed");
  run_cmd->add_option("--threads", run_args.threads, "Worker threads (default: all cores)");
  run_cmd->add_option("--set", run_args.sets, "Override a scalar: KEY.PATH=VALUE (repeatable)");
  run_cmd->add_option("--format", run_args.format, "Output format")
      ->check(CLI::IsMember({"text", "json"}));
  run_cmd->add_flag("--check-slo", run_args.check_slo, "Exit with status 3 if an SLO fails");
  run_cmd->add_flag("-q,--quiet", run_args.quiet, "No progress bar");

  std::string check_file;
  std::vector<std::string> check_sets;
  CLI::App* check_cmd =
      app.add_subcommand("check", "Validate a scenario and print the analytic estimate");
  check_cmd->add_option("FILE", check_file, "Scenario YAML file")->required();
  check_cmd->add_option("--set", check_sets, "Override a scalar: KEY.PATH=VALUE (repeatable)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kOk : kInvalid;
  }
  try {
    if (*run_cmd) return run(run_args);
    if (*check_cmd) return check(check_file, check_sets);
  } catch (const models::ScenarioError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kInvalid;
  } catch (const models::Interrupted&) {
    std::cerr << "interrupted: no results written\n";
    return kFailure;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kFailure;
  }
  return kFailure;
}
