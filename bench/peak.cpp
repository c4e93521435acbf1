// bench_peak CMD [ARGS...]: runs CMD and prints its peak resident set to stderr as the
// last line, "bench_peak: maxrss_kib N", then exits with CMD's status.
//
// Why a program of its own: a process forked from Python starts with the interpreter's
// pages, and Linux keeps that high-water mark across exec, so the peak Python reads
// for its child is never below the interpreter's own (about 12 MiB). Forked from this
// small program, the command's peak is its own.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_peak CMD [ARGS...]\n");
    return 2;
  }
  const pid_t child = ::fork();
  if (child < 0) {
    std::perror("bench_peak: fork");
    return 2;
  }
  if (child == 0) {
    ::execvp(argv[1], argv + 1);
    std::perror("bench_peak: exec");
    ::_exit(127);
  }
  int status = 0;
  rusage usage{};
  if (::wait4(child, &status, 0, &usage) < 0) {
    std::perror("bench_peak: wait4");
    return 2;
  }
  std::fprintf(stderr, "bench_peak: maxrss_kib %ld\n", usage.ru_maxrss);
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}
