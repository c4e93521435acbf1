#pragma once

#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <vector>

namespace surgesim::bench {

// One timed run: how much work (events, requests) was done in how many seconds of wall
// time and of this process's CPU time. On a shared machine the CPU time moves less: it
// leaves out the time other processes held the core (not the cache they took).
struct Sample {
  double work = 0.0;
  double seconds = 0.0;
  double cpu_seconds = 0.0;
  double rate() const { return seconds > 0.0 ? work / seconds : 0.0; }
  double cpu_rate() const { return cpu_seconds > 0.0 ? work / cpu_seconds : 0.0; }
};

inline double cpu_seconds_now() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

// Starts both clocks; sample(work) reads both.
class Stopwatch {
 public:
  Sample sample(double work) const {
    return Sample{work,
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_).count(),
                  cpu_seconds_now() - cpu_};
  }

 private:
  std::chrono::steady_clock::time_point wall_ = std::chrono::steady_clock::now();
  double cpu_ = cpu_seconds_now();
};

// Best and median rate of repeated runs. On a shared, noisy machine the best run is the
// closest to what the code can do; the median shows how much the noise costs.
struct Summary {
  double best = 0.0;
  double median = 0.0;
};

inline Summary summarize(std::vector<double> rates) {
  std::sort(rates.begin(), rates.end());
  return Summary{rates.back(), rates[rates.size() / 2]};
}

// Peak resident set of this process so far, in MiB (Linux reports ru_maxrss in KiB).
inline double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

}  // namespace surgesim::bench
