// bench_kernel [scale]: event-kernel and full-shop throughput. `scale` (default 1)
// multiplies the work per run; every case runs three times, best and median shown.
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "hold.hpp"
#include "shop_bench.hpp"

namespace {

using surgesim::bench::summarize;
using surgesim::bench::Summary;

constexpr int kRuns = 3;

void shop_row(const char* label, int servers, double rho, double requests) {
  std::vector<double> per_request;
  std::vector<double> per_event;
  surgesim::bench::ShopSample last;
  for (int run = 0; run < kRuns; ++run) {
    last = surgesim::bench::run_shop(servers, rho, requests);
    per_request.push_back(last.requests.rate());
    per_event.push_back(last.events / last.requests.seconds);
  }
  const Summary r = summarize(per_request);
  const Summary e = summarize(per_event);
  std::printf("  %-16s %9.2e  %7.2f %7.2f   %7.2f %7.2f   %5.3f  %8.1f\n", label,
              last.requests.work, r.best / 1e6, r.median / 1e6, e.best / 1e6, e.median / 1e6,
              last.utilization, surgesim::bench::peak_rss_mib());
}

void hold_row(std::uint32_t pending, double events) {
  std::vector<double> kernel;
  std::vector<double> baseline;
  const auto n = static_cast<std::uint64_t>(events);
  for (int run = 0; run < kRuns; ++run) {  // interleaved, so noise hits both alike
    kernel.push_back(surgesim::bench::hold_simulator(pending, n, 1 + run).rate());
    baseline.push_back(surgesim::bench::hold_priority_queue(pending, n, 1 + run).rate());
  }
  const Summary k = summarize(kernel);
  const Summary b = summarize(baseline);
  std::printf("  %9u %9.2e   %7.2f %7.2f    %7.2f %7.2f    %5.2f\n", pending, events, k.best / 1e6,
              k.median / 1e6, b.best / 1e6, b.median / 1e6, k.best / b.best);
}

}  // namespace

int main(int argc, char** argv) {
  const double scale = argc > 1 ? std::atof(argv[1]) : 1.0;
  if (!(scale > 0.0)) {
    std::fprintf(stderr, "usage: bench_kernel [scale > 0]\n");
    return 2;
  }
  std::printf("surgesim bench_kernel: %d runs per case, best and median (M = 10^6 per second)\n\n",
              kRuns);

  // The shop first: ru_maxrss only grows, and the 10^6-event hold would mask its peak.
  std::printf("Full shop, one replication (requests = web arrivals; RSS = process peak so far)\n");
  std::printf("  %-16s %9s  %15s   %15s   %5s  %8s\n", "model", "requests", "M requests/s",
              "M events/s", "util", "RSS MiB");
  std::printf("  %-16s %9s  %7s %7s   %7s %7s\n", "", "", "best", "median", "best", "median");
  shop_row("M/M/1  rho=0.8", 1, 0.8, 3e6 * scale);
  shop_row("M/M/16 rho=0.9", 16, 0.9, 3e6 * scale);

  std::printf("\nHold model: n pending, pop earliest, push now + Exp(1)\n");
  std::printf("  %9s %9s   %15s    %15s    %5s\n", "n", "events", "Simulator M/s", "priority_queue",
              "ratio");
  std::printf("  %9s %9s   %7s %7s    %7s %7s    %5s\n", "", "", "best", "median", "best", "median",
              "best");
  hold_row(1'000, 2e7 * scale);
  hold_row(100'000, 1e7 * scale);
  hold_row(1'000'000, 5e6 * scale);
  return 0;
}
