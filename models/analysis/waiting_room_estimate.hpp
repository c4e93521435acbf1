#pragma once

#include <cstdint>

#include "models/scenario.hpp"

namespace surgesim::models {

struct AnalyticEstimate;

// The waiting room as an Erlang-A (M/M/c+M) queue over sessions: sessions arrive at the
// estimate's session rate, a session holds one of c = max_active places for its mean
// length (page responses and think times along its journey, from the services'
// estimates), and shoppers in the room leave at rate 1 / mean patience. Exact when
// session lengths and patience are exponential; otherwise an approximation (`exact`
// says which, judged on what the scenario states: one page per journey without think
// time, served with exponential holding times and no queueing, and exponential or no
// patience).
struct WaitingRoomEstimate {
  double arrival_rate = 0.0;  // sessions per second arriving at the room
  double mean_session = 0.0;  // seconds a session is active
  double offered_load = 0.0;  // Erlang: arrival_rate x mean_session
  std::uint64_t max_active = 0;
  double p_wait = 0.0;         // P(an arriving session waits)
  double p_leave = 0.0;        // P(an arriving session leaves the room)
  double mean_wait = 0.0;      // seconds in the room, over all arrivals
  double mean_waiting = 0.0;   // time-average sessions in the room
  double mean_active = 0.0;    // time-average sessions in the shop
  double admitted_rate = 0.0;  // sessions per second the shop serves
  bool saturated = false;      // no patience and more sessions than places can serve
  bool exact = false;
};

// `services`: the services' estimate (its session lengths); `arrival_rate`: sessions per
// second arriving at the room.
WaitingRoomEstimate estimate_waiting_room(const Scenario& scenario,
                                          const AnalyticEstimate& services, double arrival_rate);

}  // namespace surgesim::models
