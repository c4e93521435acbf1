#pragma once

#include <cstddef>
#include <string>
#include <string_view>

// Text that comes from outside — a scenario, a base it extends, a traffic CSV, a --set
// value — checked before it is parsed, and quoted in messages only in short, printable
// excerpts.
namespace surgesim::models {

// The longest excerpt of a key or value an error message quotes.
inline constexpr std::size_t kExcerptCharacters = 80;

// At most `max` characters of `text` (cut on a character boundary, "..." appended when
// cut), with control characters and bytes that are not UTF-8 written as escapes (\n,
// \t, \x00), so that a message can neither flood a terminal nor drive it.
std::string excerpt(std::string_view text, std::size_t max = kExcerptCharacters);

// `text` with every word (a run between spaces, quotes, brackets and the punctuation
// of key paths) cut to `max` characters and escaped as by excerpt(): what an error
// message may say, whatever went into it.
std::string shortened_words(std::string_view text, std::size_t max = kExcerptCharacters);

// Throws ScenarioError at "FILE:LINE:COLUMN" unless `text` is UTF-8 made of YAML's
// printable characters (no NUL or other control character but tab, line feed and
// carriage return; a byte order mark only at the start). `file` names the text.
void check_text(std::string_view text, const std::string& file);

}  // namespace surgesim::models
