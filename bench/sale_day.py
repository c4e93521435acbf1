"""The 24-hour sale day (bench/sale-day.yaml) through the surgesim command line.

Usage: sale_day.py --surgesim PATH [--repeat N]

The performance issue's day: 54 M sessions and 321 M service visits in one replication,
run as a user runs it, with default settings: `surgesim run bench/sale-day.yaml -q`,
with `--format json` for the counts (it changes only what is printed). Prints the
median over --repeat runs of wall time, CPU time (user + system) and peak resident set,
and sessions and service visits per second of wall and of CPU time. A run takes
minutes: bench/run.sh runs it only with DAY=1, once unless REPEAT is set.
"""

import argparse
import json
import os

from cli_vs_simpy import BENCH, peak_tool, timed

SALE_DAY = os.path.join(BENCH, "sale-day.yaml")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--surgesim", required=True, help="the surgesim binary")
    parser.add_argument("--repeat", type=int, default=1, help="runs (median shown)")
    args = parser.parse_args()

    # The timed runs give the counts too (the same seed, the same counts every run): a
    # run of its own for them would double the minutes this takes.
    wall, cpu, rss, out = timed([args.surgesim, "run", SALE_DAY, "--format", "json", "-q"],
                                args.repeat, peak_tool(args.surgesim))
    day = json.loads(out)
    sessions = day["sessions"]["started"]
    visits = sum(service["arrivals"] for service in day["services"].values())

    print(f"Sale day (bench/sale-day.yaml, 24 h, 1 replication, default settings): "
          f"median of {args.repeat} run{'s' if args.repeat > 1 else ''}")
    print(f"  {sessions / 1e6:.2f} M sessions, {visits / 1e6:.1f} M service visits"
          f"{', SATURATED' if day['saturated'] else ''}")
    print(f"  wall {wall:7.1f} s   CPU {cpu:7.1f} s   peak RSS {rss:6.1f} MiB")
    for label, work in (("sessions/s", sessions), ("visits/s", visits)):
        print(f"  {label:<10} {work / wall / 1e6:7.3f} M wall   {work / cpu / 1e6:7.3f} M CPU")


if __name__ == "__main__":
    main()
