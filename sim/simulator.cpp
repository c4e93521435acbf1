#include "sim/simulator.hpp"

namespace surgesim::sim {

bool Simulator::run_until(Time end, std::atomic<double>* progress, const std::atomic<bool>* stop) {
  constexpr std::uint64_t kCheckEvery = 1u
                                        << 16;  // cheap enough to poll, often enough to feel live
  std::uint64_t until_check = kCheckEvery;
  const std::uint64_t end_key = time_key(end);
  EventQueue::Fired e;
  while (events_.pop_before(end_key, e)) {
    now_ = e.t;
    ++fired_;
    e.target->on_event(e.tag, e.arg);
    if (--until_check == 0) {
      until_check = kCheckEvery;
      if (progress) progress->store((now_ - start_) / (end - start_), std::memory_order_relaxed);
      if (stop && stop->load(std::memory_order_relaxed)) return false;
      if (watcher_) watcher_->check(now_, fired_);
    }
  }
  now_ = end;
  if (progress) progress->store(1.0, std::memory_order_relaxed);
  return true;
}

}  // namespace surgesim::sim
