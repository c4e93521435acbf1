"""surgesim as a user runs it, from the command line, and SimPy beside it.

Usage: cli_vs_simpy.py --surgesim PATH [--repeat N] [--simpy-customers N]

Times whole processes, start to exit (interpreter or binary start included), each case
--repeat times (the M/M/1 cases five times as often, in turn, a round at a time: a
bucket's cost is a few percent of their run), and prints medians of wall
time and of CPU time (user + system; on a shared machine it moves less than wall time)
with the peak resident set (read by bench_peak of the same build when it is there: see
bench/peak.cpp):

  - M/M/1, 1 M customers (bench/mm1.yaml) with default settings (1-minute buckets),
    and again with one bucket: the difference is the cost of a bucket, in time and
    memory, as `surgesim run` pays it (it prints no time series, so it builds none and
    a bucket's end only turns the statistics over); the same pair with an SLO, which
    is judged on the time series, gives the cost of a bucket with its rows (what a
    result file, SLOs and Python's results have);
  - the mini shop (bench/mini-shop.yaml), station visits per second;
  - the same two models in SimPy (bench/simpy_models.py) when it is installed, and
    surgesim's rates over SimPy's.
"""

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
MM1 = os.path.join(BENCH, "mm1.yaml")
MINI_SHOP = os.path.join(BENCH, "mini-shop.yaml")
MM1_DURATION_S = 1111111  # bench/mm1.yaml
BUCKET_S = 60  # the default bucket
# An SLO no run fails: the series are built to judge it (as for -o or Python).
MM1_ROUNDS_PER_REPEAT = 5
WITH_SERIES = ["--set", "slo=[{name: drops, metric: drop_rate, scope: all, max: 1}]"]


def peak_tool(surgesim):
    """bench_peak of the same build (bench/peak.cpp), or None: a child forked from Python
    keeps the interpreter's resident set as its high-water mark, so Python alone cannot
    read a peak below about 12 MiB."""
    build = os.path.dirname(os.path.dirname(os.path.abspath(surgesim)))
    tool = os.path.join(build, "bench", "bench_peak")
    return tool if os.access(tool, os.X_OK) else None


def timed(command, repeat, peak=None):
    """Medians over `repeat` runs: wall s, CPU s, peak RSS MiB; and the last output.
    With `peak` (peak_tool's), the command runs under it and the peak is its own."""
    walls, cpus, peaks = [], [], []
    out = ""
    for _ in range(repeat):
        with tempfile.TemporaryFile() as errors:
            start = time.perf_counter()
            process = subprocess.Popen([peak, *command] if peak else command,
                                       stdout=subprocess.PIPE, stderr=errors)
            chunks = []
            while True:
                chunk = process.stdout.read(1 << 16)
                if not chunk:
                    break
                chunks.append(chunk)
            _, status, usage = os.wait4(process.pid, 0)
            walls.append(time.perf_counter() - start)
            process.returncode = os.waitstatus_to_exitcode(status)
            if process.returncode != 0:
                sys.exit(f"failed ({process.returncode}): {' '.join(command)}")
            cpus.append(usage.ru_utime + usage.ru_stime)
            kib = usage.ru_maxrss  # KiB on Linux
            if peak:
                errors.seek(0)
                last = errors.read().decode(errors="replace").strip().splitlines()[-1]
                kib = int(last.rsplit(" ", 1)[1])  # "bench_peak: maxrss_kib N"
            peaks.append(kib / 1024.0)
            out = b"".join(chunks).decode()
    return statistics.median(walls), statistics.median(cpus), statistics.median(peaks), out


def in_turn(commands, repeat, peak):
    """Each command once a round for `repeat` rounds, so that a shared machine's changing
    load falls on every case alike: per command, its runs' (wall s, CPU s, peak MiB)."""
    runs = [[] for _ in commands]
    for _ in range(repeat):
        for k, command in enumerate(commands):
            runs[k].append(timed(command, 1, peak)[:3])
    return runs


def medians(runs):
    return tuple(statistics.median(run[i] for run in runs) for i in range(3))


def summary(surgesim, scenario, *options):
    """The JSON summary of one run (deterministic: the same seed gives the same counts)."""
    _, _, _, out = timed([surgesim, "run", scenario, "--format", "json", "-q", *options], 1)
    return json.loads(out)


def row(label, work, unit, wall, cpu, rss):
    print(f"  {label:<34} {work:>11,.0f} {unit:<9} {wall:7.2f} {cpu:7.2f}"
          f"   {work / wall / 1e6:8.3f} {work / cpu / 1e6:7.3f}   {rss:7.1f}")


def header():
    print(f"  {'case':<34} {'work':>11} {'':<9} {'wall s':>7} {'cpu s':>7}"
          f"   {'M/s wall':>8} {'M/s cpu':>7}   {'RSS MiB':>7}")


