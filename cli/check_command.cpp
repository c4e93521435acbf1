// surgesim check FILE: validate and print the call graph and the analytic estimate.
#include <fmt/format.h>

#include "cli/commands.hpp"
#include "models/analysis/analytic_estimate.hpp"
#include "models/analysis/bucket_estimate.hpp"
#include "models/analysis/call_graph.hpp"
#include "models/report/estimate_report.hpp"
#include "models/run/work_estimate.hpp"
#include "sim/replication_runner.hpp"

namespace surgesim::cli {
namespace {

// The estimate per time bucket x service, as Python's surgesim.estimate has it.
void print_json(const models::Scenario& scenario) {
  models::Json out;
  out["scenario"] = scenario.name;
  out["bucket_s"] = scenario.bucket;
  out["warnings"] = scenario.warnings;
  out["estimate"] = models::estimate_rows(models::estimate_buckets(scenario));
  fmt::print("{}\n", out.dump(2));
}

}  // namespace

Command add_check_command(CLI::App& app) {
  struct Args {
    std::string file;
    std::vector<std::string> sets;
    std::string format = "text";
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "check",
      "Validate a scenario and print its call graph and the analytic estimate (at the peak "
      "rate; per time bucket with --format json)");
  cmd->add_option("FILE", args->file, "Scenario YAML file")->required();
  add_set_option(*cmd, args->sets);
  cmd->add_option("--format", args->format, "Output format")
      ->check(CLI::IsMember({"text", "json"}));
  return [args] {
    const models::Scenario scenario = load_scenario(args->file, args->sets);
    if (args->format == "json") {
      print_json(scenario);
      return kOk;
    }
    std::size_t pages = 0;
    for (const auto& j : scenario.journeys) pages += j.pages.size();
    fmt::print("{}: valid scenario '{}': {} journeys, {} pages, {} services\n\n", args->file,
               scenario.name, scenario.journeys.size(), pages, scenario.services.size());
    fmt::print("{}\n", models::to_text(scenario));
    fmt::print("{}", models::estimate_report(scenario, models::estimate(scenario)));
    const models::WorkEstimate work = models::estimate_work(
        scenario, {static_cast<double>(scenario.replications), sim::resolve_threads(0)});
    fmt::print(
        "\nWork: {} sessions and {} events per replication; at least {} on one core for {} "
        "replication{}, memory about {} (surgesim run refuses over an hour or over "
        "--max-memory)\n",
        models::format_count(work.sessions), models::format_count(work.events),
        models::format_seconds(work.cpu_seconds), scenario.replications,
        scenario.replications == 1 ? "" : "s", models::format_bytes(work.memory_bytes));
    return kOk;
  };
}

}  // namespace surgesim::cli
