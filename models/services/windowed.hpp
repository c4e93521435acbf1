#pragma once

#include "sim/time.hpp"

namespace surgesim::models {

// The same statistics kept over two windows at once: `total` covers [warmup, duration)
// for the summary, `bucket` the current time bucket for the time series. Recording goes
// through `record` so that neither window can be forgotten.
template <class Stats>
class Windowed {
 public:
  template <class... Args>
  explicit Windowed(const Args&... args) : total_(args...), bucket_(args...) {}

  template <class Update>
  void record(Update&& update) {
    update(total_);
    update(bucket_);
  }

  const Stats& total() const { return total_; }
  const Stats& bucket() const { return bucket_; }
  void restart_total(sim::Time t) { total_.restart(t); }
  void restart_bucket(sim::Time t) { bucket_.restart(t); }

 private:
  Stats total_;
  Stats bucket_;
};

}  // namespace surgesim::models
