// surgesim command line: a thin shell over the models library. Each subcommand lives
// in its own file and registers itself here.
#include <CLI/CLI.hpp>
#include <iostream>
#include <vector>

#include "cli/commands.hpp"
#include "cli/stop_signals.hpp"
#include "sim/interrupted.hpp"
#include "models/yaml/scenario_error.hpp"
#include "models/loader/scenario_loader.hpp"

namespace surgesim::cli {

models::Scenario load_scenario(const std::string& file, const std::vector<std::string>& sets) {
  std::vector<models::Override> overrides;
  for (const std::string& s : sets) overrides.push_back(models::parse_override(s));
  models::Scenario scenario = models::load_scenario_file(file, overrides);
  for (const std::string& warning : scenario.warnings) std::cerr << "warning: " << warning << "\n";
  return scenario;
}

}  // namespace surgesim::cli

int main(int argc, char** argv) {
  using namespace surgesim;
  CLI::App app{"surgesim — capacity planning for online shops on sale days"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "surgesim " SURGESIM_VERSION);

  const std::vector<std::pair<std::string, cli::Command>> commands = {
      {"run", cli::add_run_command(app)},
      {"check", cli::add_check_command(app)},
      {"graph", cli::add_graph_command(app)},
      {"report", cli::add_report_command(app)},
      {"compare", cli::add_compare_command(app)},
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
    std::cerr << "error: " << e.what() << "\n";
    return cli::kInvalid;
  } catch (const sim::Interrupted&) {
    if (cli::claim_interrupted_exit()) std::cerr << "interrupted: no results written\n";
    return cli::kFailure;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return cli::kFailure;
  }
  return cli::kFailure;
}
