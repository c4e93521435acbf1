#include "models/yaml/clock.hpp"

#include <fmt/format.h>

#include <cmath>

namespace surgesim::models {
namespace {

// A whole number of exactly `min`..`max` digits, the whole text.
std::optional<int> digits(std::string_view text, std::size_t min, std::size_t max) {
  if (text.size() < min || text.size() > max) return std::nullopt;
  int value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

bool leap_year(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

bool valid_date(int year, int month, int day) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= kDays[month - 1] + (month == 2 && leap_year(year) ? 1 : 0);
}

}  // namespace

std::optional<int> parse_clock(std::string_view text) {
  const std::size_t colon = text.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const auto hours = digits(text.substr(0, colon), 1, 2);
  std::string_view rest = text.substr(colon + 1);
  const std::size_t second_colon = rest.find(':');
  const auto minutes = digits(rest.substr(0, second_colon), 2, 2);
  const auto seconds = second_colon == std::string_view::npos
                           ? std::optional<int>(0)
                           : digits(rest.substr(second_colon + 1), 2, 2);
  if (!hours || !minutes || !seconds || *hours > 23 || *minutes > 59 || *seconds > 59) {
    return std::nullopt;
  }
  return *hours * 3600 + *minutes * 60 + *seconds;
}

bool looks_like_clock(std::string_view text) {
  const std::size_t colon = text.find(':');
  return colon != std::string_view::npos && colon > 0 && colon + 1 < text.size() &&
         text.find_first_not_of("0123456789:") == std::string_view::npos;
}

std::optional<StartClock> parse_start(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  StartClock start;
  std::string_view time = text;
  const std::size_t space = text.find(' ');
  if (space != std::string_view::npos) {
    const std::string_view date = text.substr(0, space);
    time = text.substr(space + 1);
    while (!time.empty() && time.front() == ' ') time.remove_prefix(1);
    if (date.size() != 10 || date[4] != '-' || date[7] != '-') return std::nullopt;
    const auto year = digits(date.substr(0, 4), 4, 4);
    const auto month = digits(date.substr(5, 2), 2, 2);
    const auto day = digits(date.substr(8, 2), 2, 2);
    if (!year || !month || !day || !valid_date(*year, *month, *day)) return std::nullopt;
    start.date = std::string(date);
  }
  const auto clock = parse_clock(time);
  if (!clock) return std::nullopt;
  start.seconds_of_day = *clock;
  const bool seconds = *clock % 60 != 0;
  start.text = (start.date.empty() ? "" : start.date + " ") +
               fmt::format("{:02}:{:02}", *clock / 3600, *clock / 60 % 60) +
               (seconds ? fmt::format(":{:02}", *clock % 60) : "");
  return start;
}

sim::Time resolve_clock(const StartClock& start, int clock_s, sim::Time after, bool strictly) {
  // The clock shows (seconds_of_day + t) mod 24 h at t; step forward from `after`.
  const double shown = std::fmod(start.seconds_of_day + after, kDaySeconds);
  double ahead = clock_s - shown;
  if (ahead < 0.0 || (strictly && ahead == 0.0)) ahead += kDaySeconds;
  return after + ahead;
}

std::string clock_text(const StartClock& start, sim::Time t, bool with_seconds) {
  constexpr long long kDay = static_cast<long long>(kDaySeconds);
  // The day's part first (exact), so that a time past any integer (a traffic file can
  // hold one; its message shows it on the clock) rounds within range.
  const double of_day = std::fmod(start.seconds_of_day + t, kDaySeconds);
  const long long total = (std::llround(of_day) % kDay + kDay) % kDay;
  const long long hours = total / 3600, minutes = total / 60 % 60, seconds = total % 60;
  return with_seconds ? fmt::format("{:02}:{:02}:{:02}", hours, minutes, seconds)
                      : fmt::format("{:02}:{:02}", hours, minutes);
}

namespace {

// "23:59 (1h59m from the start)" with `start`, "1h59m" without.
std::string point_text(const StartClock* start, sim::Time t) {
  if (!start) return span_text(t);
  const bool seconds = std::fmod(start->seconds_of_day + t, 60.0) != 0.0;
  return clock_text(*start, t, seconds) + " = " + span_text(t) + " from the start";
}

}  // namespace

std::optional<std::string> order_problem(const StartClock* start, sim::Time previous, sim::Time t,
                                         bool clock, std::string_view quoted,
                                         std::string_view noun) {
  constexpr double kMostAhead = 12 * 3600.0;
  if (!clock && t <= previous) {
    const std::string offset = span_text(t);
    return fmt::format(
        "expected a time after the previous {}'s ({}; {}s must be in strictly increasing "
        "time), found {}{}",
        noun, point_text(start, previous), noun, quoted,
        quoted.substr(1, quoted.size() - 2) == offset ? std::string() : " = " + offset);
  }
  if (clock && t - previous > kMostAhead) {
    return fmt::format(
        "{}s out of order: the clock time {} comes {} after the previous {} ({}), more "
        "than 12 h (a clock time means the first moment after the previous {} that shows "
        "it; {}s must be in strictly increasing time)",
        noun, quoted, span_text(t - previous), noun, point_text(start, previous), noun, noun);
  }
  return std::nullopt;
}

std::string clock_needs_start(std::string_view written) {
  return fmt::format(
      "'{}' is a clock time, which needs the scenario's start: add e.g. `start: \"22:00\"` "
      "(the shop's local time when the run starts) at the top level, or write an offset "
      "from the start such as 2h10m",
      written);
}

std::string span_text(double seconds) {
  // Beyond ~290 million years (2^63 s) a whole number of seconds has no integer to show
  // it in hours and minutes: a traffic file can hold such a time, and the message that
  // refuses it must not overflow.
  if (seconds != std::floor(seconds) || !(std::abs(seconds) < 9.2e18))
    return fmt::format("{:g}s", seconds);
  const auto whole = static_cast<long long>(seconds);
  if (whole == 0) return "0s";
  std::string out;
  if (whole >= 3600) out += fmt::format("{}h", whole / 3600);
  if (whole % 3600 >= 60) out += fmt::format("{}m", whole % 3600 / 60);
  if (whole % 60 > 0) out += fmt::format("{}s", whole % 60);
  return out;
}

}  // namespace surgesim::models
