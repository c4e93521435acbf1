#pragma once

#include <vector>

#include "models/scenario.hpp"

namespace surgesim::models {

// Expected revenue of a session from each page (index as in journey.pages) to the end of
// its journey, that page included: sum over order pages o of N(page, o) * mean order
// value of o, where N = (I - Q)^-1 is the fundamental matrix of the journey's absorbing
// Markov chain (Q: page-to-page probabilities of `next`, exit absorbing).
//
// NOTE: N(page, o) is the expected number of visits to o, not the probability of ever
// reaching o. They differ only when an order page can be visited more than once (a loop
// through it); the engine counts every successful order-page response as an order, so
// expected visits is what keeps lost revenue consistent with revenue:
// E[revenue of a session] = revenue_to_go[start].
//
// Throws std::invalid_argument when some page cannot reach exit (the loader rejects such
// journeys, so this only guards direct callers).
std::vector<double> revenue_to_go(const JourneyConfig& journey);

// revenue_to_go at the journey's start page: the expected revenue of one session.
double expected_revenue_per_session(const JourneyConfig& journey);

}  // namespace surgesim::models
