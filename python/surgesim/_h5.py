"""Reads a surgesim results file (`surgesim run -o results.h5`) for report and compare.

Tolerant by design: a table or field that a scenario does not produce (no revenue
without order pages, no time series in an older file) reads as absent, never as an
error. Only a file that is not a surgesim results file at all is an error.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

import h5py
import numpy as np
import pandas as pd

PathLike = Union[str, "os.PathLike[str]"]


class NotAResultsFile(ValueError):
    """The path is missing, not HDF5, or has no surgesim /summary."""


@dataclass
class ResultsFile:
    """Everything report and compare need from one results file, read eagerly.

    ``tables`` maps a table path ("timeseries/services/web") to its kinds: "mean" and,
    with two or more replications, "ci95" — each a DataFrame indexed by ``t_s``.
    """

    path: Path | None  # None for a run held in memory
    summary: dict[str, Any]
    replications: list[dict[str, Any]]
    attributes: dict[str, Any]
    scenario_attributes: dict[str, Any]
    tables: dict[str, dict[str, pd.DataFrame]] = field(default_factory=dict)

    def table(self, path: str, kind: str = "mean") -> pd.DataFrame | None:
        return self.tables.get(path, {}).get(kind)

    def tables_under(self, prefix: str) -> dict[str, str]:
        """Table paths directly below ``prefix``, keyed by their last name, sorted."""
        names = {}
        for path in sorted(self.tables):
            if path.startswith(prefix + "/") and "/" not in path[len(prefix) + 1 :]:
                names[path[len(prefix) + 1 :]] = path
        return names


def read(path: PathLike) -> ResultsFile:
    path = Path(path)
    if not path.is_file():
        raise NotAResultsFile(f"{path}: no such file")
    try:
        h5 = h5py.File(path, "r")
    except OSError as e:
        raise NotAResultsFile(f"{path}: not an HDF5 file ({e})") from None
    with h5:
        summary = _json_dataset(h5, "summary", path)
        if not isinstance(summary, dict) or "scenario" not in summary:
            raise NotAResultsFile(f"{path}: /summary is not a surgesim summary")
        replications = []
        if "summary_replications" in h5:
            replications = _json_dataset(h5, "summary_replications", path)
            if not isinstance(replications, list):
                raise NotAResultsFile(f"{path}: /summary_replications is not a JSON array")
        scenario_attributes = _attributes(h5["scenario"]) if "scenario" in h5 else {}
        return ResultsFile(
            path=path,
            summary=summary,
            replications=replications,
            attributes=_attributes(h5["summary"]),
            scenario_attributes=scenario_attributes,
            tables=_tables(h5),
        )


def _json_dataset(h5: h5py.File, name: str, path: Path) -> Any:
    node = h5.get(name)
    if not isinstance(node, h5py.Dataset) or node.shape != ():
        raise NotAResultsFile(f"{path}: no /{name} string dataset: not a surgesim results file")
    # A fixed-length string's declared size need not be stored (its fill value stands in).
    if node.dtype.itemsize > max(path.stat().st_size, 1):
        raise NotAResultsFile(f"{path}: /{name} declares {node.dtype.itemsize:,} bytes, more "
                              "than the file holds: not a surgesim results file")
    try:
        return json.loads(_text(node[()]))
    except (ValueError, UnicodeDecodeError) as e:
        raise NotAResultsFile(f"{path}: /{name} is not JSON ({e})") from None


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, np.ndarray):  # a fixed-length string read as an array
        return _text(value.item())
    return str(value)


def _attributes(node: h5py.HLObject) -> dict[str, Any]:
    return {key: _attribute_value(value) for key, value in node.attrs.items()}


def _attribute_value(value: Any) -> Any:
    if isinstance(value, (bytes, np.bytes_)):
        return value.decode("utf-8")
    if isinstance(value, np.ndarray):
        return [_attribute_value(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        return value.item()
    return value


# A run has at most a million buckets and 10,000 replications (a scenario or option
# beyond is refused), so no table of a results file has more.
MOST_ROWS = 1_000_000
MOST_REPLICATIONS = 10_000


def memory_budget() -> float:
    """What reading a file's time series may take: a run's default ``max_memory`` (half
    the physical memory, or of the container's limit)."""
    from . import _core

    return _core.default_max_memory()


def _check_sizes(h5: h5py.File) -> None:
    """Refuses, before reading any, time series a run cannot have written: HDF5 lets a
    file of a few kilobytes declare a column of 10^12 rows (the fill value stands for
    them all), which reading would try to hold in memory."""
    path = h5.filename
    total = 0

    def visit(name: str, node: h5py.HLObject) -> None:
        nonlocal total
        if not (isinstance(node, h5py.Group) and isinstance(node.get("mean"), h5py.Group)):
            return
        for kind in ("mean", "ci95"):
            group = node.get(kind)
            if not isinstance(group, h5py.Group):
                continue
            for column, dataset in group.items():
                if not isinstance(dataset, h5py.Dataset) or dataset.ndim != 1:
                    continue
                rows = dataset.shape[0]
                if rows > MOST_ROWS:
                    raise NotAResultsFile(
                        f"{path}: /{name}/{kind}/{column} has {rows:,} rows; a run has at most "
                        f"{MOST_ROWS:,} buckets: not a surgesim results file")
                total += rows * 8

    h5.visititems(visit)
    budget = memory_budget()
    if total > budget:
        raise NotAResultsFile(
            f"{path}: its time series would take {total / 2**30:.1f} GB in memory, more than "
            f"half of this machine's ({budget / 2**30:.1f} GB): not read")


def _tables(h5: h5py.File) -> dict[str, dict[str, pd.DataFrame]]:
    # A table is any group holding a "mean" group of column datasets.
    _check_sizes(h5)
    tables: dict[str, dict[str, pd.DataFrame]] = {}

    def visit(name: str, node: h5py.HLObject) -> None:
        if not (isinstance(node, h5py.Group) and isinstance(node.get("mean"), h5py.Group)):
            return
        order = _attribute_value(node.attrs.get("columns", []))
        mean = _columns(node["mean"], order)
        lengths = {len(values) for values in mean.values()}
        if len(lengths) > 1:
            raise NotAResultsFile(f"{h5.filename}: /{name}/mean: columns of different lengths "
                                  f"({', '.join(f'{n:,}' for n in sorted(lengths))} rows)")
        t_s = mean.pop("t_s", None)
        if t_s is None and "bucket_s" in node.attrs and mean:
            t_s = float(node.attrs["bucket_s"]) * np.arange(len(next(iter(mean.values()))))
        if t_s is None:  # no time axis: nothing to plot against
            return
        index = pd.Index(t_s, name="t_s")
        kinds = {"mean": pd.DataFrame(mean, index=index)}
        if isinstance(node.get("ci95"), h5py.Group):
            ci95 = _columns(node["ci95"], order)
            ci95.pop("t_s", None)
            if any(len(values) != len(index) for values in ci95.values()):
                raise NotAResultsFile(f"{h5.filename}: /{name}/ci95: columns of another length "
                                      f"than the mean's ({len(index):,} rows)")
            kinds["ci95"] = pd.DataFrame(ci95, index=index)
        tables[name] = kinds

    h5.visititems(visit)
    return tables


def _columns(kind: h5py.Group, order: list[str]) -> dict[str, np.ndarray]:
    names = [c for c in order if c in kind] + sorted(c for c in kind if c not in order)
    return {
        name: np.asarray(kind[name][()], dtype=float)
        for name in names
        if isinstance(kind[name], h5py.Dataset) and kind[name].ndim == 1
    }
