#include "models/sessions/waiting_room.hpp"

#include <cmath>
#include <limits>

#include "models/services/service_stats.hpp"

namespace surgesim::models {

void WaitingRoomStats::restart(sim::Time t) {
  arrivals = admitted = left = 0;
  wait = {};
  wait_quantiles.clear();
  waiting.restart(t);
  active.restart(t);
}

void WaitingRoomStats::absorb(const WaitingRoomStats& later, sim::Time end) {
  arrivals += later.arrivals;
  admitted += later.admitted;
  left += later.left;
  wait.merge(later.wait);
  wait_quantiles.merge(later.wait_quantiles);
  waiting.absorb(later.waiting, end);
  active.absorb(later.active, end);
}

Json WaitingRoomStats::to_json(sim::Time end) const {
  const LatencySummary w = summarize_latency(wait, wait_quantiles);
  Json j;
  j["arrivals"] = arrivals;
  j["admitted"] = admitted;
  j["left"] = left;
  j["mean_wait_s"] = number_or_null(w.mean);
  j["p95_wait_s"] = number_or_null(w.p95);
  j["mean_waiting"] = waiting.mean(end);
  j["mean_active"] = active.mean(end);
  j["p50_wait_s"] = number_or_null(w.p50);
  j["p99_wait_s"] = number_or_null(w.p99);
  return j;
}

const std::vector<std::string>& waiting_room_series_columns() {
  static const std::vector<std::string> columns = {"arrivals",    "admitted",   "left",
                                                   "mean_wait_s", "p95_wait_s", "mean_waiting",
                                                   "mean_active", "p50_wait_s", "p99_wait_s"};
  return columns;
}

void waiting_room_row(const WaitingRoomStats& s, sim::Time end, std::vector<double>& row) {
  const LatencySummary w = summarize_latency(s.wait, s.wait_quantiles);
  row.assign({static_cast<double>(s.arrivals), static_cast<double>(s.admitted),
              static_cast<double>(s.left), w.mean, w.p95, s.waiting.mean(end), s.active.mean(end),
              w.p50, w.p99});
}

WaitingRoom::WaitingRoom(const WaitingRoomConfig& config, sim::Simulator& sim,
                         sim::RandomStream patience, Doors& doors)
    : config_(config), sim_(sim), patience_(patience), doors_(doors) {
  if (config_.to < sim::kForever) sim_.at(config_.to, this, kClose);
}

WaitingRoom::Place& WaitingRoom::place(std::uint32_t session) {
  if (session >= places_.size()) places_.resize(session + 1);
  return places_[session];
}

bool WaitingRoom::arrive(std::uint32_t session) {
  const sim::Time now = sim_.now();
  Place& p = place(session);
  p = Place{};
  p.arrival_t = now;
  if (!on(now)) {
    p.where = Where::active;
    ++active_;
    set_levels();
    return true;
  }
  p.counted = true;
  stats_.record([](WaitingRoomStats& s) { ++s.arrivals; });
  if (active_ < config_.max_active && waiting_ == 0) {
    admit(session);
    return true;
  }
  p.where = Where::waiting;
  push_back(session);
  if (config_.patience) {
    p.patience = sim_.timer(config_.patience->sample(patience_), this, kPatience, session);
  }
  set_levels();
  return false;
}

// Counts the admission of a session that arrived while the room was on (it may have
// waited) and makes it active.
void WaitingRoom::admit(std::uint32_t session) {
  Place& p = places_[session];
  p.where = Where::active;
  ++active_;
  const sim::Time wait = sim_.now() - p.arrival_t;
  const auto key = stats_.total().wait_quantiles.key(wait);
  stats_.record([&](WaitingRoomStats& s) {
    ++s.admitted;
    s.wait.add(wait);
    s.wait_quantiles.add(key);
  });
  set_levels();
}

void WaitingRoom::ended(std::uint32_t session) {
  Place& p = places_[session];
  if (p.where != Where::active) return;
  p.where = Where::outside;
  --active_;
  set_levels();
  admit_waiting();
}

// Admits from the head while there is room (everyone once the room is closed). An
// admitted session may end at once (a page refused synchronously) and call `ended`
// again: the loop here goes on instead of recursing.
void WaitingRoom::admit_waiting() {
  if (admitting_) return;
  admitting_ = true;
  while (head_ != kNone && (closed_ || active_ < config_.max_active)) {
    const std::uint32_t session = head_;
    remove(session);
    sim_.cancel(places_[session].patience);
    admit(session);
    doors_.enter(session);
  }
  admitting_ = false;
}

void WaitingRoom::on_event(std::uint32_t tag, std::uint32_t arg) {
  switch (tag) {
    case kPatience: {
      places_[arg].patience = {};
      remove(arg);
      places_[arg].where = Where::outside;
      stats_.record([](WaitingRoomStats& s) { ++s.left; });
      set_levels();
      doors_.leave_room(arg);
      break;
    }
    case kClose:
      closed_ = true;
      admit_waiting();
      break;
  }
}

void WaitingRoom::push_back(std::uint32_t session) {
  Place& p = places_[session];
  p.prev = tail_;
  p.next = kNone;
  if (tail_ == kNone) {
    head_ = session;
  } else {
    places_[tail_].next = session;
  }
  tail_ = session;
  ++waiting_;
}

void WaitingRoom::remove(std::uint32_t session) {
  Place& p = places_[session];
  if (p.prev == kNone) {
    head_ = p.next;
  } else {
    places_[p.prev].next = p.next;
  }
  if (p.next == kNone) {
    tail_ = p.prev;
  } else {
    places_[p.next].prev = p.prev;
  }
  p.prev = p.next = kNone;
  --waiting_;
}

void WaitingRoom::set_levels() {
  const sim::Time now = sim_.now();
  const auto waiting = static_cast<double>(waiting_);
  const auto active = static_cast<double>(active_);
  stats_.record([&](WaitingRoomStats& s) {
    s.waiting.set(now, waiting);
    s.active.set(now, active);
  });
}

}  // namespace surgesim::models
