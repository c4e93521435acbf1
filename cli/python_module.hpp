#pragma once

#include <string>
#include <vector>

namespace surgesim::cli {

// Replaces this process with `python -m surgesim.MODULE ARGS...` (the package built
// beside this executable); returns kFailure only when that cannot be done, saying why
// `command` cannot run.
int exec_python_module(const std::string& module, const std::vector<std::string>& args,
                       const std::string& command);

}  // namespace surgesim::cli
