"""Writes surgesim results files for the report and compare tests, following the HDF5
layout of docs/scenario.md (Result files) exactly, from made-up replications of a small
two-journey shop.

`ShopLevels` sets each run's true levels; every replication adds noise drawn from its
own seed, so two runs built with the same seeds and levels are identical replication by
replication, and a level changed in one run is the only difference between them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

import h5py
import numpy as np

# Student-t 0.975 quantiles t_{0.975, R-1} (tables), for the 95% half-widths.
T975 = {2: 12.70620474, 3: 4.302652730, 4: 3.182446305, 5: 2.776445105}
CAUSES = ["abandoned", "slow", "rejected", "timeout", "pool_timeout", "error", "outage", "declined", "waiting"]
JOURNEYS = {"browse": ["home", "product"], "buy": ["home", "checkout"]}
SERVICES = ["web", "db"]
BUCKET_S = 300.0
DURATION_S = 7200.0
WARMUP_S = 600.0
MEAN_ORDER = 250_000.0  # IDR per order


@dataclass(frozen=True)
class ShopLevels:
    web_utilization: float = 0.6
    rate: float = 40.0  # sessions/s
    drop_share: float = 0.02  # of ended sessions
    p99_s: float = 0.35
    slo_p99_s: float = 0.5
    revenue: bool = True  # False: a shop without order pages


def write_results(
    path: Path,
    levels: ShopLevels = ShopLevels(),
    *,
    replications: int = 5,
    overrides: str = "",
    fixed_length_strings: bool = False,
) -> Path:
    trees = [_replication_tree(levels, r) for r in range(replications)]
    summary = _experiment_summary(trees, levels)
    tables = _tables(levels, replications)
    with h5py.File(path, "w") as h5:
        _string_dataset(h5, "summary", json.dumps(summary), fixed_length_strings)
        node = h5["summary"]
        for key in ("scenario", "seed", "replications", "duration_s", "warmup_s", "currency"):
            node.attrs[key] = summary[key]
        headline = {
            "sessions_started": ("sessions", "started"),
            "sessions_completed": ("sessions", "completed"),
            "sessions_dropped": ("sessions", "dropped"),
            "drop_rate": ("drop_rate",),
            "orders": ("orders",),
            "revenue": ("revenue",),
            "lost_revenue": ("lost_revenue", "total"),
        }
        for name, keys in headline.items():
            value = _lookup(summary, keys)
            if value is None:
                continue
            node.attrs[name] = float(value)
            if replications >= 2:
                node.attrs[name + "_ci95"] = float(_lookup(summary["ci95"], keys))
        _string_dataset(h5, "summary_replications", json.dumps(trees), fixed_length_strings)
        _string_dataset(h5, "scenario", f"name: {summary['scenario']}\n", fixed_length_strings)
        h5["scenario"].attrs["file"] = "fixture-shop.yaml"
        h5["scenario"].attrs["surgesim_version"] = "0.2.0"
        h5["scenario"].attrs["overrides"] = overrides
        for table_path, columns in tables.items():
            _write_table(h5, table_path, columns, replications)
    return path


def _string_dataset(h5: h5py.File, name: str, text: str, fixed_length: bool) -> None:
    if fixed_length:
        h5.create_dataset(name, data=np.bytes_(text.encode("utf-8")))
    else:
        h5.create_dataset(name, data=text, dtype=h5py.string_dtype("utf-8"))


def _write_table(h5: h5py.File, path: str, columns: dict[str, np.ndarray], replications: int) -> None:
    group = h5.create_group(path)
    group.attrs["bucket_s"] = BUCKET_S
    group.attrs["columns"] = list(columns)
    for name, values in columns.items():  # values: [replications, buckets]
        options = {"compression": "gzip", "shuffle": True, "chunks": True}
        group.create_dataset(f"replications/{name}", data=values, **options)
        with np.errstate(invalid="ignore"):
            mean = np.nanmean(values, axis=0) if np.isfinite(values).any() else values[0]
        group.create_dataset(f"mean/{name}", data=mean, **options)
        if replications >= 2:
            half = T975[replications] * np.nanstd(values, axis=0, ddof=1) / np.sqrt(replications)
            group.create_dataset(f"ci95/{name}", data=half, **options)


def _tables(levels: ShopLevels, replications: int) -> dict[str, dict[str, np.ndarray]]:
    buckets = int(DURATION_S / BUCKET_S)
    t_s = np.arange(buckets) * BUCKET_S
    # The day: a ramp to a peak at 1:00 and back.
    shape = 1.0 + 0.5 * np.exp(-(((t_s - 3600.0) / 1200.0) ** 2))
    rngs = [np.random.default_rng(1000 + r) for r in range(replications)]

    def noisy(level: np.ndarray, relative_sd: float) -> np.ndarray:
        return np.array([level * (1.0 + relative_sd * rng.standard_normal(buckets)) for rng in rngs])

    def same_t() -> np.ndarray:
        return np.tile(t_s, (replications, 1))

    tables: dict[str, dict[str, np.ndarray]] = {}
    tables["timeseries/traffic"] = {"t_s": same_t(), "rate": noisy(levels.rate * shape, 0.0)}
    tables["timeseries/traffic"]["sessions"] = noisy(levels.rate * shape * BUCKET_S, 0.02)
    p99 = levels.p99_s * shape
    tables["timeseries/sessions"] = {"t_s": same_t(), "p99_s": noisy(p99, 0.05),
                                     "p95_s": noisy(p99 * 0.6, 0.05), "mean_s": noisy(p99 * 0.3, 0.05)}
    for journey in JOURNEYS:
        factor = 1.2 if journey == "buy" else 0.9
        tables[f"timeseries/journeys/{journey}"] = {"t_s": same_t(), "p99_s": noisy(p99 * factor, 0.05)}
    for journey, pages in JOURNEYS.items():
        for page in pages:
            tables[f"timeseries/pages/{journey}.{page}"] = {"t_s": same_t(), "p99_s": noisy(p99, 0.05)}
    for service in SERVICES:
        level = levels.web_utilization if service == "web" else 0.3
        tables[f"timeseries/services/{service}"] = {
            "t_s": same_t(),
            "utilization": np.clip(noisy(level * shape / 1.5, 0.03), 0.0, 1.0),
            "instances": noisy(np.full(buckets, 4.0 if service == "web" else 2.0), 0.0),
        }
    dropped = noisy(levels.drop_share * levels.rate * shape * BUCKET_S, 0.1)
    drops = {"t_s": same_t(), **{cause: np.zeros((replications, buckets)) for cause in CAUSES}}
    drops["abandoned"] = 0.7 * dropped
    drops["timeout"] = 0.3 * dropped
    for journey in JOURNEYS:
        for cause in CAUSES:
            drops[f"{journey}.{cause}"] = drops[cause] / len(JOURNEYS)
    tables["sessions/drops"] = drops
    if levels.revenue:
        orders = noisy(0.1 * levels.rate * shape * BUCKET_S, 0.05)
        tables["revenue"] = {"t_s": same_t(), "orders": orders, "revenue": orders * MEAN_ORDER,
                             "lost_revenue": dropped * 0.1 * MEAN_ORDER}
    return tables


def _replication_tree(levels: ShopLevels, replication: int) -> dict:
    rng = np.random.default_rng(replication)  # the same draws for every run: only levels differ
    started = levels.rate * (DURATION_S - WARMUP_S) * (1.0 + 0.01 * rng.standard_normal())
    dropped = levels.drop_share * started * (1.0 + 0.05 * rng.standard_normal())
    completed = started - dropped
    p99 = levels.p99_s * (1.0 + 0.03 * rng.standard_normal())
    tree = {
        "sessions": {"started": started, "completed": completed, "dropped": dropped,
                     "by_cause": {c: (0.7 if c == "abandoned" else 0.3 if c == "timeout" else 0.0)
                                  * dropped for c in CAUSES}},
        "drop_rate": dropped / (completed + dropped),
        "latency": {"requests": 3 * started, "failed": 0.0, "mean_s": 0.3 * p99,
                    "p50_s": 0.2 * p99, "p95_s": 0.6 * p99, "p99_s": p99},
        "pages": {f"{j}.{p}": {"requests": started, "success": started, "mean_s": 0.3 * p99,
                               "p50_s": 0.2 * p99, "p95_s": 0.6 * p99,
                               "p99_s": p99 * (1.0 + 0.02 * rng.standard_normal())}
                  for j, pages in JOURNEYS.items() for p in pages},
        "journeys": {j: {"sessions": started / 2, "completed": completed / 2, "dropped": dropped / 2,
                         "drop_rate": dropped / (completed + dropped)} for j in JOURNEYS},
        "services": {},
        "slo": [{"name": "page-p99", "metric": "latency_p99", "scope": "all",
                 "limit": levels.slo_p99_s, "value": p99, "ok": p99 <= levels.slo_p99_s,
                 "failed_buckets": 0, "failed_ranges": []}],
    }
    for service in SERVICES:
        level = levels.web_utilization if service == "web" else 0.3
        tree["services"][service] = {
            "arrivals": 3 * started, "completed": 3 * started,
            "utilization": level * (1.0 + 0.01 * rng.standard_normal()),
            "mean_response_s": 0.05 * (1.0 + 0.02 * rng.standard_normal()),
            "mean_instances": 4.0 if service == "web" else 2.0,
        }
    if levels.revenue:
        orders = 0.1 * completed
        lost = 0.1 * dropped * MEAN_ORDER
        tree.update({
            "orders": orders, "revenue": orders * MEAN_ORDER,
            "lost_revenue": {"total": lost,
                             "by_cause": {c: lost * tree["sessions"]["by_cause"][c] / dropped for c in CAUSES},
                             "by_service": {"web": 0.8 * lost, "db": 0.2 * lost}},
        })
    return tree


def _experiment_summary(trees: list[dict], levels: ShopLevels) -> dict:
    summary = {"scenario": "fixture-shop", "seed": 7, "replications": len(trees),
               "duration_s": DURATION_S, "warmup_s": WARMUP_S, "currency": "IDR"}
    summary.update(_combine(trees, _mean))
    if len(trees) >= 2:
        summary["ci95"] = _combine(trees, _half_width)
    # An SLO's failed ranges are per bucket: the fixture's p99 tops the limit at the peak.
    slo = summary["slo"][0]
    if levels.p99_s * 1.5 > levels.slo_p99_s:
        slo["failed_ranges"] = [[3000.0, 4200.0]]
        slo["failed_buckets"] = 4
    return summary


def _combine(trees: list, reduce) -> object:
    first = trees[0]
    if isinstance(first, dict):
        return {k: _combine([t[k] for t in trees], reduce) for k in first}
    if isinstance(first, list):
        return [_combine([t[i] for t in trees], reduce) for i in range(len(first))]
    if isinstance(first, (int, float)) and not isinstance(first, bool):
        return reduce([float(v) for v in trees])
    return first


def _mean(values: list[float]) -> float:
    return float(np.mean(values))


def _half_width(values: list[float]) -> float:
    return float(T975[len(values)] * np.std(values, ddof=1) / np.sqrt(len(values)))


def _lookup(tree: dict, keys: tuple[str, ...]):
    for key in keys:
        if not isinstance(tree, dict) or key not in tree:
            return None
        tree = tree[key]
    return tree


def levels_with(**changes) -> ShopLevels:
    return replace(ShopLevels(), **changes)
