"""surgesim: discrete-event simulation of online shops on sale days.

A thin shell over the C++ library: the scenario file says everything about the shop
(docs/scenario.md in the repository describes every key); Python loads it as a
``Scenario``, changes values by key path, runs it and reads the results.

    >>> import surgesim
    >>> sc = surgesim.load("configs/harbolnas-1111.yaml")
    >>> results = surgesim.run(sc.set("services.web.instances", 60), replications=4)
    >>> results.services()[["utilization", "p99_s"]]
"""

from __future__ import annotations

import json
import os
import warnings
from typing import Any, Union

from . import _core
from ._errors import Overloaded, ScenarioError
from ._scenario import Overrides, PathLike, Scenario, as_scenario, load, loads

__all__ = ["NoFeasiblePoint", "Overloaded", "Results", "Scenario", "ScenarioError", "Series",
           "SizeResult", "compare", "estimate", "graph", "load", "loads", "read", "report", "run",
           "size", "sweep", "validate", "__version__"]
__version__: str = _core.__version__


# Loaded on first use; also so that `python -m surgesim._sweep` (surgesim sweep) does not
# find its module imported already.
_LAZY = {"Results": "._results", "Series": "._results", "read": "._results",
         "sweep": "._sweep", "size": "._size", "SizeResult": "._size",
         "NoFeasiblePoint": "._size"}


def __getattr__(name: str) -> Any:
    # NOTE: numpy, pandas, matplotlib and h5py are imported only when used, so that
    # validate and graph work without them and `python -m surgesim.report` can say
    # which Debian package is missing instead of ending in a traceback.
    import importlib

    if name in ("report", "compare"):
        return importlib.import_module(f".{name}", __name__)
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


ScenarioLike = Union[Scenario, PathLike]


def run(
    scenario: ScenarioLike,
    *,
    set: Overrides = None,
    replications: int | None = None,
    seed: int | None = None,
    threads: int = 0,
    output: PathLike | None = None,
    warmup: float | str | None = None,
    precision: float | None = None,
    max_replications: int = 100,
    keep_replications: bool = False,
    max_memory: int | str | None = None,
    force: bool = False,
) -> Results:
    """Simulate a Scenario (or the scenario file at a path) and return its Results.

    The same study as ``surgesim run``: with the same overrides and seed the results are
    identical to the bit. ``set`` changes values first, as ``Scenario.set`` does (a
    mapping ``{"services.web.instances": 60}``, or ``"KEY.PATH=VALUE"`` strings as the
    command line's ``--set``). ``replications`` and ``seed`` override the scenario's.
    ``threads`` = 0 uses all cores; the results do not depend on it.

    ``output`` writes the HDF5 result file (it appears only when complete); ``warmup``
    replaces the scenario's warm-up (seconds, or a duration such as ``"10m"``), or
    ``"auto"`` estimates it by MSER-5 on a pilot run (the value used is
    ``summary["warmup_s"]``); ``precision`` adds replications until every headline
    half-width is below ``precision`` x |mean|, up to ``max_replications`` (a
    UserWarning says so when the bound was not met). ``keep_replications`` keeps every
    replication's own time series for ``Results.timeseries(path, replication=r)``
    (memory grows with replications; a result file holds them under
    ``PATH/replications``).

    Before it starts, the run's work is estimated: one estimated over an hour on one
    core, or over ``max_memory`` (bytes, or text such as ``"8G"``; default half the
    physical memory), is refused with ScenarioError saying what to change, unless
    ``force=True``. During the run, a service whose queue would carry the requests in
    flight past ``max_memory`` stops it with Overloaded (a RuntimeError) naming the
    service (a transient overload that drains runs in full), and so does work far beyond
    the estimate (retries of calls that fail at once) unless ``force=True``.
    Raises ScenarioError for an invalid scenario, ValueError for an argument out of
    range, FileNotFoundError for a missing file.
    """
    sc = as_scenario(scenario, set)
    out = _core.run(
        sc._source(),
        replications=replications,
        seed=seed,
        threads=threads,
        output=None if output is None else os.fspath(output),
        warmup=None if warmup is None else _duration_text(warmup),
        precision=precision,
        max_replications=max_replications,
        keep_replications=keep_replications,
        max_memory=None if max_memory is None else str(max_memory),
        force=force,
    )
    if not out["precision_met"]:
        warnings.warn(out["precision_note"], UserWarning, stacklevel=2)
    summary = json.loads(out["summary"])
    if summary.get("saturated"):
        # A notebook shows no report: the one fact that invalidates the figures must not
        # wait to be looked up.
        warnings.warn(
            f"the run is saturated: {', '.join(summary['saturated_services'])} could not keep "
            f"up and {summary['sessions']['unfinished']:,.0f} sessions had not finished when it "
            f"ended; the figures leave them out (Results.saturated)",
            UserWarning,
            stacklevel=2,
        )
    return _to_results(summary, out)


