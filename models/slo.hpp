#pragma once

#include <vector>

#include "models/scenario.hpp"
#include "models/series_table.hpp"

namespace surgesim::models {

// Evaluates every SLO of the scenario over the whole run (from the summary) and per time
// bucket (from the mean tables over replications). Returns the summary's "slo" array:
// [{name, metric, scope, bound ("max" or "min"), limit, value, ok, failed_buckets,
// failed_ranges: [[from_s, to_s], ...], and with a `start` failed_clock: [["HH:MM",
// "HH:MM"], ...]}]. Only buckets starting at or after the warm-up count;
// buckets without an observation (NaN, or nothing to divide by) are skipped. `ok` means the overall
// value and every bucket pass; failed_ranges are the runs of consecutive failing buckets, `to_s`
// the end of the last one (capped at the end of the simulated span). `value` is null when the run
// has no observation for the metric (e.g. a latency SLO on a page nobody reached); that passes.
//
// Rates per bucket are ratios of the mean counts: drop_rate = dropped / (completed +
// dropped) (pages: dropped / (success + dropped)), error_rate = failed / requests
// (services: (rejected + timeouts + errors) / arrivals). drop_rate of a service and
// utilization of anything but a service are undefined: std::invalid_argument, as for a
// scope or column missing from the summary or the tables.
Json evaluate_slos(const Scenario& scenario, const Json& summary,
                   const std::vector<SeriesTable>& mean_tables);

// Every SLO's whole-run value in one replication's tree, as evaluate_slos computes it
// from the summary: [{name, value}] (value null without an observation). The spread of
// these over replications gives a confidence bound on each SLO (surgesim.size).
Json slo_values(const Scenario& scenario, const Json& replication);

// failed_ranges ([[from_s, to_s], ...]) as clock times: "HH:MM", or "HH:MM:SS" for every
// bound when one of them is not on a whole minute of the clock.
Json clock_ranges(const StartClock& start, const Json& ranges);

}  // namespace surgesim::models
