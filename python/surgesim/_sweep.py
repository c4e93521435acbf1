"""surgesim sweep: run every point of a grid of values and tabulate the headline figures.

    df = surgesim.sweep(sc, {"services.web.instances": [10, 12, 14],
                             "services.database.connections": [40, 60]}, replications=4)
    surgesim sweep configs/harbolnas-1111.yaml --vary services.web.instances=10..16:2 \\
        --vary services.database.connections=40,60 -r 4 -o sweep.csv

Every point runs with the same seed and replication count, so replication r of every
point draws the same random numbers (common random numbers): differences between points
come from the values, not from noise. One row per point: the varied values, then every
headline figure with its 95% half-width (``_ci95``; NaN with one replication).
"""

from __future__ import annotations

import argparse
import itertools
import math
import os
import sys
import tempfile
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

from . import _core
from ._errors import ScenarioError
from ._numbers import lookup, number
from ._execute import Evaluation, run_points
from ._scenario import Scenario, as_scenario

__all__ = ["sweep", "points_of", "headline_row", "main"]

CI = "_ci95"

# Points of one sweep: far more than anyone plans by hand (a 100 x 100 grid), few enough
# that the points are listed and estimated in seconds. A range meant as a handful of
# values but written without its STEP (1..1000000) is refused before it is listed.
MOST_POINTS = 10_000


def sweep(scenario: Scenario | str | os.PathLike[str],
          grid: Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Any]], *,
          replications: int | None = None, seed: int | None = None, executor: Any = None,
          progress: bool = True, force: bool = False):
    """Run ``scenario`` at every point of ``grid`` and return a tidy DataFrame.

    ``grid`` is a dict of lists, ``{key path: [values]}``, run as their cross product (the
    last key varies fastest), or a list of dicts, one per point, for values that change
    together (connections with ``contention.above``). Values are what ``Scenario.set``
    takes. Every point is validated before any runs (ScenarioError names the point).

    ``replications`` and ``seed`` (default: the scenario's) are the same for every point:
    common random numbers. ``executor``: None runs the points on every local core; a
    ``dask.distributed.Client`` runs them as Dask tasks on its cluster (or any
    ``concurrent.futures.Executor``). The DataFrame is the same whatever runs it.
    ``progress`` shows a tqdm bar. A grid of over 10,000 points is refused (ValueError),
    and so is one whose points' work estimates add up to over an hour on one core
    (ScenarioError saying what to change), or a point estimated over an hour alone, unless
    ``force=True``, which runs them as ``run(force=True)`` would.

    Columns: the varied key paths, then ``drop_rate``, ``orders``, ``revenue``,
    ``lost_revenue``, ``latency.p99_s`` (page response, all pages), ``cost`` (every
    service's instances over the statistics window), each followed by its ``_ci95``;
    ``saturated``; per SLO ``slo.NAME.ok`` (the summary's verdict), ``slo.NAME.value`` and
    ``slo.NAME.failed_buckets``; per service ``services.NAME.utilization``, ``.p99_s`` and
    ``.cost`` with their ``_ci95``. ``df.attrs`` holds scenario, seed and replications.
    """
    base = as_scenario(scenario)
    points = points_of(grid)
    scenarios = [_point_scenario(base, point) for point in points]
    if not force:
        _core.refuse_long_sweep([sc._source() for sc in scenarios], replications, "python",
                                base._source()["file"])
    evaluations = run_points(scenarios, replications=replications, seed=seed,
                             executor=executor, progress=progress, description="sweep",
                             force=force)
    for point, evaluation in zip(points, evaluations):
        if evaluation.stopped is not None:
            warnings.warn(f"{_point_text(point)}: stopped: {evaluation.stopped}", UserWarning,
                          stacklevel=2)
    return table(points, evaluations)


def _point_text(point: Mapping[str, Any]) -> str:
    return ", ".join(f"{path}={value}" for path, value in point.items()) or "the scenario"


