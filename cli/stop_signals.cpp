#include "cli/stop_signals.hpp"

#include <semaphore.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <thread>

namespace surgesim::cli {
namespace {

constexpr int kInterruptedStatus = 1;  // kFailure: an interrupted run is a failed run
constexpr char kMessage[] = "interrupted: no results written\n";
// Long enough for the simulation to notice the request and unwind, short enough to
// feel immediate.
constexpr auto kGrace = std::chrono::seconds(1);

std::atomic<bool> g_stop{false};
std::atomic<int> g_signals{0};
std::atomic<int> g_writing{0};
std::atomic<bool> g_exit_claimed{false};
sem_t g_wake;

// Async-signal-safe: write and _exit only. No destructor runs, no HDF5 clean-up: what
// is open is either nameless (the kernel frees it) or removed by the next run.
[[noreturn]] void end_now() {
  [[maybe_unused]] const ssize_t n = ::write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
  ::_exit(kInterruptedStatus);
}

extern "C" void on_stop_signal(int) {
  g_stop.store(true);
  if (g_signals.fetch_add(1) >= 1 && !g_exit_claimed.exchange(true)) end_now();
  ::sem_post(&g_wake);
}

void end_if_still_running() {
  while (::sem_wait(&g_wake) != 0) {
  }
  const auto deadline = std::chrono::steady_clock::now() + kGrace;
  while (std::chrono::steady_clock::now() < deadline || g_writing.load() > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (!g_exit_claimed.exchange(true)) end_now();
}

}  // namespace

void install_stop_handlers() {
  ::sem_init(&g_wake, 0, 0);
  std::thread(end_if_still_running).detach();
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
}

std::atomic<bool>& stop_requested() {
  return g_stop;
}

bool claim_interrupted_exit() {
  return !g_exit_claimed.exchange(true);
}

WritingResults::WritingResults() {
  ++g_writing;
}

WritingResults::~WritingResults() {
  --g_writing;
}

}  // namespace surgesim::cli
