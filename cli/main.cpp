// surgesim command line: a thin shell over the models library. Each subcommand lives
// in its own file and registers itself here.
#include <CLI/CLI.hpp>
#include <iostream>
#include <new>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/stop_signals.hpp"
#include "models/loader/scenario_loader.hpp"
#include "models/run/study.hpp"
#include "models/yaml/scenario_error.hpp"
#include "sim/interrupted.hpp"

namespace surgesim::cli {

std::vector<models::Override> parse_overrides(const std::vector<std::string>& sets) {
  std::vector<models::Override> overrides;
  for (const std::string& s : sets) overrides.push_back(models::parse_override(s));
  return overrides;
}

void print_warnings(const models::Scenario& scenario) {
  for (const std::string& warning : scenario.warnings) std::cerr << "warning: " << warning << "\n";
}

models::Scenario load_scenario(const std::string& file, const std::vector<std::string>& sets) {
  models::Scenario scenario = models::load_scenario_file(file, parse_overrides(sets));
  print_warnings(scenario);
  return scenario;
}

void add_set_option(CLI::App& command, std::vector<std::string>& sets) {
  command.add_option("--set", sets,
                     "Override a value by its key path before validation: KEY.PATH=VALUE; list "
                     "items by index (slo.0.max=0.01), a whole list or map as YAML flow text "
                     "(repeatable)");
}

// An invalid scenario found after Ctrl-C or SIGTERM (a large file read within the
// signal's grace second): the stop was asked for first, so the run ends as interrupted.
int invalid_unless_interrupted(const std::string& message) {
  if (stop_requested().load() && claim_interrupted_exit()) {
    std::cerr << "interrupted: no results written\n";
    return kFailure;
  }
  std::cerr << "error: " << message << "\n";
  return kInvalid;
}

}  // namespace surgesim::cli

int main(int argc, char** argv) {
  using namespace surgesim;
  CLI::App app{"surgesim — capacity planning for online shops on sale days"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "surgesim " SURGESIM_VERSION);

  const std::vector<std::pair<std::string, cli::Command>> commands = {
      {"run", cli::add_run_command(app)},         {"check", cli::add_check_command(app)},
      {"graph", cli::add_graph_command(app)},     {"report", cli::add_report_command(app)},
      {"compare", cli::add_compare_command(app)}, {"sweep", cli::add_sweep_command(app)},
      {"size", cli::add_size_command(app)},
  };
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? cli::kOk : cli::kInvalid;
  }
  cli::install_stop_handlers();
  try {
    for (const auto& [name, command] : commands) {
      if (app.got_subcommand(name)) return command();
    }
  } catch (const models::ScenarioError& e) {
    return cli::invalid_unless_interrupted(e.what());
  } catch (const models::StudyOptionError& e) {
    return cli::invalid_unless_interrupted(e.what());
  } catch (const sim::Interrupted&) {
    if (cli::claim_interrupted_exit()) std::cerr << "interrupted: no results written\n";
    return cli::kFailure;
  } catch (const std::bad_alloc&) {
    // Limits and the work estimate should refuse such a run first; this is the last word.
    std::cerr << "error: out of memory: the run needed more memory than it could get (a "
                 "ulimit, or other programs). Use wider buckets, fewer pages, services or "
                 "replications, or set --max-memory to what this machine can spare so that "
                 "such a run is refused before it starts\n";
    return cli::kFailure;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return cli::kFailure;
  }
  return cli::kFailure;
}
