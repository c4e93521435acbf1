// Commands written in the Python package (report, compare, sweep, size) run by
// replacing this process with `python -m surgesim.MODULE`, so that the exit status,
// signals and output are Python's own. The interpreter and the package folder are the
// ones this build was configured with (SURGESIM_PYTHON_EXECUTABLE, SURGESIM_PYTHON_DIR).
#include "cli/python_module.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "cli/commands.hpp"

extern char** environ;

namespace surgesim::cli {
namespace {

constexpr const char* kPythonExecutable = SURGESIM_PYTHON_EXECUTABLE;
constexpr const char* kPythonDir = SURGESIM_PYTHON_DIR;

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

}  // namespace

int exec_python_module(const std::string& module, const std::vector<std::string>& args,
                       const std::string& command) {
  if (std::strlen(kPythonExecutable) == 0) {
    std::cerr << "error: this surgesim was built without Python (SURGESIM_PYTHON=OFF); " << command
              << " needs it\n";
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

}  // namespace surgesim::cli
