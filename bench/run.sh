#!/usr/bin/env bash
# Prints every performance figure, with the date and the machine:
#   bench_kernel      the hold model at n = 10^3 .. 10^6 pending events (against
#                     std::priority_queue) and an M/M/1 and M/M/16 shop in-process;
#   bench_variates    CPU ns per random variate: the raw stream and each sampler;
#   bench_scenario    sessions in flight: bench/in-flight.yaml at 1x traffic and at 10x
#                     for a tenth of the time (~54,000 vs ~540,000 in flight); memory at
#                     6 vs 60 minutes of constant traffic;
#   cli_vs_simpy.py   M/M/1 (1 M customers) through the surgesim command line with
#                     default settings, again with one bucket (the cost of a bucket), both
#                     again with time series built (an SLO: the cost of a bucket's rows),
#                     the mini shop, and both models in SimPy when it is installed;
#   sale_day.py       with DAY=1: the 24-hour sale day (bench/sale-day.yaml, 54 M
#                     sessions, 321 M service visits) through the command line with
#                     default settings: wall s, CPU s, peak RSS, sessions/s and visits/s.
#                     Minutes per run, so off by default and run once (REPEAT sets runs).
# Usage: bench/run.sh          (REPEAT=5 for more runs per case, SCALE=0.2 for a quicker
#                               bench_kernel, STUDY=1 to add bench/study_bench.py, DAY=1
#                               to add bench/sale_day.py)
# Needs a build (./setup.sh test, or the cmake commands of README.md); rebuilds what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

build=${BUILD_DIR:-build}
python=${PYTHON:-/usr/bin/python3}
repeat=${REPEAT:-3}
scale=${SCALE:-1}

if [[ ! -f $build/CMakeCache.txt ]]; then
  echo "no build in $build: run ./setup.sh test first (or set BUILD_DIR)" >&2
  exit 1
fi
cmake --build "$build" -j2 --target bench_kernel bench_variates bench_scenario bench_peak surgesim >/dev/null

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
echo "surgesim benchmarks, $(date '+%Y-%m-%d %H:%M %Z')"
echo "machine: $(nproc) cores, $cpu; load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (modified)')"
echo

"$build/bench/bench_kernel" "$scale"
echo
"$build/bench/bench_variates" "$scale"
echo
"$build/bench/bench_scenario" bench/in-flight.yaml "$repeat"
echo
"$python" bench/cli_vs_simpy.py --surgesim "$build/cli/surgesim" --repeat "$repeat"
if [[ ${STUDY:-0} == 1 ]]; then
  echo
  PYTHONPATH=$build/python "$python" bench/study_bench.py
fi
if [[ ${DAY:-0} == 1 ]]; then
  echo
  "$python" bench/sale_day.py --surgesim "$build/cli/surgesim" --repeat "${REPEAT:-1}"
fi
echo
echo "load average at end $(cut -d' ' -f1-3 /proc/loadavg)"
