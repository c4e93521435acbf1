// surgesim report / surgesim compare: read results files with the Python package
// (h5py, pandas, matplotlib draw better pictures than C++ would) by replacing this
// process with `python -m surgesim.report|compare`, so the exit status, signals and
// output are Python's own. The interpreter and the package folder are the ones this
// build was configured with (SURGESIM_PYTHON_EXECUTABLE, SURGESIM_PYTHON_DIR).
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.hpp"

extern char** environ;

namespace surgesim::cli {
namespace {

constexpr const char* kPythonExecutable = SURGESIM_PYTHON_EXECUTABLE;
constexpr const char* kPythonDir = SURGESIM_PYTHON_DIR;

bool is_results_file_candidate(const std::string& path) {
  if (std::filesystem::is_regular_file(path)) return true;
  std::cerr << "error: " << path << ": no such results file\n";
  return false;
}

// The current environment with the build's package folder first on PYTHONPATH.
std::vector<std::string> python_environment() {
  std::vector<std::string> env;
  std::string python_path = std::string("PYTHONPATH=") + kPythonDir;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string variable(*entry);
    if (variable.rfind("PYTHONPATH=", 0) == 0) {
      const std::string previous = variable.substr(std::strlen("PYTHONPATH="));
      if (!previous.empty()) python_path += ":" + previous;
    } else {
      env.push_back(variable);
    }
  }
  env.push_back(python_path);
  return env;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> result;
  for (std::string& s : strings) result.push_back(s.data());
  result.push_back(nullptr);
  return result;
}

// Replaces this process with `python -m MODULE ARGS...`; returns only on failure.
int exec_python_module(const std::string& module, const std::vector<std::string>& args) {
  if (std::strlen(kPythonExecutable) == 0) {
    std::cerr << "error: this surgesim was built without Python (SURGESIM_PYTHON=OFF); "
                 "report and compare need it\n";
    return kFailure;
  }
  const std::filesystem::path module_file =
      std::filesystem::path(kPythonDir) / "surgesim" / (module + ".py");
  if (!std::filesystem::is_regular_file(module_file)) {
    std::cerr << "error: the surgesim Python package is not built: " << module_file
              << " is missing (build the whole project: cmake --build BUILD_DIR)\n";
    return kFailure;
  }
  std::vector<std::string> argv = {kPythonExecutable, "-m", "surgesim." + module};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<std::string> env = python_environment();
  std::vector<char*> argv_pointers = pointers(argv);
  std::vector<char*> env_pointers = pointers(env);
  std::cout.flush();
  ::execve(kPythonExecutable, argv_pointers.data(), env_pointers.data());
  std::cerr << "error: cannot run " << kPythonExecutable << ": " << std::strerror(errno) << "\n";
  return kFailure;
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
    return exec_python_module("report", python_args);
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
    return exec_python_module("compare", {"--format", args->format, "--", args->a, args->b});
  };
}

}  // namespace surgesim::cli
