#include "models/results/output_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string_view>
#include <system_error>

#include "models/yaml/scenario_error.hpp"

namespace surgesim::models {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kTemporary = ".tmp-";
constexpr std::string_view kScratch = ".replications";

[[noreturn]] void fail_io(const std::string& what, int error) {
  throw std::runtime_error(what + ": " + std::strerror(error));
}

std::string directory_of(const std::string& path) {
  const fs::path p(path);
  return p.has_parent_path() ? p.parent_path().string() : std::string(".");
}

std::string temporary_name(const std::string& path) {
  return path + std::string(kTemporary) + std::to_string(::getpid());
}

// An unnamed regular file in `dir`, or -1 where the file system cannot make one.
int open_unnamed(const std::string& dir, mode_t mode) {
  return ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, mode);
}

std::string proc_link(int fd) {
  return "/proc/self/fd/" + std::to_string(fd);
}

std::string kind_of(const struct stat& st) {
  if (S_ISDIR(st.st_mode)) return "a directory";
  if (S_ISCHR(st.st_mode)) return "a character device";
  if (S_ISBLK(st.st_mode)) return "a block device";
  if (S_ISFIFO(st.st_mode)) return "a FIFO";
  if (S_ISSOCK(st.st_mode)) return "a socket";
  return "something that is not a regular file";
}

// The PID of "NAME.tmp-PID" or "NAME.tmp-PID.replications" for `prefix` "NAME.tmp-", or
// 0 when `name` is not one of them.
pid_t temporary_pid(std::string_view name, std::string_view prefix) {
  if (!name.starts_with(prefix)) return 0;
  name.remove_prefix(prefix.size());
  if (name.ends_with(kScratch)) name.remove_suffix(kScratch.size());
  if (name.empty() || name.size() > 9) return 0;  // PIDs stay below 2^22
  pid_t pid = 0;
  for (const char c : name) {
    if (c < '0' || c > '9') return 0;
    pid = pid * 10 + (c - '0');
  }
  return pid;
}

bool process_alive(pid_t pid) {
  // EPERM: it exists but belongs to someone else.
  return ::kill(pid, 0) == 0 || errno == EPERM;
}

void sync_directory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  // NOTE: errors ignored: the file is in place by now, and some file systems refuse to
  // sync a directory (EINVAL) although they keep renames.
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

void check_output_path(const std::string& path) {
  const fs::path p(path);
  const std::string where = "-o " + path;
  struct stat st {};
  if (path.empty() || !p.has_filename()) {
    throw ScenarioError(where, "", "expected a file name, found a directory");
  }
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    throw ScenarioError(where, "", "expected a file name, found a directory");
  }
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    throw ScenarioError(where, "",
                        "expected a regular file or a new name, found " + kind_of(st) +
                            ": writing would replace it; name a file instead");
  }
  const std::string dir = directory_of(path);
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw ScenarioError(where, "", "the directory " + dir + " of the result file does not exist");
  }
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    throw ScenarioError(where, "",
                        "cannot write in the directory " + dir + ": " + std::strerror(errno));
  }
  // The file is written under its longest temporary name first: a name the directory
  // cannot hold would otherwise fail only once the run is over.
  const std::size_t suffix = temporary_name("").size() + kScratch.size();
  const std::size_t name = p.filename().string().size();
  const long name_max = ::pathconf(dir.c_str(), _PC_NAME_MAX);
  if (name_max > 0 && name + suffix > static_cast<std::size_t>(name_max)) {
    throw ScenarioError(where, "",
                        "the file name is too long: " + std::to_string(name) +
                            " characters; it is written first under a temporary name " +
                            std::to_string(suffix) + " longer, and the directory takes names " +
                            "of at most " + std::to_string(name_max) + ": shorten it to at most " +
                            std::to_string(name_max - static_cast<long>(suffix)) + " characters");
  }
}

void remove_stale_temporaries(const std::string& path) {
  const std::string prefix = fs::path(path).filename().string() + std::string(kTemporary);
  std::error_code ec;
  for (fs::directory_iterator it(directory_of(path), ec), end; !ec && it != end; it.increment(ec)) {
    const pid_t pid = temporary_pid(it->path().filename().string(), prefix);
    if (pid <= 0 || process_alive(pid)) continue;
    std::error_code ignored;
    if (it->is_symlink(ignored) || !it->is_regular_file(ignored)) continue;
    fs::remove(it->path(), ignored);
  }
}

