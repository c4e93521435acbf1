#pragma once

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace surgesim::sim {

// Number of worker threads to use when the user asked for `requested` (0 = all cores).
inline unsigned resolve_threads(unsigned requested) {
  if (requested > 0) return requested;
  return std::max(1u, std::thread::hardware_concurrency());
}

// Runs replications first..first+count-1 on a pool of threads. Each replication is a
// pure function of its index (it owns its random streams), and results are returned in
// index order, so the outcome does not depend on the number of threads. The first
// exception thrown by any replication stops the others from starting and is rethrown.
template <class Result, class Fn>
std::vector<Result> run_replications(std::size_t first, std::size_t count, unsigned threads,
                                     Fn&& replicate) {
  std::vector<std::optional<Result>> slots(count);
  std::atomic<std::size_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto worker = [&] {
    for (;;) {
      const std::size_t i = next.fetch_add(1);
      if (i >= count) return;
      try {
        slots[i].emplace(replicate(first + i));
      } catch (...) {
        std::lock_guard lock(failure_mutex);
        if (!failure) failure = std::current_exception();
        next.store(count);
      }
    }
  };
  const unsigned n =
      std::min<std::size_t>(resolve_threads(threads), std::max<std::size_t>(count, 1));
  if (n <= 1) {
    worker();
  } else {
    std::vector<std::jthread> pool;
    for (unsigned t = 0; t < n; ++t) pool.emplace_back(worker);
  }
  if (failure) std::rethrow_exception(failure);
  std::vector<Result> results;
  results.reserve(count);
  for (auto& slot : slots) results.push_back(std::move(*slot));
  return results;
}

}  // namespace surgesim::sim