def simpy_available(python):
    try:
        probe = subprocess.run([python, "-c", "import simpy"], capture_output=True)
    except OSError:  # no such interpreter
        return False
    return probe.returncode == 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--surgesim", required=True, help="the surgesim binary")
    parser.add_argument("--repeat", type=int, default=3, help="runs per case (median shown)")
    parser.add_argument("--simpy-customers", type=int, default=150_000,
                        help="mini-shop customers for SimPy (M/M/1: always 1 M)")
    parser.add_argument("--python", default=sys.executable, help="the Python with SimPy")
    args = parser.parse_args()
    surgesim, repeat = args.surgesim, args.repeat
    peak = peak_tool(surgesim)

    print(f"surgesim from the command line (process start included), SimPy beside it: "
          f"median of {repeat} runs ({MM1_ROUNDS_PER_REPEAT * repeat} of each M/M/1 case)")
    header()

    mm1 = summary(surgesim, MM1)
    customers = mm1["sessions"]["started"]
    one = ["--set", f"bucket={MM1_DURATION_S}s"]
    # A bucket costs a few percent of a 0.13 s run: its median difference needs more rounds
    # than the other cases (five rounds swung from 0.3 to 0.8 us between runs of the bench).
    rounds = MM1_ROUNDS_PER_REPEAT * repeat
    cases = in_turn([[surgesim, "run", MM1], [surgesim, "run", MM1, *one],
                     [surgesim, "run", MM1, *WITH_SERIES], [surgesim, "run", MM1, *WITH_SERIES, *one]],
                    rounds, peak)
    for label, runs in zip(("M/M/1, default (1-minute buckets)", "M/M/1, one bucket",
                            "M/M/1, time series (an SLO)", "M/M/1, time series, one bucket"), cases):
        row(label, customers, "customers", *medians(runs))
    default = medians(cases[0])

    shop = summary(surgesim, MINI_SHOP)
    visits = sum(service["arrivals"] for service in shop["services"].values())
    mini = timed([surgesim, "run", MINI_SHOP], repeat, peak)
    row("mini shop", visits, "visits", *mini[:3])

    # Paired: each round's difference of the two runs, median over the rounds.
    buckets = math.ceil(MM1_DURATION_S / BUCKET_S)
    for title, many, one_run in (("as `surgesim run` pays it (no time series)", cases[0], cases[1]),
                                 ("with its time series rows", cases[2], cases[3])):
        print(f"\nCost of a bucket {title}: M/M/1 with {buckets:,} one-minute buckets minus "
              f"one bucket (median of {rounds} rounds' differences)")
        for label, i in (("wall", 0), ("cpu", 1)):
            extra = statistics.median(a[i] - b[i] for a, b in zip(many, one_run))
            ratio = statistics.median(a[i] / b[i] for a, b in zip(many, one_run))
            print(f"  {label:<4} {extra * 1e6 / (buckets - 1):8.2f} us per bucket"
                  f"   ({100 * (ratio - 1):+.1f}% over one bucket)")
        extra_mib = statistics.median(a[2] - b[2] for a, b in zip(many, one_run))
        print(f"  peak RSS {extra_mib * 1024 * 1024 / (buckets - 1):8.0f} bytes per bucket"
              f"   ({medians(many)[2]:.1f} vs {medians(one_run)[2]:.1f} MiB)")

    print()
    if not simpy_available(args.python):
        print(f"SimPy is not installed for {args.python} (Debian: python3-simpy3): "
              "no peer figures.")
        return
    model = os.path.join(BENCH, "simpy_models.py")
    peer_mm1 = timed([args.python, model, "mm1", str(1_000_000)], repeat, peak)
    result = json.loads(peer_mm1[3])
    print(f"SimPy {result['simpy']} ({args.python}), same models, whole process")
    header()
    row("SimPy M/M/1", result["customers"], "customers", *peer_mm1[:3])
    mm1_response = result["mean_response_s"]
    peer_shop = timed([args.python, model, "mini-shop", str(args.simpy_customers)], repeat, peak)
    result = json.loads(peer_shop[3])
    row("SimPy mini shop", result["visits"], "visits", *peer_shop[:3])
    print(f"  (SimPy's M/M/1 mean response {mm1_response:.2f} s, surgesim's "
          f"{mm1['latency']['mean_s']:.2f} s, theory 10 s; mini shop "
          f"{result['visits_per_customer']:.2f} visits per customer, surgesim's "
          f"{visits / shop['sessions']['started']:.2f}, theory 6.27)")

    print("\nsurgesim / SimPy, rate over rate")
    for label, ours, ours_work, peer, peer_work in (
            ("M/M/1 customers/s", default, customers, peer_mm1, 1_000_000),
            ("mini shop visits/s", mini, visits, peer_shop, result["visits"])):
        wall = (ours_work / ours[0]) / (peer_work / peer[0])
        cpu = (ours_work / ours[1]) / (peer_work / peer[1])
        print(f"  {label:<20} {wall:6.1f}x wall   {cpu:6.1f}x cpu")


if __name__ == "__main__":
    main()
