"""surgesim compare: the headline numbers of two results files side by side.

    surgesim compare a.h5 b.h5                  # aligned table
    surgesim compare a.h5 b.h5 --format json    # a list of rows

From Python: ``surgesim.compare.compare("a.h5", "b.h5")`` returns a DataFrame.

A difference is b - a, tested on the per-replication values (``/summary_replications``)
and significant at 95% when p < 0.05:

- Paired t-test when both runs have the same seed and the same number of replications
  (>= 2). Replication r of either run then draws from the same random streams, keyed by
  (seed, r, source): common random numbers. The noise the two share cancels in the
  per-replication differences b[r] - a[r], so the test sees a what-if change much
  sooner than a test of independent samples would (pairs - 1 degrees of freedom;
  replications where either run has no value for the number are left out).
- Welch's t-test otherwise: different seeds are independent samples, and different
  replication counts cannot be paired one to one.

With fewer than 2 replications on either side there is nothing to test and the row says
so (test "n/a").
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ._requirements import exit_for_missing_module, missing_module

try:
    import numpy as np
    import pandas as pd

    from ._h5 import NotAResultsFile, PathLike, ResultsFile, read
except ImportError as error:
    if __name__ == "__main__":
        exit_for_missing_module(error, "surgesim compare")
    raise missing_module(error, "surgesim.compare") from error
from ._numbers import lookup, number, significant
from ._student_t import TTestResult, paired_test, welch_test

if TYPE_CHECKING:
    from ._results import Results

__all__ = ["compare", "main", "SIGNIFICANCE_LEVEL"]

SIGNIFICANCE_LEVEL = 0.05
COLUMNS = ["a", "a_ci95", "b", "b_ci95", "difference", "diff_ci95", "relative_difference",
           "p_value", "test", "significant", "note"]
_HEADLINE = [
    ("sessions.started", ("sessions", "started")),
    ("drop_rate", ("drop_rate",)),
    ("orders", ("orders",)),
    ("revenue", ("revenue",)),
    ("lost_revenue.total", ("lost_revenue", "total")),
    ("latency.p99_s", ("latency", "p99_s")),
]
_PER_PAGE = ["p99_s"]
_PER_SERVICE = ["utilization", "mean_response_s"]


def compare(a: Results | PathLike, b: Results | PathLike) -> pd.DataFrame:
    """One row per headline number (index ``metric``) of two runs: ``Results`` (from
    ``surgesim.run`` or ``surgesim.read``) or the paths of result files.

    Columns: ``a``, ``b`` (means over replications), ``a_ci95``, ``b_ci95`` (95%
    half-widths, NaN with one replication), ``difference`` (b - a), ``diff_ci95`` (95%
    half-width of the difference from the test, NaN when untestable),
    ``relative_difference`` (difference / |a|), ``p_value`` (two-sided), ``test``
    ("paired", "welch" or "n/a"; see the module docstring), ``significant`` (True/False
    at 95%, None when untestable) and ``note`` (why not).
    Raises NotAResultsFile (a ValueError) when either file is not a surgesim results file.
    """
    return compare_results(_source(a), _source(b))


def _source(run: Results | PathLike) -> ResultsFile:
    from ._results import Results

    if isinstance(run, Results):
        from ._plots import results_source

        return results_source(run)
    return read(run)


def compare_results(a: ResultsFile, b: ResultsFile) -> pd.DataFrame:
    paired = is_paired(a, b)
    rows = {name: _row(a, b, keys, paired) for name, keys in _metrics(a.summary, b.summary)}
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=COLUMNS)
    frame.index.name = "metric"
    # True/False/None as Python objects: pandas would make an all-testable column numpy.bool_.
    frame["significant"] = pd.Series([r["significant"] for r in rows.values()], index=frame.index, dtype=object)
    return frame


def is_paired(a: ResultsFile, b: ResultsFile) -> bool:
    """Whether replication r of ``a`` and of ``b`` share their random numbers, one to one."""
    seed_a, seed_b = _seed(a), _seed(b)
    replications = len(a.replications)
    return (seed_a is not None and seed_a == seed_b
            and replications >= 2 and replications == len(b.replications))


def _seed(results: ResultsFile) -> Any:
    # The /summary attribute; the JSON summary holds the same number.
    return results.attributes.get("seed", results.summary.get("seed"))


def _metrics(a: dict, b: dict) -> list[tuple[str, tuple[str, ...]]]:
    metrics = [(name, keys) for name, keys in _HEADLINE if _present(a, keys) or _present(b, keys)]
    for section, fields in (("pages", _PER_PAGE), ("services", _PER_SERVICE)):
        names = list(a.get(section) or {})
        names += [n for n in b.get(section) or {} if n not in names]
        for name in names:
            for field in fields:
                keys = (section, name, field)
                if _present(a, keys) or _present(b, keys):
                    metrics.append((".".join(keys), keys))
    return metrics


def _row(a: ResultsFile, b: ResultsFile, keys: tuple[str, ...], paired: bool) -> dict[str, Any]:
    a_value, b_value = number(lookup(a.summary, keys)), number(lookup(b.summary, keys))
    difference = b_value - a_value
    relative = difference / abs(a_value) if a_value != 0 else math.nan
    row = {
        "a": a_value, "a_ci95": number(lookup(a.summary.get("ci95"), keys)),
        "b": b_value, "b_ci95": number(lookup(b.summary.get("ci95"), keys)),
        "difference": difference, "diff_ci95": math.nan, "relative_difference": relative,
        "p_value": math.nan, "test": "n/a", "significant": None, "note": "",
    }
    if math.isnan(a_value) or math.isnan(b_value):
        row["note"] = "absent in " + ("a" if math.isnan(a_value) else "b")
        return row
    a_values, b_values = _per_replication(a, keys), _per_replication(b, keys)
    if paired:  # keep the replications both runs observed, in pairs
        pairs = [(x, y) for x, y in zip(a_values, b_values) if not (math.isnan(x) or math.isnan(y))]
        a_values, b_values = [x for x, _ in pairs], [y for _, y in pairs]
    else:
        a_values, b_values = _observed(a_values), _observed(b_values)
    replications = min(len(a.replications), len(b.replications))
    if replications == 0:
        row["note"] = "n/a (no per-replication values in the file)"
    elif replications < 2:
        row["note"] = "n/a (1 replication)"
    elif min(len(a_values), len(b_values)) < 2:
        both = " in both runs" if paired else ""
        row["note"] = f"n/a (fewer than 2 replications observed it{both})"
    else:
        # b first: the tests give mean(first) - mean(second), and a difference is b - a.
        result: TTestResult = (paired_test if paired else welch_test)(b_values, a_values)
        row["diff_ci95"] = result.half_width
        row["p_value"] = result.p_value
        row["test"] = "paired" if paired else "welch"
        row["significant"] = bool(result.p_value < SIGNIFICANCE_LEVEL)
    return row


def _per_replication(results: ResultsFile, keys: tuple[str, ...]) -> list[float]:
    # NaN (null in the file): no observation in that replication.
    return [number(lookup(tree, keys)) for tree in results.replications]


def _observed(values: list[float]) -> list[float]:
    return [v for v in values if not math.isnan(v)]


def _present(tree: dict, keys: tuple[str, ...]) -> bool:
    return not math.isnan(number(lookup(tree, keys)))




# --- output ---------------------------------------------------------------------------


def to_text(frame: pd.DataFrame, a: ResultsFile, b: ResultsFile) -> str:
    header = ["metric", "a", "b", "b - a", "relative", "p", "significant at 95%"]
    lines = [
        [
            metric,
            _with_half_width(row["a"], row["a_ci95"]),
            _with_half_width(row["b"], row["b_ci95"]),
            _with_half_width(row["difference"], row["diff_ci95"], signed=True),
            "—" if math.isnan(row["relative_difference"]) else f"{row['relative_difference']:+.2%}",
            _p_text(row["p_value"]),
            row["note"] or ("yes" if row["significant"] else "no"),
        ]
        for metric, row in frame.iterrows()
    ]
    widths = [max(len(cells[i]) for cells in [header, *lines]) for i in range(len(header))]

    def aligned(cells: list[str]) -> str:
        # Metric names and the verdict read left to right; numbers align on the right.
        parts = [cells[0].ljust(widths[0])]
        parts += [c.rjust(w) for c, w in zip(cells[1:-1], widths[1:-1])]
        parts.append(cells[-1])
        return "  ".join(parts).rstrip()

    intro = [
        f"a: {_describe(a)}",
        f"b: {_describe(b)}",
        f"Differences are b - a; significant: {_test_description(a, b)}; "
        "± are 95% half-widths.",
        "",
    ]
    return "\n".join(intro + [aligned(header)] + [aligned(cells) for cells in lines]) + "\n"


def to_json(frame: pd.DataFrame) -> str:
    rows = []
    for metric, row in frame.iterrows():
        rows.append({"metric": metric, **{c: _json_value(row[c]) for c in COLUMNS}})
    return json.dumps(rows, indent=2)


def _json_value(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _test_description(a: ResultsFile, b: ResultsFile) -> str:
    replications_a, replications_b = len(a.replications), len(b.replications)
    if min(replications_a, replications_b) < 2:
        return "untestable (a run with fewer than 2 replications)"
    seed_a, seed_b = _seed(a), _seed(b)
    if is_paired(a, b):
        return (f"paired t-test on the per-replication differences (the same seed {seed_a} "
                f"and {replications_a} replications: common random numbers), p < 0.05")
    if seed_a is None or seed_b is None:
        why = "a run's seed is unknown"
    elif seed_a != seed_b:
        why = f"seeds {seed_a} and {seed_b}: independent runs"
    else:
        why = f"{replications_a} and {replications_b} replications cannot be paired one to one"
    return f"Welch's t-test on the per-replication values ({why}), p < 0.05"


def _describe(results: ResultsFile) -> str:
    s = results.summary
    n = len(results.replications) or s.get("replications", 1)
    parts = [str(results.path or "a run in memory"), f"scenario {s.get('scenario', '?')}",
             f"{n} replication{'s' if n != 1 else ''}"]
    if "seed" in s:
        parts.append(f"seed {s['seed']}")
    overrides = str(results.scenario_attributes.get("overrides") or "").strip()
    if overrides:
        parts.append("--set " + " ".join(overrides.splitlines()))
    return ", ".join(parts)


def _with_half_width(value: float, half_width: float, signed: bool = False) -> str:
    text = significant(value, 4, signed=True) if signed else significant(value, 5)
    if not math.isnan(value) and not math.isnan(half_width):
        text += " ± " + significant(half_width, 2)
    return text


def _p_text(p_value: float) -> str:
    if math.isnan(p_value):
        return "—"
    return "<0.001" if p_value < 0.001 else f"{p_value:.3f}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="surgesim compare",
        description="Headline numbers of two surgesim results files, their difference "
                    "and whether it is significant at 95%.")
    parser.add_argument("a", help="results file written by `surgesim run -o`")
    parser.add_argument("b", help="results file to compare with a")
    parser.add_argument("--format", choices=["text", "json"], default="text")
    args = parser.parse_args(argv)
    try:
        a, b = read(args.a), read(args.b)
    except NotAResultsFile as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    frame = compare_results(a, b)
    text = to_json(frame) + "\n" if args.format == "json" else to_text(frame, a, b)
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:  # `| head`: the reader has what it wanted
        sys.stdout = None  # no second failure when Python flushes stdout at exit
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
