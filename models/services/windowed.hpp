#pragma once

#include <concepts>
#include <utility>

#include "sim/quantile_sketch.hpp"
#include "sim/time.hpp"

namespace surgesim::models {

// The same statistics kept over two windows: `total` covers [warmup, duration) for the
// summary, `bucket` the current time bucket for the time series. A record goes to the
// bucket only, and each bucket is added to the total when it ends (Stats::absorb), so
// the hot path updates one copy, not two. The exception is the bucket in which the
// warm-up ends: the total restarts mid-bucket, and until that bucket ends records go
// to both. Recording goes through `record` so that neither window can be forgotten.
//
// Stats provides restart(t) (forget everything before t, keep the current levels) and
// absorb(part, end) (add a later window that ends at `end`, levels included); one with a
// quantile sketch, sketch() (see restart_bucket's `spare`).
template <class Stats>
class Windowed {
  static constexpr bool kHasSketch = requires(Stats & s) {
    { s.sketch() } -> std::same_as<sim::QuantileSketch&>;
  };

 public:
  template <class... Args>
  explicit Windowed(const Args&... args) : total_(args...), bucket_(args...) {}

  template <class Update>
  void record(Update&& update) {
    update(bucket_);
    if (both_) [[unlikely]]
      update(total_);
  }

  // The total as of the last bucket's end (the whole window once the last bucket ended).
  const Stats& total() const { return total_; }
  // The current bucket, from its start to now.
  const Stats& bucket() const { return bucket_; }

  // A figure of the statistics window from its start to now, `read(stats, t)` read up to
  // t: the ended buckets' share up to the current bucket's start, plus the current one's.
  template <class Read>
  double so_far(Read&& read, sim::Time now) const {
    if (both_) return read(total_, now);
    return read(total_, bucket_start_) + read(bucket_, now);
  }

  // The statistics window starts at t: what came before is forgotten, the current levels
  // are kept, and records reach the total directly until the current bucket ends.
  void restart_total(sim::Time t) {
    if (!both_) total_.absorb(bucket_, t);  // brings the levels up to date
    total_.restart(t);
    both_ = true;
  }
  // The current bucket ends at t (its row has been read): the total takes it in, unless
  // it saw the records itself, and the next bucket starts.
  //
  // With `spare` (an empty sketch of the same accuracy) the bucket's quantile sketch is
  // kept instead: it goes on counting into the next bucket and reaches the total at
  // flush_sketch. Without time series nothing reads a bucket's quantiles, and this saves
  // a walk at every bucket's end (a cache miss in the total's large store for each of
  // its non-empty buckets); sketch merges are exact, so the total's quantiles are the
  // same. The spare is the caller's so that every statistic keeps its size and layout.
  void restart_bucket(sim::Time t, sim::QuantileSketch* spare = nullptr) {
    if (both_) {
      bucket_.restart(t);  // the sketch too: the total saw every record since the restart
    } else if (kHasSketch && spare != nullptr) {
      if constexpr (kHasSketch) {
        // The kept sketch is set aside over the turnover: neither absorb nor restart
        // touches it (they merge and clear the empty spare, at no cost).
        std::swap(bucket_.sketch(), *spare);
        total_.absorb(bucket_, t);
        bucket_.restart(t);
        std::swap(bucket_.sketch(), *spare);
      }
    } else if constexpr (requires { total_.take(bucket_, t); }) {
      total_.take(bucket_, t);  // absorb and restart in one, for statistics with sketches
    } else {
      total_.absorb(bucket_, t);
      bucket_.restart(t);
    }
    bucket_start_ = t;
    both_ = false;
  }

  // Moves what the bucket's sketch kept (see restart_bucket) into the total; before the
  // total is read. Without a kept sketch there is nothing to move.
  void flush_sketch() {
    if constexpr (kHasSketch) total_.sketch().take(bucket_.sketch());
  }

 private:
  Stats total_;
  Stats bucket_;
  sim::Time bucket_start_ = 0.0;
  bool both_ = false;  // records reach the total directly (set at a restart of the total)
};

}  // namespace surgesim::models
