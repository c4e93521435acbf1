// bench_kernel [scale]: event-kernel and full-shop throughput. `scale` (default 1)
// multiplies the work per run; every case runs three times: best and median of the
// wall-clock rate, and the median of the CPU-time rate (steadier on a shared machine).
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "hold.hpp"
#include "shop_bench.hpp"

namespace {

using surgesim::bench::summarize;
using surgesim::bench::Summary;

constexpr int kRuns = 3;

// Rates in millions per second: wall best, wall median, CPU median.
struct Rates {
  double best;
  double median;
  double cpu;
};

Rates rates(const std::vector<surgesim::bench::Sample>& samples, double scale = 1.0) {
  std::vector<double> wall;
  std::vector<double> cpu;
  for (const auto& s : samples) {
    wall.push_back(s.rate() * scale / 1e6);
    cpu.push_back(s.cpu_rate() * scale / 1e6);
  }
  const Summary w = summarize(wall);
  return Rates{w.best, w.median, summarize(cpu).median};
}

void shop_row(const char* label, int servers, double rho, double requests) {
  std::vector<surgesim::bench::Sample> runs;
  surgesim::bench::ShopSample last;
  for (int run = 0; run < kRuns; ++run) {
    last = surgesim::bench::run_shop(servers, rho, requests);
    runs.push_back(last.requests);
  }
  const Rates r = rates(runs);
  const Rates e = rates(runs, last.events / last.requests.work);  // events per request
  std::printf("  %-16s %9.2e  %7.2f %7.2f %7.2f   %7.2f %7.2f %7.2f   %5.3f  %8.1f\n", label,
              last.requests.work, r.best, r.median, r.cpu, e.best, e.median, e.cpu,
              last.utilization, surgesim::bench::peak_rss_mib());
}

void hold_row(std::uint32_t pending, double events) {
  std::vector<surgesim::bench::Sample> kernel;
  std::vector<surgesim::bench::Sample> baseline;
  const auto n = static_cast<std::uint64_t>(events);
  for (int run = 0; run < kRuns; ++run) {  // interleaved, so noise hits both alike
    kernel.push_back(surgesim::bench::hold_simulator(pending, n, 1 + run));
    baseline.push_back(surgesim::bench::hold_priority_queue(pending, n, 1 + run));
  }
  const Rates k = rates(kernel);
  const Rates b = rates(baseline);
  std::printf("  %9u %9.2e   %7.2f %7.2f %7.2f    %7.2f %7.2f %7.2f    %5.2f\n", pending, events,
              k.best, k.median, k.cpu, b.best, b.median, b.cpu, k.cpu / b.cpu);
}

}  // namespace

int main(int argc, char** argv) {
  const double scale = argc > 1 ? std::atof(argv[1]) : 1.0;
  if (!(scale > 0.0)) {
    std::fprintf(stderr, "usage: bench_kernel [scale > 0]\n");
    return 2;
  }
  std::printf(
      "surgesim bench_kernel: %d runs per case; wall best and median, CPU median "
      "(M = 10^6 per second)\n\n",
      kRuns);

  // The shop first: ru_maxrss only grows, and the 10^6-event hold would mask its peak.
  std::printf("Full shop, one replication (requests = web arrivals; RSS = process peak so far)\n");
  std::printf("  %-16s %9s  %23s   %23s   %5s  %8s\n", "model", "requests", "M requests/s",
              "M events/s", "util", "RSS MiB");
  std::printf("  %-16s %9s  %7s %7s %7s   %7s %7s %7s\n", "", "", "best", "median", "cpu", "best",
              "median", "cpu");
  shop_row("M/M/1  rho=0.8", 1, 0.8, 3e6 * scale);
  shop_row("M/M/16 rho=0.9", 16, 0.9, 3e6 * scale);

  std::printf("\nHold model: n pending, pop earliest, push now + Exp(1)\n");
  std::printf("  %9s %9s   %23s    %23s    %5s\n", "n", "events", "Simulator M/s",
              "std::priority_queue M/s", "ratio");
  std::printf("  %9s %9s   %7s %7s %7s    %7s %7s %7s    %5s\n", "", "", "best", "median", "cpu",
              "best", "median", "cpu", "cpu");
  hold_row(1'000, 2e7 * scale);
  hold_row(10'000, 2e7 * scale);
  hold_row(100'000, 1e7 * scale);
  hold_row(1'000'000, 5e6 * scale);
  return 0;
}
