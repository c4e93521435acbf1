#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sim/time.hpp"

// Wall-clock times: the scenario's `start` and the clock times "HH:MM[:SS]" that time
// points may be written as once it is given (docs/scenario.md, "Time points").
namespace surgesim::models {

inline constexpr double kDaySeconds = 86400.0;

// When the run starts on the shop's clock: `start: "22:00"` or `"2024-11-10 22:00"`.
struct StartClock {
  std::string text;        // as outputs write it: "22:00", "2024-11-10 22:00" (":SS" if given)
  int seconds_of_day = 0;  // 0 .. 86399
  std::string date;        // "YYYY-MM-DD", or empty when none was given
};

// "HH:MM" or "YYYY-MM-DD HH:MM" (seconds allowed: "HH:MM:SS"); nullopt otherwise.
// The date must exist (no 2023-02-29).
std::optional<StartClock> parse_start(std::string_view text);

// "HH:MM" or "HH:MM:SS" with hours 00-23 (one or two digits) -> seconds after
// midnight; nullopt for anything else.
std::optional<int> parse_clock(std::string_view text);

// Whether `text` is written like a clock time (digits:digits), valid or not, so that
// "25:00" can be told apart from a typo'd duration in messages.
bool looks_like_clock(std::string_view text);

// Seconds from time 0 of the first moment at or after `after` (strictly after when
// `strictly`) at which a run started at `start` shows `clock_s` (seconds after midnight).
sim::Time resolve_clock(const StartClock& start, int clock_s, sim::Time after, bool strictly);

// t seconds from time 0 on the clock: "HH:MM", or "HH:MM:SS" with seconds (rounded to
// the second).
std::string clock_text(const StartClock& start, sim::Time t, bool with_seconds);

// Points in strictly increasing time (profile points, CSV rows): the problem with a
// point at `t` after one at `previous`, or nullopt when there is none. An offset must
// come after `previous`; a clock time (which resolves after it) must land within 12 h
// of it, else the points are out of order. `quoted` is the point as written, in the
// quotes of its messages; `noun` what the list calls it ("point", "row").
std::optional<std::string> order_problem(const StartClock* start, sim::Time previous, sim::Time t,
                                         bool clock, std::string_view quoted,
                                         std::string_view noun);

// The message for a clock time written in a scenario without `start`.
std::string clock_needs_start(std::string_view written);

// A span of seconds for messages: "12h", "1h30m", "45s", "2.5s".
std::string span_text(double seconds);

}  // namespace surgesim::models
