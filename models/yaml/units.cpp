#include "models/yaml/units.hpp"

#include <charconv>
#include <cmath>
#include <string>

namespace surgesim::models {
namespace {

// Reads a number at the front of `text`, advancing it.
std::optional<double> take_number(std::string_view& text) {
  double value = 0.0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end == text.data() || !std::isfinite(value)) return std::nullopt;
  text.remove_prefix(static_cast<std::size_t>(end - text.data()));
  return value;
}

std::optional<double> unit_seconds(std::string_view& text) {
  // "ms" before "m": the longest unit that matches wins.
  if (text.starts_with("ms")) {
    text.remove_prefix(2);
    return 1e-3;
  }
  if (text.starts_with("s")) {
    text.remove_prefix(1);
    return 1.0;
  }
  if (text.starts_with("m")) {
    text.remove_prefix(1);
    return 60.0;
  }
  if (text.starts_with("h")) {
    text.remove_prefix(1);
    return 3600.0;
  }
  return std::nullopt;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

}  // namespace

std::optional<double> parse_number(std::string_view text) {
  text = trim(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  const auto value = take_number(text);
  if (!value || !text.empty()) return std::nullopt;
  return value;
}

std::optional<double> parse_duration(std::string_view text) {
  text = trim(text);
  if (const auto plain = parse_number(text)) {
    return *plain >= 0.0 ? plain : std::nullopt;
  }
  double total = 0.0;
  bool any = false;
  while (!text.empty()) {
    if (text.front() == '-') return std::nullopt;
    const auto value = take_number(text);
    if (!value) return std::nullopt;
    const auto unit = unit_seconds(text);
    if (!unit) return std::nullopt;
    total += *value * *unit;
    any = true;
  }
  if (!any || total < 0.0) return std::nullopt;
  return total;
}

std::optional<double> parse_size(std::string_view text) {
  text = trim(text);
  double unit = 1.0;
  if (!text.empty()) {
    switch (text.back()) {
      case 'K':
      case 'k':
        unit = 1024.0;
        break;
      case 'M':
      case 'm':
        unit = 1024.0 * 1024.0;
        break;
      case 'G':
      case 'g':
        unit = 1024.0 * 1024.0 * 1024.0;
        break;
      default:
        break;
    }
    if (unit > 1.0) text.remove_suffix(1);
  }
  const auto value = parse_number(text);
  if (!value || !(*value > 0.0) || !std::isfinite(*value * unit)) return std::nullopt;
  return *value * unit;
}

std::optional<double> parse_rate(std::string_view text) {
  text = trim(text);
  if (const auto plain = parse_number(text)) return *plain >= 0.0 ? plain : std::nullopt;
  const std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const auto count = parse_number(text.substr(0, slash));
  std::string_view unit_text = trim(text.substr(slash + 1));
  const auto per = unit_seconds(unit_text);
  if (!count || *count < 0.0 || !per || !unit_text.empty()) return std::nullopt;
  return *count / *per;
}

}  // namespace surgesim::models
