// Faults on the way out (models/results/output_file, the HDF5 writer): a disk that fills
// up while the result file is written, a process killed while writing it, and an
// output path that is not a file.
#include <doctest/doctest.h>
#include <hdf5.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "models/results/output_file.hpp"
#include "models/results/result_file.hpp"
#include "models/yaml/scenario_error.hpp"
#include "scenario_runner.hpp"

namespace fs = std::filesystem;
using surgesim::models::ResultFileWriter;
using surgesim::models::ScenarioError;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    static int n = 0;
    path = fs::temp_directory_path() /
           ("surgesim-test-output-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  std::set<std::string> entries() const {
    std::set<std::string> names;
    for (const auto& e : fs::directory_iterator(path)) names.insert(e.path().filename());
    return names;
  }
};

std::string file_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A small shop run for real, its replications' tables kept for a writer.
struct SmallRun {
  surgesim::models::Scenario scenario;
  surgesim::models::ExperimentResult result;
  SmallRun() {
    using surgesim::testing::one_page_shop;
    scenario = surgesim::models::load_scenario_text(
        one_page_shop("name: small\nduration: 10m\nbucket: 30s\nreplications: 3\nseed: 7\n"
                      "traffic: {rate: 5}\n",
                      "web", "  web: {type: server_pool, instances: 2, service: 100ms}\n"),
        "small.yaml");
    result = surgesim::models::run_experiment(scenario, {});
  }
};

// Files larger than `bytes` cannot be written by this process while it lives: writes
// past it fail with EFBIG, as they would with ENOSPC on a full disk.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    ::getrlimit(RLIMIT_FSIZE, &before_);
    previous_signal_ = std::signal(SIGXFSZ, SIG_IGN);  // else the write kills the process
    rlimit limit = before_;
    limit.rlim_cur = bytes;
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &limit) == 0);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &before_);
    std::signal(SIGXFSZ, previous_signal_);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

 private:
  rlimit before_{};
  void (*previous_signal_)(int) = nullptr;
};

ssize_t open_hdf5_objects() {
  return H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL);
}

}  // namespace

TEST_CASE("a disk that fills up anywhere in the result file: one clear error, nothing left") {
  const TempDir dir;
  const SmallRun run;
  const fs::path path = dir.path / "out.h5";
  surgesim::models::write_result_file(path.string(), run.scenario, run.result, {"small.yaml", {}});
  const auto size = static_cast<rlim_t>(fs::file_size(path));
  { std::ofstream(path, std::ios::trunc) << "the previous results"; }
  const std::string before = file_bytes(path);

  // Every 1/64th of the file, and the first bytes where the superblock goes: the write
  // fails in H5Fcreate, in a dataset, in the metadata flush or in the close.
  std::set<rlim_t> limits = {0, 1, 8, 96, 512};
  for (rlim_t at = 0; at < size; at += size / 64 + 1) limits.insert(at);
  for (const rlim_t limit : limits) {
    CAPTURE(limit);
    ResultFileWriter writer(path.string());
    for (const auto& tables : run.result.replication_series) writer.add(tables);
    std::string message;
    {
      const FileSizeLimit full(limit);
      try {
        writer.commit(run.scenario, run.result, {"small.yaml", {}});
      } catch (const std::runtime_error& e) {
        message = e.what();
      }
    }
    CHECK(message == "cannot write the result file " + path.string() +
                         ": File too large; nothing was written, and a previous file of that "
                         "name is unchanged");
    CHECK(open_hdf5_objects() == 0);  // else HDF5's clean-up at exit crashes on it
    CHECK(file_bytes(path) == before);
    CHECK(dir.entries() == std::set<std::string>{"out.h5"});
  }
  // With room (HDF5 reserves space past the final end, then truncates the file), the
  // same writer writes it all.
  ResultFileWriter writer(path.string());
  for (const auto& tables : run.result.replication_series) writer.add(tables);
  {
    const FileSizeLimit roomy(2 * size);
    writer.commit(run.scenario, run.result, {"small.yaml", {}});
  }
  CHECK(fs::file_size(path) == size);
  CHECK(open_hdf5_objects() == 0);
}

