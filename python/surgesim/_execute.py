"""Running many points of a study (a sweep, a sizing search) on every local core or on a
Dask cluster, with a progress bar.

A point is a Scenario (its overrides applied) run with the same replication count and
seed as every other point, so that points share their random numbers. Each point's
results depend on nothing else — not on the thread count, the process, nor the machine —
so the same points give the same figures whatever runs them.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from . import _core
from ._errors import Overloaded
from ._scenario import Scenario


@dataclass(frozen=True)
class Evaluation:
    """What a study keeps of one point's run: its summary (the JSON tree of
    ``surgesim run --format json``), each replication's whole-run SLO values in the
    scenario's SLO order (None without an observation), and each replication's cost
    (every service's, summed) and lost revenue. A run stopped as overloaded keeps why in
    ``stopped`` (Overloaded's message), a summary that says only ``saturated`` and no
    replication."""

    summary: dict[str, Any]
    slo_replications: list[list[float | None]]
    cost_replications: list[float]
    lost_revenue_replications: list[float]
    stopped: str | None = None


def evaluate(scenario: Scenario, replications: int | None, seed: int | None,
             threads: int, cancel: threading.Event | None = None,
             words: str = "python", force: bool = False) -> Evaluation:
    """Runs one point (in this process, on a worker process or on a Dask worker);
    ``force`` as run()'s."""
    try:
        out = _core.run(scenario._source(), replications=replications, seed=seed,
                        threads=threads, series=False, cancel=cancel, words=words,
                        force=force)
    except Overloaded as e:
        # A point that cannot finish is an answer about that point (too little capacity,
        # a retry storm), not a failure of the study around it.
        return Evaluation({"saturated": True}, [], [], [], stopped=str(e))
    trees = [json.loads(tree) for tree in out["replications"]]
    return Evaluation(
        json.loads(out["summary"]),
        [[slo["value"] for slo in tree.get("slo", [])] for tree in trees],
        [total_cost(tree) for tree in trees],
        [float(tree["lost_revenue"]["total"]) for tree in trees])


def total_cost(tree: dict[str, Any]) -> float:
    """What every service's instances cost over the statistics window."""
    return float(sum(service.get("cost", 0.0) for service in tree.get("services", {}).values()))


def local_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def run_points(points: Sequence[Scenario], *, replications: int | None, seed: int | None,
               executor: Any = None, progress: bool = True, description: str = "points",
               words: str = "python", force: bool = False) -> list[Evaluation]:
    """Every point's Evaluation, in the order of ``points``.

    ``executor`` None runs the points on local threads, one per core (each point on one
    core; a single point gets them all for its replications): the engine releases the
    GIL and its threads share nothing, so threads scale like processes without their
    start-up and copying (bench/sweep_bench.py measures both). A
    ``concurrent.futures.Executor`` of your own (a ProcessPoolExecutor, say) gets one
    task per point. A ``dask.distributed.Client`` runs each point as a Dask task on its
    cluster; the scenario travels with its files, so workers need no shared file system,
    only ``surgesim`` installed. ``progress``: a tqdm bar (True), none (False).
    ``force`` runs each point even when its work estimate says it cannot finish.
    """
    if not points:
        return []
    bar = _progress_bar(len(points), description) if progress else None
    try:
        if executor is None:
            return _run_local(points, replications, seed, bar, words, force)
        if _is_dask_client(executor):
            return _run_dask(executor, points, replications, seed, bar, force)
        if isinstance(executor, Executor):
            return _run_on(executor, points, replications, seed, 1, bar, force=force)
        raise TypeError(f"executor must be None (local cores), a concurrent.futures.Executor "
                        f"or a dask.distributed.Client, found {type(executor).__name__}")
    finally:
        if bar is not None:
            bar.close()


def _run_local(points, replications, seed, bar, words, force) -> list[Evaluation]:
    cores = local_cores()
    workers = min(cores, len(points))
    threads = max(1, cores // workers)
    if workers == 1:
        results = []
        for point in points:
            results.append(evaluate(point, replications, seed, threads, None, words, force))
            if bar is not None:
                bar.update(1)
        return results
    cancel = threading.Event()  # Ctrl-C reaches this thread only: it stops the others
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return _run_on(pool, points, replications, seed, threads, bar, cancel, words, force)


def _run_on(pool: Executor, points, replications, seed, threads, bar,
            cancel: threading.Event | None = None, words: str = "python",
            force: bool = False) -> list[Evaluation]:
    futures = [pool.submit(evaluate, point, replications, seed, threads, cancel, words, force)
               for point in points]
    try:
        if bar is not None:
            for future in futures:  # the bar moves as each one ends, in any order
                future.add_done_callback(lambda _: bar.update(1))
        return [future.result() for future in futures]
    except BaseException:  # an error, or Ctrl-C: what has not started never will
        for future in futures:
            future.cancel()
        if cancel is not None:
            cancel.set()
        raise


def _is_dask_client(executor: Any) -> bool:
    cls = type(executor)
    return cls.__module__.startswith("distributed") and cls.__name__ == "Client"


def _run_dask(client, points, replications, seed, bar, force) -> list[Evaluation]:
    from distributed import as_completed

    # A task per point, carrying the scenario's text and files: workers read no file.
    # pure=False: two equal points are still two runs asked for (and cost two).
    futures = [client.submit(evaluate, point._shipped(), replications, seed, 1, None, "python",
                             force, pure=False)
               for point in points]
    try:
        for _ in as_completed(futures):
            if bar is not None:
                bar.update(1)
        return client.gather(futures)
    finally:
        client.cancel(futures)


def _progress_bar(total: int, description: str):
    try:
        from tqdm.auto import tqdm
    except ImportError:  # progress is a nicety: without tqdm (Debian python3-tqdm), none
        return None
    return tqdm(total=total, desc=description, unit="point")
