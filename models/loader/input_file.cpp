#include "models/loader/input_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "models/yaml/untrusted_text.hpp"

namespace surgesim::models {
namespace {

std::string kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  return "something that is not a regular file";
}

std::string size_text(std::size_t bytes) {
  if (bytes % (1 << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes) + " bytes";
}

class Reader {
 public:
  Reader(const std::string& path, const InputKind& kind, std::size_t limit)
      : path_(path), kind_(kind), limit_(limit) {}

  std::string read() const {
    struct stat st {};
    if (::stat(path_.c_str(), &st) != 0) {
      fail(std::string("cannot open the ") + kind_.name + " " + quoted() + ": " +
           std::strerror(errno));
    }
    check_kind(st);
    // Non-blocking: should the file become a FIFO after the check, opening it would
    // wait for a writer forever.
    const int fd = ::open(path_.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
      fail(std::string("cannot open the ") + kind_.name + " " + quoted() + ": " +
           std::strerror(errno));
    }
    try {
      const std::string text = read_all(fd);
      ::close(fd);
      return text;
    } catch (...) {
      ::close(fd);
      throw;
    }
  }

 private:
  [[noreturn]] void fail(const std::string& problem) const { throw InputFileError(problem); }

  // Piecewise: GCC 12 warns falsely (-Wrestrict) about "'" + std::string.
  std::string quoted() const {
    std::string q(1, '\'');
    q += excerpt(path_);
    q += '\'';
    return q;
  }

  void check_kind(const struct stat& st) const {
    if (!S_ISREG(st.st_mode)) {
      fail(std::string("expected ") + kind_.expected + ", found " + kind_of(st.st_mode) + ": " +
           quoted() + " (only regular files are read)");
    }
    if (static_cast<std::size_t>(st.st_size) > limit_) too_large();
  }

  [[noreturn]] void too_large() const {
    fail(std::string("the ") + kind_.name + " " + quoted() + " is larger than " +
         size_text(limit_) + ", the most surgesim reads: " + kind_.advice);
  }

  // Up to one byte past the limit: a file whose size the system does not say (those of
  // /proc read as empty) is held to it too.
  std::string read_all(int fd) const {
    struct stat st {};
    if (::fstat(fd, &st) != 0) fail(std::string("cannot read ") + quoted());
    check_kind(st);
    std::string text;
    char buffer[1 << 16];
    for (;;) {
      const ssize_t n = ::read(fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        fail(std::string("cannot read the ") + kind_.name + " " + quoted() + ": " +
             std::strerror(errno));
      }
      if (n == 0) return text;
      if (text.size() + static_cast<std::size_t>(n) > limit_) too_large();
      text.append(buffer, static_cast<std::size_t>(n));
    }
  }

  const std::string& path_;
  const InputKind& kind_;
  std::size_t limit_;
};

}  // namespace

std::string read_input_file(const std::string& path, const InputKind& kind, std::size_t limit) {
  return Reader(path, kind, limit).read();
}

}  // namespace surgesim::models