ScratchFile::ScratchFile(const std::string& beside) {
  const std::string dir = directory_of(beside);
  fd_ = open_unnamed(dir, 0600);
  if (fd_ >= 0) {
    description_ = "a scratch file in " + dir;
    return;
  }
  const std::string name = temporary_name(beside) + std::string(kScratch);
  ::unlink(name.c_str());  // a dead process that had our PID left it
  fd_ = ::open(name.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd_ < 0) fail_io("cannot create " + name, errno);
  if (::unlink(name.c_str()) != 0) {
    const int error = errno;
    ::close(fd_);
    fail_io("cannot unlink " + name, error);
  }
  description_ = name;
}

ScratchFile::~ScratchFile() {
  ::close(fd_);
}

void ScratchFile::write(std::span<const double> values, std::size_t at_value) {
  const char* bytes = reinterpret_cast<const char*>(values.data());
  std::size_t left = values.size_bytes();
  auto offset = static_cast<off_t>(at_value * sizeof(double));
  while (left > 0) {
    const ssize_t n = ::pwrite(fd_, bytes, left, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail_io("cannot write the replications to " + description_, n == 0 ? EIO : errno);
    bytes += n;
    left -= static_cast<std::size_t>(n);
    offset += n;
  }
}

void ScratchFile::read(std::span<double> values, std::size_t at_value) const {
  char* bytes = reinterpret_cast<char*>(values.data());
  std::size_t left = values.size_bytes();
  auto offset = static_cast<off_t>(at_value * sizeof(double));
  while (left > 0) {
    const ssize_t n = ::pread(fd_, bytes, left, offset);
    if (n < 0 && errno == EINTR) continue;
    // n == 0: a read past the end, which has no errno of its own.
    if (n <= 0)
      fail_io("cannot read the replications back from " + description_, n == 0 ? EIO : errno);
    bytes += n;
    left -= static_cast<std::size_t>(n);
    offset += n;
  }
}

PendingFile::PendingFile(std::string path)
    : path_(std::move(path)), temporary_(temporary_name(path_)) {
  // Mode as a file created by name gets it (0666 less the umask).
  fd_ = open_unnamed(directory_of(path_), 0666);
  // Giving it a name later needs its /proc link (or CAP_DAC_READ_SEARCH): without /proc
  // (a bare chroot), take the named way.
  if (fd_ >= 0 && ::access(proc_link(fd_).c_str(), F_OK) == 0) {
    unnamed_ = true;
    return;
  }
  if (fd_ >= 0) ::close(fd_);
  ::unlink(temporary_.c_str());  // a dead process that had our PID left it
  fd_ = ::open(temporary_.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd_ < 0) fail_io("cannot create " + temporary_, errno);
}

PendingFile::~PendingFile() {
  ::close(fd_);
  if (!published_) ::unlink(temporary_.c_str());
}

void PendingFile::publish() {
  // The data must be on disk before the rename makes the file visible under its name,
  // or a crash right after could leave an empty "complete" file.
  if (::fsync(fd_) != 0) fail_io("syncing it to disk failed", errno);
  if (unnamed_) {
    ::unlink(temporary_.c_str());  // a dead process that had our PID left it
    // NOTE: linkat(fd, "", AT_EMPTY_PATH) needs CAP_DAC_READ_SEARCH; the /proc link
    // of the descriptor needs nothing.
    if (::linkat(AT_FDCWD, proc_link(fd_).c_str(), AT_FDCWD, temporary_.c_str(),
                 AT_SYMLINK_FOLLOW) != 0) {
      fail_io("linking it in as " + temporary_ + " failed", errno);
    }
  }
  // Checked when the run started; something else may have appeared there since.
  struct stat st {};
  if (::lstat(path_.c_str(), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode)) {
    throw std::runtime_error("it would replace " + kind_of(st) + " that appeared there meanwhile");
  }
  if (::rename(temporary_.c_str(), path_.c_str()) != 0) {
    fail_io("renaming " + temporary_ + " to it failed", errno);
  }
  published_ = true;
  sync_directory(directory_of(path_));
}

}  // namespace surgesim::models
