#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

// The files a scenario reads — itself, the bases it extends, a traffic CSV — read as a
// hostile user could name them: only regular files (never /dev/zero, a FIFO, a socket
// or a directory: opening some devices has effects of its own, so they are not even
// opened), and only up to a size that loads in a few seconds, both checked before a
// byte is read.
namespace surgesim::models {

// A scenario and the bases it extends, together: yaml-cpp reads about 1 MB/s into about
// 100 bytes of memory per byte of text, so 2 MiB load in about 2 s and 200 MB.
inline constexpr std::size_t kScenarioBytes = std::size_t{2} << 20;
// One traffic CSV: a row per second for three weeks fits.
inline constexpr std::size_t kTrafficCsvBytes = std::size_t{64} << 20;

// What is being read, for messages.
struct InputKind {
  const char* name;      // "scenario", "base scenario", "traffic CSV"
  const char* expected;  // "a scenario file", "a CSV file"
  const char* advice;    // what to change when it is too large
};

inline constexpr InputKind kScenarioInput{
    "scenario", "a scenario file",
    "a scenario this large is generated: keep long traffic series in a CSV file "
    "(traffic.csv) and split what remains"};
inline constexpr InputKind kBaseInput{
    "base scenario", "a scenario file",
    "the scenario and the bases it extends count together; keep long traffic series in a "
    "CSV file (traffic.csv)"};
inline constexpr InputKind kTrafficCsvInput{
    "traffic CSV", "a CSV file",
    "use longer steps between rows (a row per minute is usually enough)"};

// Why a file cannot be read; says what it is, never what it holds. The caller locates it
// (the command line, or the key that names the file).
struct InputFileError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The whole of `path`, at most `limit` bytes. Throws InputFileError.
std::string read_input_file(const std::string& path, const InputKind& kind, std::size_t limit);

}  // namespace surgesim::models
