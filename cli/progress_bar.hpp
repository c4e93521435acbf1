#pragma once

#include <atomic>
#include <functional>
#include <thread>

namespace surgesim::cli {

// Draws a progress bar on stderr, but only when stderr is a terminal and the run has
// already taken more than a second (short runs stay quiet).
class ProgressBar {
 public:
  explicit ProgressBar(std::function<double()> fraction, bool enabled);
  ~ProgressBar();  // erases the bar
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

 private:
  void loop(std::stop_token stop);
  std::function<double()> fraction_;
  bool drawn_ = false;
  std::jthread thread_;
};

}  // namespace surgesim::cli
