#pragma once

#include <optional>
#include <string>

#include "models/series_table.hpp"
#include "models/yaml/clock.hpp"

namespace surgesim::models {

// The terminal report of a run: headline, drop-offs by cause, orders and revenue, lost
// revenue by cause and by service, page latency, journeys, pages and services as aligned
// tables, and the SLO verdicts with their failing time ranges. 95% half-widths follow
// the figures when the summary has "ci95" (replications >= 2). Fields the summary does
// not have are left out (a scenario without order pages has no revenue section).
std::string text_report(const Json& summary);

// Money in the scenario's currency with thousands separators: "Rp 1,234,567,890" for
// IDR (whole rupiah), "1,234.50 USD" otherwise; a half-width, to two significant
// digits, as in "Rp 1,234,567,890±12,000,000".
std::string format_money(double amount, const std::string& currency,
                         std::optional<double> half_width = std::nullopt);

// A time t_s (seconds from time 0) as reports write it: the clock time with the
// scenario's `start`, else "HH:MM" from the start (hours may exceed 23); "HH:MM:SS"
// with seconds.
std::string format_time(double t_s, bool with_seconds, const StartClock* start = nullptr);

}  // namespace surgesim::models
