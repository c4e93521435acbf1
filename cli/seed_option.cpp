#include <charconv>
#include <cstdint>
#include <string>

#include "cli/commands.hpp"

namespace surgesim::cli {

void add_seed_option(CLI::App& command, std::optional<std::int64_t>& seed,
                     const std::string& help) {
  // Checked as text, before CLI11 converts it: its conversion clamps a number past the
  // type's range (2^64 became 2^63-1, a different seed run without a word).
  const CLI::Validator whole_number(
      [](std::string& text) -> std::string {
        std::int64_t value = 0;
        const char* end = text.data() + text.size();
        const auto [at, error] = std::from_chars(text.data(), end, value);
        if (error == std::errc() && at == end && value >= 0) return "";
        return "expected a whole number from 0 to 2^63-1 (9223372036854775807), found '" +
               text.substr(0, 80) + "'";
      },
      "SEED");
  command.add_option("--seed", seed, help)->check(whole_number);
}

}  // namespace surgesim::cli
