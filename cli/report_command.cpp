// surgesim report / surgesim compare: read results files with the Python package
// (h5py, pandas, matplotlib draw better pictures than C++ would).
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/python_module.hpp"

namespace surgesim::cli {
namespace {

// Only a regular file is handed to the reader: a device or a FIFO would be read forever
// or block, and "no such file" would be untrue for them.
bool is_results_file_candidate(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code error;
  const fs::file_type type = fs::status(path, error).type();
  if (type == fs::file_type::regular) return true;
  const char* found = type == fs::file_type::directory   ? "a directory"
                      : type == fs::file_type::character ? "a character device"
                      : type == fs::file_type::block     ? "a block device"
                      : type == fs::file_type::fifo      ? "a FIFO"
                      : type == fs::file_type::socket    ? "a socket"
                                                         : nullptr;
  std::cerr << "error: " << path << ": "
            << (found ? std::string("expected a results file, found ") + found
                      : std::string("no such results file"))
            << "\n";
  return false;
}

}  // namespace

Command add_report_command(CLI::App& app) {
  struct Args {
    std::string results;
    std::string output;
    std::string from;
    std::string to;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "report", "Render a results file as an HTML page or PNGs (λ(t), latency, drop-offs, ...)");
  cmd->add_option("RESULTS", args->results, "Results file written by `surgesim run -o`")
      ->required();
  cmd->add_option("-o,--output", args->output,
                  "report.html (one page) or report.png (report-PANEL.png per panel); "
                  "default: RESULTS-report.html beside the results file");
  cmd->add_option("--from", args->from,
                  "Show the run from this time on: seconds, a duration (1h50m) or HH:MM (a "
                  "clock time when the run has a start)");
  cmd->add_option("--to", args->to, "Show the run up to this time");
  return [args] {
    if (!is_results_file_candidate(args->results)) return kInvalid;
    std::vector<std::string> python_args;
    if (!args->output.empty()) python_args = {"--output", args->output};
    // NOTE: "--from=VALUE" in one word, so that a value cannot be taken for an option.
    if (!args->from.empty()) python_args.push_back("--from=" + args->from);
    if (!args->to.empty()) python_args.push_back("--to=" + args->to);
    python_args.push_back("--");
    python_args.push_back(args->results);
    return exec_python_module("report", python_args, "report");
  };
}

Command add_compare_command(CLI::App& app) {
  struct Args {
    std::string a;
    std::string b;
    std::string format = "text";
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "compare", "Headline numbers of two results files, their difference and its significance");
  cmd->add_option("A", args->a, "Results file")->required();
  cmd->add_option("B", args->b, "Results file to compare with A")->required();
  cmd->add_option("--format", args->format, "Output format")
      ->check(CLI::IsMember({"text", "json"}));
  return [args] {
    if (!is_results_file_candidate(args->a) || !is_results_file_candidate(args->b)) {
      return kInvalid;
    }
    return exec_python_module("compare", {"--format", args->format, "--", args->a, args->b},
                              "compare");
  };
}

}  // namespace surgesim::cli
