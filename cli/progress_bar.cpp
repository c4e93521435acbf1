#include "cli/progress_bar.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>

namespace surgesim::cli {

ProgressBar::ProgressBar(std::function<double()> fraction, bool enabled)
    : fraction_(std::move(fraction)) {
  if (enabled && isatty(STDERR_FILENO)) {
    thread_ = std::jthread([this](std::stop_token stop) { loop(stop); });
  }
}

ProgressBar::~ProgressBar() {
  if (thread_.joinable()) {
    thread_.request_stop();
    thread_.join();
  }
  if (drawn_) std::fputs("\r\033[K", stderr);
}

void ProgressBar::loop(std::stop_token stop) {
  using namespace std::chrono;
  const auto start = steady_clock::now();
  while (!stop.stop_requested()) {
    std::this_thread::sleep_for(milliseconds(200));
    const double elapsed = duration<double>(steady_clock::now() - start).count();
    if (elapsed < 1.0 || stop.stop_requested()) continue;
    const double f = std::clamp(fraction_(), 0.0, 1.0);
    constexpr int kWidth = 40;
    const int filled = static_cast<int>(f * kWidth);
    const std::string bar = std::string(static_cast<std::size_t>(filled), '#') +
                            std::string(static_cast<std::size_t>(kWidth - filled), '.');
    const std::string eta = f > 0.01 ? fmt::format("{:.0f}s left", elapsed * (1.0 - f) / f) : "";
    std::fputs(
        fmt::format("\r[{}] {:5.1f}%  {:.0f}s elapsed  {}\033[K", bar, 100.0 * f, elapsed, eta)
            .c_str(),
        stderr);
    drawn_ = true;
  }
}

}  // namespace surgesim::cli