def validate(scenario: ScenarioLike, *, set: Overrides = None) -> dict[str, Any]:
    """Check a Scenario or scenario file without running it.

    Returns name, description, currency, duration_s, warmup_s, start (the ``start``
    text, or None), window ({from_s, to_s}, or None), seed, replications,
    journeys (name -> page names), services (names) and warnings (things allowed but
    probably not meant, also issued as UserWarning, like a service no page calls).
    Raises like ``run``.
    """
    sc = as_scenario(scenario, set)
    if isinstance(scenario, Scenario):  # a path's warnings were issued as it loaded
        sc.validate()
    return sc.info()


def graph(scenario: ScenarioLike, *, set: Overrides = None) -> str:
    """The call graph of a Scenario or scenario file as Graphviz DOT text.

    The same text as ``surgesim graph FILE``: a cluster per journey (start, pages,
    exit, ``next`` probabilities), the services with their type and size, and the
    calls between them; render it with ``dot -Tsvg``. Warnings and errors as
    ``validate``.
    """
    return _core.graph(as_scenario(scenario, set)._source())


def estimate(scenario: ScenarioLike, *, set: Overrides = None):
    """The analytic estimate of a Scenario or scenario file over time, before simulating:
    a DataFrame with a row per time bucket x service.

    Columns: ``t_s`` (the bucket's start), ``service``, ``lambda`` (requests/s, from the
    session rate averaged over the bucket), ``rho`` (utilisation; NaN where nothing
    queues), ``p_wait`` (Erlang C), ``mean_wait_s``, ``mean_response_s`` (calls
    included), ``instances_needed`` (pool instances, database connections or cache
    workers that keep the service at most at its autoscale target or 80% busy; NaN
    where nothing sizes it), ``unstable`` (it cannot keep up, itself or through a
    callee; its waits and responses are then NaN, never an invented number), then
    ``type``, ``servers``, ``offered_load`` (Erlang), ``blocking`` (payment gateways),
    ``p_leave`` (a waiting room's row, ``service == "waiting_room"``: Erlang-A over
    sessions, the share whose patience runs out; NaN for services) and
    ``session_rate``. The same data as ``surgesim check --format json``; each tier
    is M/M/c with the Allen-Cunneen correction for its service time's variability.
    """
    import pandas as pd

    rows = json.loads(_core.estimate(as_scenario(scenario, set)._source()))
    frame = pd.DataFrame.from_records(rows)
    numbers = ["lambda", "rho", "p_wait", "mean_wait_s", "mean_response_s", "instances_needed",
               "offered_load", "blocking", "p_leave", "session_rate"]
    frame[numbers] = frame[numbers].astype(float)  # JSON null -> NaN
    return frame


def _duration_text(value: float | str) -> str:
    return value if isinstance(value, str) else repr(float(value))


def _to_results(summary: dict[str, Any], out: dict[str, Any]) -> Results:
    from ._results import Results, Series

    series = {
        table["path"]: Series(
            path=table["path"],
            columns=list(table["columns"]),
            bucket_s=table["bucket_s"],
            mean=table["mean"],
            ci95=table["ci95"],
            replications=table["replications"],
        )
        for table in out["series"]
    }
    return Results(summary, [json.loads(t) for t in out["replications"]], series)
