#pragma once

#include <cstdint>
#include <string>

namespace surgesim::models {

// How big a scenario may be (docs/scenario.md, "Limits"). Every limit is far above any
// real shop; beyond one the file is a mistake (a generator gone wrong, a unit typo such
// as `bucket: 1ns`) or hostile, and it is refused when read, with what to change, before
// anything is sized from it: a runaway count must end in a message, not in a machine
// that swaps until the kernel kills the run.
namespace limits {

inline constexpr std::int64_t kServices = 10'000;
inline constexpr std::int64_t kJourneys = 10'000;
// Pages of all journeys together: each page has its own statistics, time series and
// summary entry, and several outputs list pages by name.
inline constexpr std::int64_t kPages = 10'000;
inline constexpr std::int64_t kCallsPerPool = 1'000;
// Services a request passes through, the page's own included: a request that fails
// synchronously answers back up the chain on the stack.
inline constexpr std::int64_t kCallDepth = 1'000;
inline constexpr std::int64_t kProviders = 1'000;
// Outages of one service or provider; cold starts of one cache.
inline constexpr std::int64_t kOutages = 10'000;
inline constexpr std::int64_t kSlos = 10'000;
// Profile points and CSV rows (a point per second over two days fits).
inline constexpr std::int64_t kRatePoints = 200'000;
// Every arrival looks at every spike.
inline constexpr std::int64_t kSpikes = 1'000;
inline constexpr std::int64_t kEmpiricalValues = 1'000'000;
// Time buckets of the run (duration / bucket): each is a row of every time series table.
inline constexpr std::int64_t kBuckets = 1'000'000;
inline constexpr std::int64_t kReplications = 10'000;
// Sessions per second, anywhere and at the peak of the traffic (scale included).
inline constexpr double kRate = 1e9;
// Simulated time: the run's duration...
inline constexpr double kDuration = 366.0 * 86'400.0;
// ... and any other duration or time point (a patience, a spike's decay, an outage's
// start): large enough to mean "never", small enough that adding one to a time keeps
// the sum exact to the microsecond.
inline constexpr double kTimeSpan = 1e9;
// --precision REL below this asks for more replications than any run can make.
inline constexpr double kPrecision = 1e-3;

// "1,000,000", for messages.
std::string grouped(std::int64_t n);

}  // namespace limits
}  // namespace surgesim::models
