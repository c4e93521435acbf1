#pragma once

#include <cstddef>
#include <vector>

#include "models/scenario.hpp"
#include "models/sessions/traffic_rate.hpp"
#include "sim/random_stream.hpp"

namespace surgesim::models {

// When the next shopper session arrives: a non-homogeneous Poisson process with the
// rate lambda(t) of RateFunction, drawn exactly.
//
// Method (NOTE: chosen over thinning): lambda = scale * (base + spike_1 + ... +
// spike_K) and a superposition of independent Poisson processes is a Poisson process
// with the summed rate, so each term is its own process, drawn by inverting its
// integrated rate with unit-rate exponential increments, and the next arrival is the
// earliest of the K + 1 pending ones. Each term inverts in closed form per piece: a
// constant piece by a division, a linear piece (profile, spike rise) by the root of a
// quadratic, a spike's decay by a log. The sum itself would not invert in closed form
// (linear + exponential needs Lambert W, several decays a root finder), and thinning
// would waste draws under a spike's steep decay and cannot bound a tail that decays
// to 0 without an infinite number of rejections. Cost per arrival: one exponential
// draw, O(1) amortised piece walking (cursors only move forward) and a scan of the
// K + 1 pending times (K = number of spikes, a handful); nothing is allocated.
class TrafficSource {
 public:
  TrafficSource(const TrafficConfig& config, sim::RandomStream stream);

  // The first arrival after `now`; kForever when no more sessions come. Pass the time
  // of the previous arrival (or the start) as `now`: a term whose pending arrival is at
  // or before `now` is redrawn from `now`, which by the memoryless property is exact
  // also when the caller skipped ahead.
  Time next_arrival(Time now);

 private:
  Time base_after(Time t, double e);
  static Time spike_after(const Spike& spike, Time t, double e);

  std::vector<BasePiece> base_;
  std::size_t cursor_ = 0;  // the base piece of the last draw
  std::vector<Spike> spikes_;
  std::vector<Time> pending_;  // [0]: base, [1 + k]: spike k; -infinity = not drawn yet
  double inverse_scale_;       // 0 when scale is 0 (no arrivals at all)
  // A constant rate and no spikes: plain Poisson arrivals, drawn without walking pieces.
  bool constant_ = false;
  sim::RandomStream stream_;
};

}  // namespace surgesim::models
