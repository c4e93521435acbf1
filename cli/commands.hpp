#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "models/loader/scenario_loader.hpp"
#include "models/scenario.hpp"

// Each subcommand registers its options and returns what runs it once parsed.
namespace surgesim::cli {

// Exit statuses of docs/scenario.md.
inline constexpr int kOk = 0;
inline constexpr int kFailure = 1;
inline constexpr int kInvalid = 2;
inline constexpr int kSloFailed = 3;

using Command = std::function<int()>;

// The --set options as overrides (ScenarioError for one without '=').
std::vector<models::Override> parse_overrides(const std::vector<std::string>& sets);
// A scenario's warnings, on stderr.
void print_warnings(const models::Scenario& scenario);
// Loads FILE with --set overrides; warnings go to stderr.
models::Scenario load_scenario(const std::string& file, const std::vector<std::string>& sets);
// The repeatable --set option, the same for every command.
void add_set_option(CLI::App& command, std::vector<std::string>& sets);
// The --seed option: a whole number from 0 to 2^63-1, as a scenario's `seed`; anything
// else is refused as typed (exit 2).
void add_seed_option(CLI::App& command, std::optional<std::int64_t>& seed, const std::string& help);

Command add_run_command(CLI::App& app);
Command add_check_command(CLI::App& app);
Command add_graph_command(CLI::App& app);
Command add_report_command(CLI::App& app);
Command add_compare_command(CLI::App& app);
Command add_sweep_command(CLI::App& app);
Command add_size_command(CLI::App& app);

}  // namespace surgesim::cli
