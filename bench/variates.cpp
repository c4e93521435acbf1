// bench_variates [scale]: the cost of one random variate, in nanoseconds of CPU time, for
// the raw stream and each sampler the models use. `scale` (default 1) multiplies the
// draws per run; every case runs five times and the median is shown, with the best.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "measure.hpp"
#include "sim/distribution.hpp"
#include "sim/random_stream.hpp"

namespace {

using surgesim::bench::Sample;
using surgesim::bench::Stopwatch;
using surgesim::sim::Distribution;
using surgesim::sim::RandomStream;

constexpr int kRuns = 5;

// Keeps the optimiser from dropping draws whose sum nobody reads.
volatile double g_kept;

// Times `draws` calls of draw(stream) on a fresh stream, summing what they return.
template <class Draw>
Sample time_draws(std::uint64_t draws, std::uint64_t seed, Draw draw) {
  RandomStream stream(seed, 0, "bench.variates");
  decltype(draw(stream)) sum{};
  const Stopwatch watch;
  for (std::uint64_t i = 0; i < draws; ++i) sum += draw(stream);
  const Sample sample = watch.sample(static_cast<double>(draws));
  g_kept = static_cast<double>(sum);
  return sample;
}

template <class Draw>
void row(const char* label, std::uint64_t draws, Draw draw) {
  std::vector<double> ns;
  for (int run = 0; run < kRuns; ++run) {
    ns.push_back(1e9 / time_draws(draws, 1 + static_cast<std::uint64_t>(run), draw).cpu_rate());
  }
  std::sort(ns.begin(), ns.end());
  std::printf("  %-34s %7.2f %7.2f\n", label, ns[ns.size() / 2], ns.front());
}

}  // namespace

int main(int argc, char** argv) {
  const double scale = argc > 1 ? std::atof(argv[1]) : 1.0;
  if (!(scale > 0.0)) {
    std::fprintf(stderr, "usage: bench_variates [scale > 0]\n");
    return 2;
  }
  const auto n = static_cast<std::uint64_t>(2e7 * scale);
  std::printf("surgesim bench_variates: %d runs of %.3g draws per case; CPU ns per draw\n\n", kRuns,
              static_cast<double>(n));
  std::printf("  %-34s %7s %7s\n", "variate", "median", "best");
  row("next_u64", n, [](RandomStream& s) { return s.next_u64(); });
  row("uniform01", n, [](RandomStream& s) { return s.uniform01(); });
  row("exponential (ziggurat)", n, [](RandomStream& s) { return s.exponential(1.0); });
  row("normal (ziggurat)", n, [](RandomStream& s) { return s.normal(); });
  const Distribution exponential = Distribution::exponential(1.0);
  const Distribution lognormal = Distribution::lognormal_mean_cv(1.0, 0.5);
  const Distribution gamma = Distribution::gamma_mean_cv(1.0, 0.5);
  const Distribution erlang = Distribution::erlang(3, 1.0);
  row("Distribution exponential", n, [&](RandomStream& s) { return exponential.sample(s); });
  row("Distribution lognormal(cv 0.5)", n, [&](RandomStream& s) { return lognormal.sample(s); });
  row("Distribution gamma(cv 0.5)", n, [&](RandomStream& s) { return gamma.sample(s); });
  row("Distribution erlang(k 3)", n, [&](RandomStream& s) { return erlang.sample(s); });
  return 0;
}
