// surgesim graph FILE [-o graph.dot]: the call graph as Graphviz DOT.
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "cli/commands.hpp"
#include "models/analysis/call_graph.hpp"
#include "models/results/output_file.hpp"

namespace surgesim::cli {
namespace {

std::runtime_error io_error(const std::string& what, const std::string& path) {
  return std::runtime_error(fmt::format("{} {}: {}", what, path, std::strerror(errno)));
}

// Writes to a temporary name beside `path`, then renames: a reader never sees half a
// file, and a failed write leaves an existing file as it was.
void write_atomically(const std::string& path, const std::string& text) {
  const std::filesystem::path target(path);
  const std::filesystem::path dir = target.parent_path().empty() ? "." : target.parent_path();
  std::string temp = (dir / ("." + target.filename().string() + ".XXXXXX")).string();
  const int fd = mkstemp(temp.data());
  if (fd < 0) throw io_error("cannot create a temporary file in", dir.string());
  // mkstemp makes the file private; the graph gets the usual permissions.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd, 0666 & ~mask);
  std::FILE* out = fdopen(fd, "w");
  if (out == nullptr) {
    ::close(fd);
    std::remove(temp.c_str());
    throw io_error("cannot write", temp);
  }
  const bool written = std::fwrite(text.data(), 1, text.size(), out) == text.size();
  const bool closed = std::fclose(out) == 0;
  if (!written || !closed) {
    std::remove(temp.c_str());
    throw io_error("cannot write", temp);
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    const auto error = io_error("cannot rename the output to", path);
    std::remove(temp.c_str());
    throw error;
  }
}

}  // namespace

Command add_graph_command(CLI::App& app) {
  struct Args {
    std::string file;
    std::string output;
    std::vector<std::string> sets;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "graph", "Write the call graph (journeys, pages, services, calls) as Graphviz DOT");
  cmd->add_option("FILE", args->file, "Scenario YAML file")->required();
  cmd->add_option("-o,--output", args->output, "DOT file to write (default: standard output)");
  add_set_option(*cmd, args->sets);
  return [args] {
    if (!args->output.empty()) models::check_output_path(args->output);
    const std::string dot = models::to_dot(load_scenario(args->file, args->sets));
    if (args->output.empty()) {
      fmt::print("{}", dot);
    } else {
      write_atomically(args->output, dot);
    }
    return kOk;
  };
}

}  // namespace surgesim::cli
