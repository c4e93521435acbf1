// surgesim sweep / surgesim size: many runs of one scenario, written in the Python
// package (surgesim._sweep, surgesim._size), which runs the points on every core and
// tabulates them with pandas. The options are declared here, so that --help and usage
// errors look like every other command's, and handed on as they were given.
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/python_module.hpp"

namespace surgesim::cli {
namespace {

struct StudyArgs {
  std::string file;
  std::vector<std::string> vary;
  std::vector<std::string> sets;
  std::optional<long long> replications;
  std::optional<std::int64_t> seed;
  bool quiet = false;
  bool force = false;
};

void add_common(CLI::App& cmd, StudyArgs& args, const std::string& vary_help) {
  cmd.add_option("FILE", args.file, "Scenario YAML file")->required();
  cmd.add_option("--vary", args.vary, vary_help)->required();
  add_set_option(cmd, args.sets);
  cmd.add_option("-r,--replications", args.replications,
                 "Replications of every point (the same for all: common random numbers)");
  add_seed_option(cmd, args.seed, "Master seed of every point");
  cmd.add_flag("-q,--quiet", args.quiet, "No progress bar");
  cmd.add_flag("--force", args.force,
               "Run the points even when the work estimate says they, or one of them, would "
               "take over an hour on one core (each point as run --force)");
}

std::vector<std::string> common_arguments(const StudyArgs& args) {
  std::vector<std::string> out;
  for (const std::string& v : args.vary) out.insert(out.end(), {"--vary", v});
  for (const std::string& s : args.sets) out.insert(out.end(), {"--set", s});
  if (args.replications) out.insert(out.end(), {"-r", std::to_string(*args.replications)});
  if (args.seed) out.insert(out.end(), {"--seed", std::to_string(*args.seed)});
  if (args.quiet) out.push_back("--quiet");
  if (args.force) out.push_back("--force");
  return out;
}

}  // namespace

Command add_sweep_command(CLI::App& app) {
  struct Args : StudyArgs {
    std::string output;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "sweep",
      "Run every combination of the --vary values (same seed and replications: common random "
      "numbers); a row per point with the headline figures and their 95% half-widths");
  add_common(*cmd, *args, "KEY.PATH=V1,V2,... or KEY.PATH=LO..HI[:STEP] (repeatable)");
  cmd->add_option("-o,--output", args->output,
                  "sweep.csv or sweep.h5 (default: CSV on standard output)");
  return [args] {
    std::vector<std::string> python_args = common_arguments(*args);
    if (!args->output.empty()) python_args.insert(python_args.end(), {"-o", args->output});
    python_args.insert(python_args.end(), {"--", args->file});
    return exec_python_module("_sweep", python_args, "sweep");
  };
}

Command add_size_command(CLI::App& app) {
  struct Args : StudyArgs {
    std::string objective = "cost";
    double confidence = 0.95;
    std::optional<long long> confirm_replications;
    std::string format = "text";
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "size",
      "Find the cheapest whole-number values in the --vary ranges for which every SLO holds "
      "(exit 3 when none does)");
  add_common(*cmd, *args,
             "KEY.PATH[,KEY.PATH...]=LO..HI, inclusive whole numbers; key paths joined by "
             "commas take the same value (repeatable)");
  cmd->add_option("--objective", args->objective, "What to minimise")
      ->check(CLI::IsMember({"cost", "cost+lost_revenue"}))
      ->capture_default_str();
  cmd->add_option("--confidence", args->confidence,
                  "One-sided confidence of the SLO bounds across replications")
      ->capture_default_str();
  cmd->add_option("--confirm-replications", args->confirm_replications,
                  "Replications of the final check of the chosen point and its cheaper "
                  "neighbours (default: twice -r)");
  cmd->add_option("--format", args->format, "Output format")
      ->check(CLI::IsMember({"text", "json"}));
  return [args] {
    std::vector<std::string> python_args = common_arguments(*args);
    python_args.insert(python_args.end(),
                       {"--objective", args->objective, "--confidence",
                        std::to_string(args->confidence), "--format", args->format});
    if (args->confirm_replications) {
      python_args.insert(python_args.end(),
                         {"--confirm-replications", std::to_string(*args->confirm_replications)});
    }
    python_args.insert(python_args.end(), {"--", args->file});
    return exec_python_module("_size", python_args, "size");
  };
}

}  // namespace surgesim::cli
