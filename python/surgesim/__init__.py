"""surgesim: discrete-event simulation of online shops on sale days.

A thin shell over the C++ library: the scenario file says everything about the shop
(docs/scenario.md in the repository describes every key); Python picks the file,
overrides a few values and reads the results.

    >>> import surgesim
    >>> results = surgesim.run("configs/harbolnas-1111.yaml", set=["services.web.instances=60"])
    >>> results.services()[["utilization", "p99_s"]]
"""

from __future__ import annotations

import errno
import json
import os
import warnings
from collections.abc import Iterable, Mapping
from typing import Any, Union

from . import _core
from ._errors import ScenarioError

__all__ = ["Results", "ScenarioError", "Series", "compare", "graph", "report", "run",
           "validate", "__version__"]
__version__: str = _core.__version__


def __getattr__(name: str) -> Any:
    # NOTE: numpy, pandas, matplotlib and h5py are imported only when used, so that
    # validate and graph work without them and `python -m surgesim.report` can say
    # which Debian package is missing instead of ending in a traceback.
    import importlib

    if name in ("report", "compare"):
        return importlib.import_module(f".{name}", __name__)
    if name in ("Results", "Series"):
        return getattr(importlib.import_module("._results", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

PathLike = Union[str, "os.PathLike[str]"]
Overrides = Union[Iterable[str], Mapping[str, Any], None]


def run(
    path: PathLike,
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
) -> Results:
    """Simulate the scenario file at ``path`` and return its Results.

    ``set`` overrides scalars by key path before validation, like the command
    line's ``--set``: a list of ``"KEY.PATH=VALUE"`` strings or a mapping
    ``{"services.web.instances": 60}``. ``replications`` and ``seed`` override the
    file's. ``threads`` = 0 uses all cores; the results do not depend on it.

    Like ``surgesim run``'s options: ``output`` writes the HDF5 result file (it
    appears only when complete); ``warmup`` replaces the scenario's warm-up (seconds,
    or a duration such as ``"10m"``), or ``"auto"`` estimates it by MSER-5 on a pilot
    run (the value used is ``summary["warmup_s"]``); ``precision`` adds replications
    until every headline half-width is below ``precision`` x |mean|, up to
    ``max_replications`` (a UserWarning says so when the bound was not met).
    ``keep_replications`` keeps every replication's own time series for
    ``Results.timeseries(path, replication=r)`` (memory grows with replications; a
    result file holds them under ``PATH/replications``).
    Raises ScenarioError for an invalid scenario, FileNotFoundError for a missing file.
    """
    from ._results import Results, Series

    out = _core.run(
        _existing_file(path),
        _override_options(set),
        replications=replications,
        seed=seed,
        threads=threads,
        output=None if output is None else os.fspath(output),
        warmup=None if warmup is None else _yaml_scalar(warmup),
        precision=precision,
        max_replications=max_replications,
        keep_replications=keep_replications,
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


def validate(path: PathLike, *, set: Overrides = None) -> dict[str, Any]:
    """Check the scenario file at ``path`` without running it.

    Returns name, description, currency, duration_s, warmup_s, seed, replications,
    journeys (name -> page names), services (names) and warnings (things allowed but
    probably not meant, also issued as UserWarning, like a service no page calls).
    Raises like ``run``.
    """
    return _core.validate(_existing_file(path), _override_options(set))


def graph(path: PathLike, *, set: Overrides = None) -> str:
    """The call graph of the scenario file at ``path`` as Graphviz DOT text.

    The same text as ``surgesim graph FILE``: a cluster per journey (start, pages,
    exit, ``next`` probabilities), the services with their type and size, and the
    calls between them; render it with ``dot -Tsvg``. Warnings and errors as
    ``validate``.
    """
    return _core.graph(_existing_file(path), _override_options(set))


def _existing_file(path: PathLike) -> str:
    # The library reports a missing file as an invalid scenario; Python code expects
    # the OSError that open() would raise.
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(errno.ENOENT, "scenario file not found", path)
    return path


def _override_options(overrides: Overrides) -> list[str]:
    if overrides is None:
        return []
    if isinstance(overrides, str):  # one option, not an iterable of characters
        return [overrides]
    if isinstance(overrides, Mapping):
        return [f"{key}={_yaml_scalar(value)}" for key, value in overrides.items()]
    return list(overrides)


def _yaml_scalar(value: Any) -> str:
    if isinstance(value, bool):  # str(True) would be "True"; YAML spells it true
        return "true" if value else "false"
    return str(value)
