#include "models/yaml/untrusted_text.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <optional>

#include "models/yaml/scenario_error.hpp"

namespace surgesim::models {
namespace {

// One UTF-8 character: its code point and length in bytes, or nothing when the bytes at
// `at` are not UTF-8 (overlong forms and surrogates included).
struct Decoded {
  char32_t code = 0;
  std::size_t length = 0;
};

std::optional<Decoded> decode(std::string_view text, std::size_t at) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[at + i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return Decoded{lead, 1};
  std::size_t length = 0;
  char32_t code = 0;
  char32_t smallest = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2, code = lead & 0x1F, smallest = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, code = lead & 0x0F, smallest = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, code = lead & 0x07, smallest = 0x10000;
  } else {
    return std::nullopt;
  }
  if (at + length > text.size()) return std::nullopt;
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return std::nullopt;
    code = (code << 6) | (byte(i) & 0x3F);
  }
  if (code < smallest || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
    return std::nullopt;
  }
  return Decoded{code, length};
}

// YAML 1.2's printable set (c-printable), less the byte order mark, checked apart.
bool printable(char32_t c) {
  return c == 0x09 || c == 0x0A || c == 0x0D || (c >= 0x20 && c <= 0x7E) || c == 0x85 ||
         (c >= 0xA0 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD && c != 0xFEFF) ||
         (c >= 0x10000 && c <= 0x10FFFF);
}

std::string code_point(char32_t c) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "U+%04X", static_cast<unsigned>(c));
  return buffer;
}

std::string escaped_byte(unsigned char b) {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "\\x%02X", b);
  return buffer;
}

}  // namespace

std::string excerpt(std::string_view text, std::size_t max) {
  std::string out;
  std::size_t characters = 0;
  std::size_t at = 0;
  for (; at < text.size() && characters < max; ++characters) {
    const auto d = decode(text, at);
    if (!d) {
      out += escaped_byte(static_cast<unsigned char>(text[at]));
      ++at;
      continue;
    }
    if (d->code == '\n') {
      out += "\\n";
    } else if (d->code == '\t') {
      out += "\\t";
    } else if (d->code == '\r') {
      out += "\\r";
    } else if (!printable(d->code) && d->code != 0xFEFF) {
      out += d->code < 0x80 ? escaped_byte(static_cast<unsigned char>(d->code))
                            : "\\u{" + code_point(d->code).substr(2) + "}";
    } else {
      out.append(text.substr(at, d->length));
    }
    at += d->length;
  }
  if (at < text.size()) out += "...";
  return out;
}

std::string shortened_words(std::string_view text, std::size_t max) {
  constexpr std::string_view kBetweenWords = " '\",;:()[]{}.=";
  std::string out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find_first_of(kBetweenWords, start), text.size());
    out += excerpt(text.substr(start, end - start), max);
    if (end == text.size()) break;
    out += text[end];
    start = end + 1;
  }
  return out;
}

void check_text(std::string_view text, const std::string& file) {
  struct {
    int line = 1;
    int column = 1;
  } p;
  const auto fail = [&](const std::string& problem) {
    throw ScenarioError(file + ":" + std::to_string(p.line) + ":" + std::to_string(p.column), "",
                        problem);
  };
  for (std::size_t at = 0; at < text.size(); ++p.column) {
    const auto d = decode(text, at);
    if (!d) fail("expected UTF-8 text, found a byte that is not UTF-8 (save the file as UTF-8)");
    if (d->code == 0xFEFF && at > 0) {
      fail("expected text, found a byte order mark (U+FEFF) after the start of the file");
    }
    if (d->code == 0) fail("expected text, found a NUL character");
    if (!printable(d->code) && d->code != 0xFEFF) {
      fail("expected printable text, found the control character " + code_point(d->code) +
           " (only tab, line feed and carriage return may appear)");
    }
    if (d->code == '\n') {
      ++p.line;
      p.column = 0;
    }
    at += d->length;
  }
}

}  // namespace surgesim::models
