#pragma once

#include <atomic>

// Ctrl-C and SIGTERM, honoured at any moment of a command.
//
// The simulation and the result file's write poll stop_requested() and end within
// milliseconds, through sim::Interrupted ("interrupted: no results written", exit 1).
// Loading a scenario, building a large journey or a pre-run pilot's set-up do not poll:
// a helper thread ends the process itself (same message and status) if it is still
// running a moment after the signal — except while a result file is being written,
// which stops at its next table and removes its temporary file. A second signal ends
// the process at once, whatever it is doing (output_file.hpp says what a result file
// killed half-written leaves).
namespace surgesim::cli {

// Installs the handlers and the helper thread; call once, before any work.
void install_stop_handlers();

// Set by the first SIGINT or SIGTERM.
std::atomic<bool>& stop_requested();

// Whether the caller may report the interruption: false when the helper thread is
// already ending the process (it says so itself).
bool claim_interrupted_exit();

// While one lives, the first signal only asks the write to stop.
class WritingResults {
 public:
  WritingResults();
  ~WritingResults();
  WritingResults(const WritingResults&) = delete;
  WritingResults& operator=(const WritingResults&) = delete;
};

}  // namespace surgesim::cli
