"""Results of a run: the summary tree as a dict, plus pandas views of it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from . import _core

CI_SUFFIX = "_ci95"


@dataclass(frozen=True)
class Results:
    """What ``surgesim.run`` returns.

    ``summary`` is exactly the summary of SCENARIO.md (what ``surgesim run --format
    json`` prints): with several replications every number is the mean over them and
    ``summary["ci95"]`` holds the 95% half-widths. ``replications`` holds one tree per
    replication, in replication order, for your own statistics.
    """

    summary: dict[str, Any]
    replications: list[dict[str, Any]] = field(default_factory=list, repr=False)

    def report(self) -> str:
        """The terminal report, as ``surgesim run`` prints it."""
        return _core.text_report(json.dumps(self.summary))

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

    def _table(self, section: str, index_name: str) -> pd.DataFrame:
        frame = _frame(self.summary.get(section, {}), index_name)
        ci95 = self.summary.get("ci95")
        if ci95 is not None:  # present only with two or more replications
            half_widths = _frame(ci95.get(section, {}), index_name).add_suffix(CI_SUFFIX)
            frame = frame.join(half_widths)
        return frame


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