def points_of(grid: Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The points of a grid: a dict of lists as its cross product, a list of dicts as is."""
    if isinstance(grid, Mapping):
        keys = list(grid)
        for key, values in grid.items():
            if isinstance(values, (str, bytes)) or not isinstance(values, (Sequence, range)) \
                    and not hasattr(values, "tolist"):
                raise TypeError(f"grid[{key!r}] must be a list of values, found {values!r}")
        lists = [list(values.tolist() if hasattr(values, "tolist") else values)
                 for values in grid.values()]
        count = math.prod(len(values) for values in lists)
        if count > MOST_POINTS:
            sizes = " x ".join(f"{len(values):,}" for values in lists)
            raise ValueError(f"the grid has {count:,} points ({sizes}); a sweep has at most "
                             f"{MOST_POINTS:,}: vary fewer values")
        return [dict(zip(keys, combination)) for combination in itertools.product(*lists)]
    if len(grid) > MOST_POINTS:
        raise ValueError(f"the grid has {len(grid):,} points; a sweep has at most "
                         f"{MOST_POINTS:,}: vary fewer values")
    points = [dict(point) for point in grid]
    if not all(isinstance(point, Mapping) for point in grid):
        raise TypeError("a grid is a dict of lists or a list of dicts (one per point)")
    return points


def _point_scenario(base: Scenario, point: Mapping[str, Any]) -> Scenario:
    return base.set(dict(point)) if point else base


def table(points: Sequence[Mapping[str, Any]], evaluations: Sequence[Evaluation]):
    """One row per point: its values, then the headline figures of its run."""
    import pandas as pd

    keys: list[str] = []
    for point in points:
        keys += [k for k in point if k not in keys]
    rows = [{**{k: point.get(k) for k in keys}, **headline_row(e)}
            for point, e in zip(points, evaluations)]
    frame = pd.DataFrame(rows, columns=_columns(keys, rows))
    finished = [e for e in evaluations if e.stopped is None]
    if finished:
        summary = finished[0].summary
        frame.attrs = {"scenario": summary.get("scenario"), "seed": summary.get("seed"),
                       "replications": summary.get("replications")}
    return frame


def _columns(keys: list[str], rows: list[dict[str, Any]]) -> list[str]:
    columns = list(keys)
    for row in rows:
        columns += [c for c in row if c not in columns]
    return columns


_HEADLINES = [("drop_rate", ("drop_rate",)), ("orders", ("orders",)), ("revenue", ("revenue",)),
              ("lost_revenue", ("lost_revenue", "total")), ("latency.p99_s", ("latency", "p99_s"))]
_PER_SERVICE = ["utilization", "p99_s", "cost"]


def headline_row(evaluation: Evaluation) -> dict[str, Any]:
    """The headline figures of one run with their 95% half-widths, as sweep tabulates them."""
    summary = evaluation.summary
    half = summary.get("ci95") or {}
    row: dict[str, Any] = {}
    for name, keys in _HEADLINES:
        row[name] = number(lookup(summary, keys))
        row[name + CI] = number(lookup(half, keys))
    row["cost"], row["cost" + CI] = mean_and_half_width(evaluation.cost_replications)
    row["saturated"] = bool(summary.get("saturated", False))
    for slo in summary.get("slo", []):
        prefix = f"slo.{slo['name']}."
        row[prefix + "ok"] = bool(slo["ok"])
        row[prefix + "value"] = number(slo.get("value"))
        row[prefix + "failed_buckets"] = int(slo["failed_buckets"])
    for name, service in summary.get("services", {}).items():
        for field in _PER_SERVICE:
            column = f"services.{name}.{field}"
            row[column] = number(service.get(field))
            row[column + CI] = number(lookup(half, ("services", name, field)))
    return row


def mean_and_half_width(values: Sequence[float]) -> tuple[float, float]:
    """The mean and 95% Student-t half-width of per-replication values (NaN with one)."""
    from ._student_t import quantile

    n = len(values)
    if n == 0:
        return math.nan, math.nan
    mean = math.fsum(values) / n
    if n < 2:
        return mean, math.nan
    variance = math.fsum((v - mean) ** 2 for v in values) / (n - 1)
    return mean, quantile(0.975, n - 1) * math.sqrt(variance / n)




# --- the command line ----------------------------------------------------------------------


def parse_vary(option: str) -> tuple[str, list[str]]:
    """``KEY.PATH=V1,V2,...`` or ``KEY.PATH=LO..HI[:STEP]`` (inclusive) -> path and the
    values as YAML text. Raises ScenarioError located at the option."""
    where = f"--vary {option}"
    path, equals, text = option.partition("=")
    if not equals or not path or not text:
        raise ScenarioError(f"{where}: expected KEY.PATH=V1,V2,... or KEY.PATH=LO..HI[:STEP]",
                            where, "", "expected KEY.PATH=V1,V2,... or KEY.PATH=LO..HI[:STEP]")
    if ".." not in text:
        return path, [v.strip() for v in text.split(",")]
    span, _, step_text = text.partition(":")
    low_text, _, high_text = span.partition("..")
    try:
        low, high = _number_text(low_text), _number_text(high_text)
        step = _number_text(step_text) if step_text else 1
    except ValueError:
        raise ScenarioError(f"{where}: {path}: expected numbers in LO..HI[:STEP], found {text!r}",
                            where, path, f"expected numbers in LO..HI[:STEP], found {text!r}") from None
    if not step > 0 or high < low:
        raise ScenarioError(f"{where}: {path}: expected LO <= HI and a STEP > 0, found {text!r}",
                            where, path, f"expected LO <= HI and a STEP > 0, found {text!r}")
    count = int(math.floor((high - low) / step + 1e-9)) + 1
    if count > MOST_POINTS:
        problem = (f"the range has {count:,} values; a sweep has at most {MOST_POINTS:,} "
                   "points: give a STEP or narrow the range")
        raise ScenarioError(f"{where}: {path}: {problem}", where, path, problem)
    values = [low + k * step for k in range(count)]
    return path, [_yaml_number(v) for v in values]


def _number_text(text: str) -> float:
    value = float(text)
    return int(value) if value.is_integer() and "." not in text and "e" not in text.lower() else value


def _yaml_number(value: float) -> str:
    return str(value) if isinstance(value, int) else repr(float(value))


def value_of(text: str) -> Any:
    """A --vary value for the table: a number when it reads as one, else the text."""
    try:
        return _number_text(text)
    except ValueError:
        return text


def cli_points(base: Scenario, varies: Sequence[str]) -> tuple[list[dict[str, Any]], list[Scenario]]:
    """The cross product of --vary options: table values and scenarios (overrides as YAML
    text, named by the option in messages, as --set)."""
    parsed = [parse_vary(option) for option in varies]
    count = 1
    for option, (path, values) in zip(varies, parsed):
        count *= len(values)
        if count > MOST_POINTS:
            where = f"--vary {option}"
            sizes = " x ".join(f"{len(v):,}" for _, v in parsed)
            problem = (f"the sweep would have {math.prod(len(v) for _, v in parsed):,} points "
                       f"({sizes}); at most {MOST_POINTS:,}: vary fewer values")
            raise ScenarioError(f"{where}: {path}: {problem}", where, path, problem)
    points, scenarios = [], []
    for combination in itertools.product(*[values for _, values in parsed]):
        overrides = [(path, text, f"--vary {path}={text}")
                     for (path, _), text in zip(parsed, combination)]
        points.append({path: value_of(text) for (path, _), text in zip(parsed, combination)})
        scenarios.append(base._with(overrides))
    return points, scenarios


def cli_scenario(file: str, sets: Sequence[str]) -> Scenario:
    """FILE with --set options, named as the command line names them."""
    base = as_scenario(file)
    overrides = []
    for option in sets:
        path, equals, value = option.partition("=")
        if not equals or not path:
            raise ScenarioError(f"--set {option}: expected KEY.PATH=VALUE, found {option!r}",
                                f"--set {option}", "", f"expected KEY.PATH=VALUE, found {option!r}")
        overrides.append((path, value, f"--set {option}"))
    return base._with(overrides) if overrides else base


def write(frame, path: str) -> None:
    """CSV or HDF5 (by the extension), written to a temporary name and renamed."""
    extension = os.path.splitext(path)[1].lower()
    if extension not in (".csv", ".h5", ".hdf5"):
        raise ValueError(f"{path}: expected a .csv or .h5 output file")
    directory = os.path.dirname(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", dir=directory)
    os.close(fd)
    try:
        if extension == ".csv":
            frame.to_csv(temporary, index=False)
        else:
            _write_hdf5(frame, temporary)
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _write_hdf5(frame, path: str) -> None:
    """/sweep: a dataset per column (numbers as float64, verdicts as bool, text as UTF-8
    strings), the column order in its ``columns`` attribute, and scenario, seed and
    replications as attributes."""
    import h5py
    import numpy as np

    with h5py.File(path, "w") as h5:
        group = h5.create_group("sweep")
        for column in frame.columns:
            values = frame[column]
            if values.dtype == bool:
                data = values.to_numpy(dtype=bool)
            elif values.dtype.kind in "iuf":
                data = values.to_numpy(dtype=float)
            else:
                data = np.array([str(v) for v in values], dtype=h5py.string_dtype())
            group.create_dataset(column, data=data)
        group.attrs["columns"] = np.array(list(frame.columns), dtype=h5py.string_dtype())
        for key, value in frame.attrs.items():
            if value is not None:
                group.attrs[key] = value


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="surgesim sweep",
        description="Run every combination of the --vary values with the same seed and "
                    "replications; one row per point, the headline figures with their 95% "
                    "half-widths.")
    parser.add_argument("file", help="scenario YAML file")
    parser.add_argument("--vary", action="append", default=[], required=True,
                        help="KEY.PATH=V1,V2,... or KEY.PATH=LO..HI[:STEP] (repeatable)")
    parser.add_argument("--set", action="append", default=[], help="KEY.PATH=VALUE before the sweep")
    parser.add_argument("-r", "--replications", type=int)
    parser.add_argument("--seed", type=int)
    parser.add_argument("-o", "--output", help="sweep.csv or sweep.h5 (default: CSV on stdout)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--force", action="store_true",
                        help="run even when the points, or one of them, would take over an "
                             "hour on one core")
    args = parser.parse_args(argv)
    try:
        base = cli_scenario(args.file, args.set)
        points, scenarios = cli_points(base, args.vary)
        if not args.force:
            _core.refuse_long_sweep([sc._source() for sc in scenarios], args.replications,
                                    "command_line", args.file)
        evaluations = run_points(scenarios, replications=args.replications, seed=args.seed,
                                 progress=not args.quiet and sys.stderr.isatty(),
                                 description="sweep", words="command_line", force=args.force)
    except ScenarioError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except ValueError as e:  # an option out of range
        print(f"error: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    for point, evaluation in zip(points, evaluations):
        if evaluation.stopped is not None:
            print(f"warning: {_point_text(point)}: stopped: {evaluation.stopped}", file=sys.stderr)
    frame = table(points, evaluations)
    if args.output:
        write(frame, args.output)
        if not args.quiet:
            print(f"{len(frame)} points written to {args.output}", file=sys.stderr)
    else:
        frame.to_csv(sys.stdout, index=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
