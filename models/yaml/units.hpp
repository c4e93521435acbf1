#pragma once

#include <optional>
#include <string_view>

namespace surgesim::models {

// "250ms", "2s", "1h30m", "1.5m" -> seconds; plain numbers are seconds. nullopt if the
// text is not a duration (negative durations included).
std::optional<double> parse_duration(std::string_view text);

// "3000/s", "180000/m", "5e6/h" or a plain number (per second) -> per second.
std::optional<double> parse_rate(std::string_view text);

// A finite decimal number, the whole text; nullopt otherwise.
std::optional<double> parse_number(std::string_view text);

// A memory size: bytes, or a number with a K, M or G suffix (powers of 1024): "512M",
// "1.5G", "1073741824". nullopt if the text is not one, or is not positive.
std::optional<double> parse_size(std::string_view text);

}  // namespace surgesim::models
