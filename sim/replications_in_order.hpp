#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "sim/replication_runner.hpp"

namespace surgesim::sim {

// Runs replications first..first+count-1 on a pool of threads and hands each result to
// `merge`, on the calling thread, strictly in replication order: whatever merge does
// (sums, a file) sees the same sequence at any thread count. A worker starts
// replication i only while i < (next to merge) + threads, so at most `threads` results
// are ever finished and waiting, and memory follows the replications in flight, not
// their count. The first exception of a replication or of merge stops new replications
// from starting and is rethrown once the running ones have ended. Returns the most
// results that were finished and not yet merged at once (for tests: at most the thread
// count; 0 on one thread, where each is merged as it ends).
template <class Result, class Replicate, class Merge>
std::size_t run_replications_in_order(std::size_t first, std::size_t count, unsigned threads,
                                      Replicate&& replicate, Merge&& merge) {
  const std::size_t window =
      std::min<std::size_t>(sim::resolve_threads(threads), std::max<std::size_t>(count, 1));
  if (window <= 1) {
    for (std::size_t i = 0; i < count; ++i) merge(replicate(first + i));
    return 0;
  }

  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::optional<Result>> finished(window);  // replication i in slot i % window
  std::size_t next_to_start = 0;
  std::size_t next_to_merge = 0;
  std::size_t waiting = 0;
  std::size_t most_waiting = 0;
  bool abandoned = false;
  std::exception_ptr failure;

  auto worker = [&] {
    for (;;) {
      std::size_t i = 0;
      {
        std::unique_lock lock(mutex);
        changed.wait(lock, [&] {
          return abandoned || next_to_start >= count || next_to_start < next_to_merge + window;
        });
        if (abandoned || next_to_start >= count) return;
        i = next_to_start++;
      }
      try {
        Result result = replicate(first + i);
        std::lock_guard lock(mutex);
        finished[i % window].emplace(std::move(result));
        most_waiting = std::max(most_waiting, ++waiting);
      } catch (...) {
        std::lock_guard lock(mutex);
        if (!failure) failure = std::current_exception();
        abandoned = true;
      }
      changed.notify_all();
    }
  };

  std::exception_ptr merge_failure;
  {
    std::vector<std::jthread> pool;  // joined at the end of this block
    try {
      for (std::size_t t = 0; t < window; ++t) pool.emplace_back(worker);
      for (std::size_t i = 0; i < count; ++i) {
        std::optional<Result> result;
        {
          std::unique_lock lock(mutex);
          changed.wait(lock, [&] { return failure || finished[i % window].has_value(); });
          if (failure) {  // a replication failed: the run is lost
            abandoned = true;
            break;
          }
          result.swap(finished[i % window]);
          --waiting;
          ++next_to_merge;
        }
        changed.notify_all();  // the window moved on
        merge(std::move(*result));
      }
    } catch (...) {
      merge_failure = std::current_exception();
      std::lock_guard lock(mutex);
      abandoned = true;
    }
    changed.notify_all();
  }
  if (merge_failure) std::rethrow_exception(merge_failure);
  if (failure) std::rethrow_exception(failure);
  return most_waiting;
}

}  // namespace surgesim::sim
