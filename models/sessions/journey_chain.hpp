#pragma once

#include <vector>

#include "models/scenario.hpp"

namespace surgesim::models {

// The absorbing Markov chain of a journey: pages are the transient states, `next` gives
// Q (page-to-page probabilities), `exit` absorbs. What the model asks of it — expected
// visits per session, expected revenue to go — is a solve with I - Q.
//
// NOTE: I - Q is sparse (a page has a few `next` entries) and is solved as such (sparse
// LU or BiCGSTAB, journey_chain.cpp): a journey of 2x10^4 pages took 3.2 GB and 14 s as
// a dense matrix, then bad_alloc; sparse, 10^5 pages solve in under a second.
//
// Both throw std::invalid_argument when I - Q is singular (some pages never reach exit;
// the loader refuses such journeys, so this only guards direct callers) or when a
// `next` or the start names an unknown page.

// Expected visits to each page (journey.pages order) in one session, from the start
// page: e_start (I - Q)^-1.
std::vector<double> expected_visits(const JourneyConfig& journey);

// For each page, the expected sum of `value` (indexed like journey.pages) over the
// visits of a session from that page on, itself included: (I - Q)^-1 value.
std::vector<double> expected_to_go(const JourneyConfig& journey, const std::vector<double>& value);

}  // namespace surgesim::models
