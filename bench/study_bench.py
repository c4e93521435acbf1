"""Benchmarks of the Python study layer. They print and never fail.

    PYTHONPATH=build/python /usr/bin/python3 bench/study_bench.py [quick]

1. sweep points/s on 1 and 2 local workers (threads, the default), and on 2 worker
   processes for comparison;
2. the Python run's overhead over the command line on the default scenario;
3. a Dask LocalCluster's overhead per point (2 worker processes);
4. size: runs used against the number of points in its ranges.

Every figure is the best of a few repetitions (wall clock, with the process's CPU time
beside it where the two can differ): on a shared machine the best is the least disturbed.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import surgesim
from surgesim import _execute

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "configs" / "harbolnas-1111.yaml"
QUICK = "quick" in sys.argv[1:]
REPEATS = 1 if QUICK else 3


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def best(measure, repeats=REPEATS):
    """The fastest of `repeats` calls of measure() -> (wall, cpu)."""
    return min((measure() for _ in range(repeats)), key=lambda t: t[0])


def timed(work):
    def measure():
        wall, cpu = time.perf_counter(), cpu_seconds()
        work()
        return time.perf_counter() - wall, cpu_seconds() - cpu
    return measure


def sweep_points_per_second():
    # Points of ~1 s of CPU each: the default scenario's first 20 minutes, one replication.
    sc = surgesim.load(CONFIG).set({"duration": "20m", "warmup": "5m"})
    points = [sc.set("services.search.instances", n) for n in range(12, 20)]
    print(f"1. sweep: {len(points)} points of the default scenario's first 20 minutes, "
          "1 replication each")
    baseline = None
    for label, run in [
        ("1 worker (threads)", lambda: [_execute.evaluate(p, 1, None, 1) for p in points]),
        ("2 workers (threads, the default)",
         lambda: _execute.run_points(points, replications=1, seed=None, progress=False)),
        ("2 worker processes", lambda: _processes(points)),
    ]:
        wall, cpu = best(timed(run))
        rate = len(points) / wall
        baseline = baseline or rate
        print(f"   {label:34s} {rate:6.2f} points/s  ({wall:5.1f} s wall, {cpu:5.1f} s CPU, "
              f"{rate / baseline:.2f}x)")


def _processes(points):
    with ProcessPoolExecutor(2) as pool:
        return _execute.run_points(points, replications=1, seed=None, executor=pool,
                                   progress=False)


def python_overhead():
    print("2. the default scenario (4 h, 1 replication, 1 thread): Python run vs the CLI")
    cli = REPO / "build" / "cli" / "surgesim"
    command = [str(cli), "run", str(CONFIG), "-q", "--threads", "1", "--format", "json"]
    cli_wall, _ = best(timed(lambda: subprocess.run(command, check=True, capture_output=True)))
    py_wall, _ = best(timed(lambda: surgesim.run(CONFIG, threads=1)))
    print(f"   CLI {cli_wall:.2f} s, Python {py_wall:.2f} s: "
          f"{100 * (py_wall / cli_wall - 1):+.1f}% (load, JSON and numpy arrays included)")


def dask_overhead():
    try:
        import distributed
    except ImportError:
        print("3. Dask: not installed (Debian python3-distributed)")
        return
    sc = surgesim.load(CONFIG).set({"duration": "2m", "warmup": "1m"})
    points = [sc.set("seed", s) for s in range(1, 17)]
    print(f"3. Dask LocalCluster (2 worker processes): {len(points)} points of the default "
          "scenario's first 2 minutes")
    started = time.perf_counter()
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        startup = time.perf_counter() - started
        local, _ = best(timed(lambda: _execute.run_points(points, replications=1, seed=None,
                                                          progress=False)))
        dask, _ = best(timed(lambda: _execute.run_points(points, replications=1, seed=None,
                                                         executor=client, progress=False)))
    print(f"   cluster start-up {startup:.1f} s; local threads {local:.2f} s, Dask {dask:.2f} s: "
          f"{1000 * (dask - local) / len(points):+.0f} ms per point")


def size_runs():
    print("4. size: runs against the points in the ranges")
    mmc = """
name: mmc
duration: 35m
warmup: 5m
bucket: 5m
traffic: {rate: 45}
journeys: {shop: {share: 1, pages: {home: {call: web, next: {exit: 1}}}}}
services:
  web: {type: server_pool, instances: 1, service: {dist: exponential, mean: 100ms},
        calls: [{to: db}], cost_per_instance_hour: 100}
  db: {type: database, connections: 8, query: {dist: exponential, mean: 20ms}}
slo: [{name: fast, metric: latency_mean, scope: all, max: 0.2}]
"""
    sc = surgesim.loads(mmc)
    for vary in [{"services.web.instances": (1, 64)},
                 {"services.web.instances": (1, 256)},
                 {"services.web.instances": (1, 32), "services.db.connections": (1, 32)},
                 {"services.web.instances": (1, 64), "services.db.connections": (1, 64)}]:
        started = time.perf_counter()
        result = surgesim.size(sc, vary=vary, progress=False)
        ranges = " x ".join(f"{lo}..{hi}" for lo, hi in vary.values())
        print(f"   {ranges:16s} {result.grid_size:5d} points: {len(result.evaluated):3d} runs "
              f"({(result.evaluated['replications'] == result.replications).sum()} searching, "
              f"the rest confirming), {time.perf_counter() - started:5.1f} s -> "
              f"{result.values}")


def main() -> None:
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    sweep_points_per_second()
    python_overhead()
    dask_overhead()
    size_runs()


if __name__ == "__main__":
    main()
