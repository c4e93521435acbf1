#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/scenario.hpp"
#include "models/services/service_stats.hpp"
#include "models/services/windowed.hpp"
#include "sim/quantile_sketch.hpp"
#include "sim/random_stream.hpp"
#include "sim/simulator.hpp"
#include "sim/time_weighted.hpp"
#include "sim/welford.hpp"

namespace surgesim::models {

// What the waiting room records over a window (the statistics window or a bucket).
struct WaitingRoomStats {
  std::uint64_t arrivals = 0;  // sessions that arrived while the room was on
  std::uint64_t admitted = 0;  // of those, admitted (at once or after waiting)
  std::uint64_t left = 0;      // ended as `waiting`: their patience ran out in the room
  sim::Welford wait;           // room wait of admitted sessions, zero waits included
  sim::QuantileSketch wait_quantiles;
  sim::TimeWeighted waiting;  // sessions in the room
  sim::TimeWeighted active;   // sessions in the shop (admitted, not ended)

  sim::QuantileSketch& sketch() { return wait_quantiles; }
  void restart(sim::Time t);
  void absorb(const WaitingRoomStats& later, sim::Time end);
  // {arrivals, admitted, left, mean_wait_s, p95_wait_s, mean_waiting, mean_active} and,
  // beyond the reference, p50_wait_s, p99_wait_s (the quantiles SLOs may bound).
  Json to_json(sim::Time end) const;
};

// Columns of the waiting room's time series after "t_s", and one row of them.
const std::vector<std::string>& waiting_room_series_columns();
void waiting_room_row(const WaitingRoomStats& s, sim::Time end, std::vector<double>& row);

// A virtual queue in front of the shop (docs/scenario.md, "waiting_room"): at most
// `max_active` sessions are in the shop at once; a session arriving beyond that waits
// in the room, first come first served, and the longest-waiting one is admitted whenever
// an active session ends. A shopper whose patience runs out in the room leaves. The room
// is on in [from, to): before `from` everyone enters at once, and at `to` everyone still
// waiting is admitted. Sessions are active from their admission until they end, so
// those admitted before `from` count.
class WaitingRoom final : public sim::EventTarget {
 public:
  // The shoppers' side: a session walks in, or leaves the room for good.
  class Doors {
   public:
    virtual void enter(std::uint32_t session) = 0;
    virtual void leave_room(std::uint32_t session) = 0;

   protected:
    ~Doors() = default;
  };

  WaitingRoom(const WaitingRoomConfig& config, sim::Simulator& sim, sim::RandomStream patience,
              Doors& doors);

  // Session `session` arrives: true when it is admitted at once (the caller lets it
  // in); false when it waits (Doors::enter or Doors::leave_room follow).
  bool arrive(std::uint32_t session);
  // An admitted session ended: its place goes to the longest-waiting session.
  void ended(std::uint32_t session);

  const Windowed<WaitingRoomStats>& stats() const { return stats_; }
  void restart_total(sim::Time t) { stats_.restart_total(t); }
  void restart_bucket(sim::Time t, sim::QuantileSketch* spare = nullptr) {
    stats_.restart_bucket(t, spare);
  }
  void flush_sketch() { stats_.flush_sketch(); }

  void on_event(std::uint32_t tag, std::uint32_t arg) override;

 private:
  enum Tag : std::uint32_t { kPatience, kClose };
  static constexpr std::uint32_t kNone = 0xffffffffu;
  enum class Where : std::uint8_t { outside, waiting, active };
  struct Place {
    Where where = Where::outside;
    bool counted = false;  // arrived while the room was on (in `arrivals`)
    std::uint32_t prev = kNone;
    std::uint32_t next = kNone;
    sim::Time arrival_t = 0.0;
    sim::EventHandle patience;
  };

  bool on(sim::Time t) const { return t >= config_.from && t < config_.to; }
  Place& place(std::uint32_t session);
  void admit(std::uint32_t session);
  void admit_waiting();
  void push_back(std::uint32_t session);
  void remove(std::uint32_t session);
  void set_levels();

  WaitingRoomConfig config_;
  sim::Simulator& sim_;
  sim::RandomStream patience_;
  Doors& doors_;
  std::vector<Place> places_;  // by session id: grows with the sessions, then reused
  std::uint32_t head_ = kNone;
  std::uint32_t tail_ = kNone;
  std::uint64_t waiting_ = 0;
  std::uint64_t active_ = 0;
  bool closed_ = false;     // `to` has passed: nobody waits any more
  bool admitting_ = false;  // inside admit_waiting (an admitted session may end at once)
  Windowed<WaitingRoomStats> stats_;
};

}  // namespace surgesim::models
