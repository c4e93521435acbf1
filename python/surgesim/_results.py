"""Results of a run: the summary tree as a dict, plus pandas views of it and of the
time series."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import _core

if TYPE_CHECKING:
    from ._plots import Plots

CI_SUFFIX = "_ci95"
TIME_COLUMN = "t_s"


@dataclass(frozen=True)
class Series:
    """One time series table of a run, as the HDF5 file holds it.

    A row per bucket of ``bucket_s`` seconds over the whole run, warm-up included;
    ``columns`` start with ``t_s`` (the bucket's start). ``mean`` and ``ci95`` are
    [column, bucket] arrays (NaN-skipping mean over replications and its 95%
    half-width; ``ci95`` is None with one replication), ``replications`` is
    [replication, column, bucket]. NaN means no observation.

    A run keeps no replication's own tables unless asked (``keep_replications=True``),
    so that memory does not grow with the replications: ``replications`` then has no
    row. Without them ``ci95`` comes from a running sum of squares (Welford), equal to
    the two-pass value up to rounding; with them, or with a result file (``output``),
    it is the two-pass value the file holds.
    """

    path: str
    columns: list[str]
    bucket_s: float
    mean: np.ndarray
    ci95: np.ndarray | None
    replications: np.ndarray


@dataclass(frozen=True)
class Results:
    """What ``surgesim.run`` returns.

    ``summary`` is exactly the summary that docs/scenario.md describes (what
    ``surgesim run --format json`` prints): with several replications every number is
    the mean over them and ``summary["ci95"]`` holds the 95% half-widths. ``replications`` holds one tree per
    replication, in replication order, for your own statistics. ``series`` holds the
    time series tables by path (``timeseries/services/web``, ``sessions/drops``,
    ``revenue``...); ``timeseries()`` turns one into a DataFrame.
    """

    summary: dict[str, Any]
    replications: list[dict[str, Any]] = field(default_factory=list, repr=False)
    series: dict[str, Series] = field(default_factory=dict, repr=False)

    @property
    def saturated(self) -> bool:
        """Whether some service could not keep up: when the run ended, more requests waited
        in its queue than it completed over the last bucket (in any replication). The other
        figures then leave out the shoppers still queued (``summary["sessions"]["unfinished"]``
        counts them); ``surgesim run --check-slo`` fails such a run."""
        return bool(self.summary.get("saturated", False))

    @property
    def saturated_services(self) -> list[str]:
        """The services that were saturated in some replication, in scenario order."""
        return list(self.summary.get("saturated_services", []))

    def report(self, path: str | os.PathLike[str] | None = None, *,
               zoom: tuple[object, object] | None = None) -> str | list[Path]:
        """Without ``path``, the text report as ``surgesim run`` prints it.

        With ``path`` (``.html`` or ``.png``), the pictures of ``surgesim report``
        written there, as ``surgesim.report.render`` does for a result file; returns
        the files written. ``zoom`` = (from, to) shows only that span.
        """
        if path is None:
            return _core.text_report(json.dumps(self.summary))
        from . import report
        from ._plots import results_source

        return report.write(results_source(self), report.output_path(None, path), zoom=zoom)

    @property
    def plot(self) -> Plots:
        """The report's panels as matplotlib Figures: ``results.plot.latency()``,
        ``.traffic()``, ``.drops()``, ``.services()``, ``.lost_revenue()``."""
        from ._plots import Plots

        return Plots(self)

    def _repr_html_(self) -> str:
        """What a notebook shows: the headline figures with ±, and the SLOs."""
        from . import _report_html
        from ._panels import context
        from ._plots import results_source
        from ._timeline import timeline

        source = results_source(self)
        return _report_html.notebook(context(source, timeline(self.summary)))

    def __repr__(self) -> str:
        s = self.summary
        failed = [slo["name"] for slo in s.get("slo", []) if not slo.get("ok", True)]
        parts = [f"{s.get('replications', 1)} replication(s)", f"seed {s.get('seed')}",
                 f"drop rate {s.get('drop_rate', float('nan')):.2%}"]
        if failed:
            parts.append("failed SLOs: " + ", ".join(failed))
        if self.saturated:
            parts.append("SATURATED: " + ", ".join(self.saturated_services))
        return f"<Results {s.get('scenario', '?')!r}: {'; '.join(parts)}>"

    def services(self) -> pd.DataFrame:
        """One row per service (index ``service``), the summary's fields as columns."""
        return self._table("services", "service")

    def pages(self) -> pd.DataFrame:
        """One row per page, indexed by ``JOURNEY.PAGE`` (index ``page``)."""
        return self._table("pages", "page")

    def journeys(self) -> pd.DataFrame:
        """One row per journey (index ``journey``); nested fields as ``by_cause.CAUSE``."""
        return self._table("journeys", "journey")

    def drops(self) -> pd.Series:
        """Dropped sessions by cause (index ``cause``), in the contract's order."""
        causes = self.summary["sessions"]["by_cause"]
        series = pd.Series(causes, name="sessions", dtype=float)
        series.index.name = "cause"
        return series

    def timeseries(self, path: str, replication: int | None = None) -> pd.DataFrame:
        """One time series table as a DataFrame, a row per bucket.

        The index is the bucket's start: without a ``start`` in the scenario, ``t_s``
        (seconds from time 0); with ``start: "2024-11-10 22:00"`` (a date), a
        ``DatetimeIndex`` named ``time``; with ``start: "22:00"`` (no date), ordered
        clock labels (``"23:59"``, ``"00:00"``...; ``HH:MM:SS`` when buckets are off
        the minute; `` +1d`` from 24 h after the first one), a ``CategoricalIndex``
        named ``clock`` that sorts in time order. With a start, ``t_s`` is also the
        first column (seconds from time 0, as the result file stores it).

        ``path`` is a table's path with or without its ``timeseries/`` prefix:
        ``"services/web"``, ``"pages/buyer.pay"``, ``"sessions"``, ``"traffic"``,
        ``"sessions/drops"``, ``"revenue"``. Without ``replication`` the columns are the
        means over replications, followed by ``COLUMN_ci95`` half-widths when there are
        two or more; with it, that replication's own values, kept only by a run with
        ``keep_replications=True`` (ValueError otherwise: a result file holds them too,
        under ``PATH/replications``). Raises KeyError for an unknown table (the message
        lists them) and IndexError for a replication out of range.
        """
        table = self._series(path)
        if replication is None:
            values = table.mean
        else:
            if table.replications.shape[0] == 0:
                raise ValueError(
                    f"the run kept no replication's own time series (memory would grow "
                    f"with replications): run with keep_replications=True, or read "
                    f"{table.path}/replications from its result file"
                )
            if not 0 <= replication < table.replications.shape[0]:
                raise IndexError(
                    f"replication {replication} out of range: the run has "
                    f"{table.replications.shape[0]}"
                )
            values = table.replications[replication]
        frame = _series_frame(table.columns, values)
        if replication is None and table.ci95 is not None:
            half_widths = _series_frame(table.columns, table.ci95).add_suffix(CI_SUFFIX)
            frame = frame.join(half_widths)
        return _on_the_clock(frame, self.summary.get("start"))

    def timeseries_paths(self) -> list[str]:
        """The paths of every time series table, in the engine's order."""
        return list(self.series)

    def _series(self, path: str) -> Series:
        for candidate in (path, f"timeseries/{path}"):
            if candidate in self.series:
                return self.series[candidate]
        raise KeyError(f"no time series {path!r}; the run has: {', '.join(self.series)}")

    def _table(self, section: str, index_name: str) -> pd.DataFrame:
        frame = _frame(self.summary.get(section, {}), index_name)
        ci95 = self.summary.get("ci95")
        if ci95 is not None:  # present only with two or more replications
            half_widths = _frame(ci95.get(section, {}), index_name).add_suffix(CI_SUFFIX)
            frame = frame.join(half_widths)
        return frame


def read(path: str | os.PathLike[str]) -> Results:
    """The Results of a result file written by ``surgesim run -o`` or ``run(output=)``:
    its summary, each replication's summary, and every time series table with its
    columns in the file's order (each replication's own tables too, when the file holds
    them). Raises ValueError (NotAResultsFile) for a path that is not a result file."""
    import h5py

    from ._h5 import read as read_file

    file = read_file(path)
    series = {}
    with h5py.File(file.path, "r") as h5:
        for table_path, kinds in file.tables.items():
            mean = kinds["mean"]
            columns = [TIME_COLUMN, *mean.columns]
            t_s = mean.index.to_numpy(dtype=float)
            ci95 = kinds.get("ci95")
            series[table_path] = Series(
                path=table_path, columns=columns, bucket_s=_bucket_s(h5[table_path], t_s),
                mean=np.vstack([t_s, mean.to_numpy(dtype=float).T]),
                ci95=None if ci95 is None else np.vstack([t_s, ci95[mean.columns].to_numpy(dtype=float).T]),
                replications=_replications(h5[table_path], columns, t_s))
    order = _engine_order(list(series), file.summary)
    return Results(file.summary, file.replications, {p: series[p] for p in order})


def _engine_order(paths: list[str], summary: dict[str, Any]) -> list[str]:
    """Tables in the order a run lists them: traffic, sessions, then journeys, pages and
    services in the summary's order, drops and revenue; anything else after them. (HDF5
    lists groups alphabetically.)"""
    known = ["timeseries/traffic", "timeseries/sessions"]
    for section in ("journeys", "pages", "services"):
        known += [f"timeseries/{section}/{name}" for name in summary.get(section, {})]
    known += ["sessions/drops", "revenue"]
    rank = {path: i for i, path in enumerate(known)}
    return sorted(paths, key=lambda p: (rank.get(p, len(known)), p))


def _bucket_s(group, t_s: np.ndarray) -> float:
    if "bucket_s" in group.attrs:
        return float(group.attrs["bucket_s"])
    return float(t_s[1] - t_s[0]) if len(t_s) > 1 else float("nan")


def _replications(group, columns: list[str], t_s: np.ndarray) -> np.ndarray:
    """[replication, column, bucket] from PATH/replications/COLUMN ([replication, bucket])."""
    kept = group.get("replications")
    if kept is None or not all(c in kept for c in columns[1:]):
        return np.empty((0, len(columns), len(t_s)))
    from ._h5 import MOST_REPLICATIONS, NotAResultsFile, memory_budget

    first = kept[columns[1]]
    count = first.shape[0] if first.ndim == 2 else -1
    for name in columns[1:]:
        # Declared shapes need not be stored (HDF5's fill value stands in), so they are
        # checked before anything is allocated from them.
        shape = kept[name].shape
        if shape != (count, len(t_s)) or not 0 <= count <= MOST_REPLICATIONS:
            raise NotAResultsFile(
                f"{group.file.filename}: {group.name}/replications/{name} has shape {shape}, "
                f"expected (replications up to {MOST_REPLICATIONS:,}, {len(t_s):,} buckets): "
                "not a surgesim results file")
    needed = 8.0 * count * len(columns) * len(t_s)
    if needed > memory_budget():
        raise NotAResultsFile(
            f"{group.file.filename}: {group.name}/replications would take "
            f"{needed / 2**30:.1f} GB in memory, more than half of this machine's: not read")
    out = np.empty((count, len(columns), len(t_s)))
    out[:, 0, :] = t_s
    for c, name in enumerate(columns[1:], start=1):
        out[:, c, :] = kept[name][()]
    return out


def _series_frame(columns: list[str], values: np.ndarray) -> pd.DataFrame:
    """[column, bucket] values -> DataFrame indexed by the t_s column."""
    frame = pd.DataFrame({name: values[c] for c, name in enumerate(columns)})
    return frame.set_index(TIME_COLUMN)


def _on_the_clock(frame: pd.DataFrame, start: object) -> pd.DataFrame:
    """``frame`` (indexed by t_s) indexed by the shop's clock when the run has a start."""
    if not isinstance(start, str) or not start.strip():
        return frame
    parts = start.split()
    clock = pd.Timedelta(parts[-1] if parts[-1].count(":") == 2 else parts[-1] + ":00")
    t_s = frame.index.to_numpy(dtype=float)
    frame = frame.reset_index()
    if len(parts) == 2:  # a date: real timestamps
        origin = pd.Timestamp(parts[0]) + clock
        frame.index = pd.DatetimeIndex(origin + pd.to_timedelta(t_s, unit="s"), name="time")
        return frame
    shown = np.rint(clock.total_seconds() + t_s).astype(np.int64)
    seconds = bool((shown % 60 != 0).any())
    first = int(shown[0]) if len(shown) else 0
    labels = [_clock_label(int(s), seconds, (int(s) - first) // 86400) for s in shown]
    # Labels would repeat only a day or more after the first one, which the suffix tells
    # apart; categories in time order keep 22:00 before 00:00 when sorted or plotted.
    order = list(dict.fromkeys(labels))
    frame.index = pd.CategoricalIndex(labels, categories=order, ordered=True, name="clock")
    return frame


def _clock_label(shown_s: int, seconds: bool, later_day: int) -> str:
    hours, rest = divmod(shown_s % 86400, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{hours:02d}:{minutes:02d}" + (f":{secs:02d}" if seconds else "")
    return text + (f" +{later_day}d" if later_day > 0 else "")


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested fields become dotted columns: {"by_cause": {"slow": 1}} -> {"by_cause.slow": 1}."""
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _frame(rows: dict[str, dict[str, Any]], index_name: str) -> pd.DataFrame:
    # dtype=float: counts are means over replications, and a statistic with no
    # observations (JSON null) becomes NaN rather than turning the column into objects.
    frame = pd.DataFrame.from_dict(
        {name: _flatten(row) for name, row in rows.items()}, orient="index", dtype=float
    )
    frame.index.name = index_name
    return frame
