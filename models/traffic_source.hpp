#pragma once

#include "models/scenario.hpp"
#include "sim/random_stream.hpp"

namespace surgesim::models {

// When the next shopper session arrives: a Poisson process with rate lambda(t).
class TrafficSource {
 public:
  TrafficSource(const TrafficConfig& config, sim::RandomStream stream)
      : rate_(config.rate), stream_(stream) {}

  // The first arrival after `now`; kForever when no more sessions come.
  Time next_arrival(Time now) {
    if (rate_ <= 0.0) return sim::kForever;
    return now + stream_.exponential(1.0 / rate_);
  }

 private:
  double rate_;
  sim::RandomStream stream_;
};

}  // namespace surgesim::models