TEST_CASE("a disk that fills up with the replications' scratch file during the run") {
  const TempDir dir;
  const SmallRun run;
  const fs::path path = dir.path / "out.h5";
  ResultFileWriter writer(path.string());
  const FileSizeLimit full(100);
  try {
    writer.add(run.result.replication_series.front());
    FAIL("expected an error");
  } catch (const std::runtime_error& e) {
    const std::string message = e.what();
    CHECK(message.starts_with("cannot write the replications to "));
    CHECK(message.ends_with(": File too large"));
  }
  CHECK(dir.entries().empty());
}

TEST_CASE("a process killed while writing leaves no temporary file for long") {
  const TempDir dir;
  const std::string path = (dir.path / "out.h5").string();
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    surgesim::models::PendingFile pending(path);
    [[maybe_unused]] const ssize_t n = ::write(pending.fd(), "half a file", 11);
    ::raise(SIGKILL);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFSIGNALED(status));
  // Without O_TMPFILE the child left out.h5.tmp-PID; the next writer of out.h5 removes
  // it. Other names, and temporaries of live processes, stay.
  const std::string live = "out.h5.tmp-" + std::to_string(::getpid());
  for (const std::string& name : {live, std::string("other.h5.tmp-1"),
                                  std::string("out.h5.tmp-12x"), std::string("out.h5")}) {
    std::ofstream(dir.path / name) << "x";
  }
  const std::string dead = "out.h5.tmp-" + std::to_string(child);
  std::ofstream(dir.path / (dead + ".replications")) << "x";
  { const ResultFileWriter writer(path); }
  CHECK(dir.entries() == std::set<std::string>{live, "other.h5.tmp-1", "out.h5.tmp-12x", "out.h5"});
}

TEST_CASE("-o names a regular file or a new one, never a device, FIFO, socket or directory") {
  using surgesim::models::check_output_path;
  const TempDir dir;
  const fs::path file = dir.path / "previous.h5";
  std::ofstream(file) << "x";
  CHECK_NOTHROW(check_output_path(file.string()));
  CHECK_NOTHROW(check_output_path((dir.path / "new.h5").string()));
  fs::create_symlink(file, dir.path / "link.h5");
  CHECK_NOTHROW(check_output_path((dir.path / "link.h5").string()));

  const fs::path fifo = dir.path / "fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const fs::path socket_path = dir.path / "socket";
  const int s = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, socket_path.c_str(), sizeof address.sun_path - 1);
  REQUIRE(::bind(s, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  fs::create_symlink("/dev/null", dir.path / "null-link");

  const std::pair<std::string, std::string> refused[] = {
      {"/dev/null", "found a character device"},
      {(dir.path / "null-link").string(), "found a character device"},
      {fifo.string(), "found a FIFO"},
      {socket_path.string(), "found a socket"},
      {dir.path.string(), "found a directory"},
      {(dir.path / "missing" / "x.h5").string(), "does not exist"},
  };
  for (const auto& [path, words] : refused) {
    CAPTURE(path);
    try {
      check_output_path(path);
      FAIL("accepted");
    } catch (const ScenarioError& e) {
      CHECK(e.location() == "-o " + path);
      CHECK(e.problem().find(words) != std::string::npos);
    }
  }
  ::close(s);
}

// A name the directory cannot hold under the temporary name it is written to first is
// refused before the run, not after it (the run used to fail only when writing).
TEST_CASE("-o with a name too long for its temporary name is refused before the run") {
  using surgesim::models::check_output_path;
  const TempDir dir;
  const long name_max = ::pathconf(dir.path.c_str(), _PC_NAME_MAX);
  REQUIRE(name_max > 40);
  const std::size_t suffix = (".tmp-" + std::to_string(::getpid()) + ".replications").size();
  const std::size_t longest = static_cast<std::size_t>(name_max) - suffix;
  CHECK_NOTHROW(check_output_path((dir.path / std::string(longest, 'a')).string()));
  const std::string too_long = (dir.path / std::string(longest + 1, 'a')).string();
  try {
    check_output_path(too_long);
    FAIL("accepted");
  } catch (const ScenarioError& e) {
    CHECK(e.problem().find("the file name is too long: " + std::to_string(longest + 1) +
                           " characters") != std::string::npos);
    CHECK(e.problem().find("shorten it to at most " + std::to_string(longest)) !=
          std::string::npos);
  }
}
