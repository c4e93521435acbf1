#pragma once

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <vector>

namespace surgesim::bench {

// One timed run: how much work (events, requests) was done in how many seconds.
struct Sample {
  double work = 0.0;
  double seconds = 0.0;
  double rate() const { return seconds > 0.0 ? work / seconds : 0.0; }
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

inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Peak resident set of this process so far, in MiB (Linux reports ru_maxrss in KiB).
inline double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

}  // namespace surgesim::bench
