// surgesim check FILE: validate and print the analytic estimate.
#include <fmt/format.h>

#include "cli/commands.hpp"
#include "models/analysis/analytic_estimate.hpp"
#include "models/analysis/call_graph.hpp"
#include "models/report/estimate_report.hpp"

namespace surgesim::cli {

Command add_check_command(CLI::App& app) {
  struct Args {
    std::string file;
    std::vector<std::string> sets;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "check", "Validate a scenario and print its call graph and the analytic estimate");
  cmd->add_option("FILE", args->file, "Scenario YAML file")->required();
  add_set_option(*cmd, args->sets);
  return [args] {
    const models::Scenario scenario = load_scenario(args->file, args->sets);
    std::size_t pages = 0;
    for (const auto& j : scenario.journeys) pages += j.pages.size();
    fmt::print("{}: valid scenario '{}': {} journeys, {} pages, {} services\n\n", args->file,
               scenario.name, scenario.journeys.size(), pages, scenario.services.size());
    fmt::print("{}\n", models::to_text(scenario));
    fmt::print("{}", models::estimate_report(scenario, models::estimate(scenario)));
    return kOk;
  };
}

}  // namespace surgesim::cli
