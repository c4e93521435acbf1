"""Numbers as the reports print them: a fixed count of significant digits, thousands
separated (half-widths get two digits, as in the text report); and numbers as they are
read from a summary tree, where a figure may be missing, null or a boolean."""

from __future__ import annotations

import math
from typing import Any, Sequence


def lookup(tree: Any, keys: Sequence[str]) -> Any:
    """``tree[k0][k1]...``, or None where a key is missing or a level is not a dict."""
    for key in keys:
        if not isinstance(tree, dict) or key not in tree:
            return None
        tree = tree[key]
    return tree


def number(value: Any) -> float:
    """``value`` as a float when it is a number (booleans are not), else NaN."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return math.nan


def is_number(value: Any) -> bool:
    """Whether ``value`` is a finite number (booleans are not)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def significant(value: float, digits: int, *, signed: bool = False) -> str:
    """``value`` rounded to ``digits`` significant digits; "—" for NaN."""
    if math.isnan(value):
        return "—"
    if value == 0:
        return "0"
    exponent = math.floor(math.log10(abs(value)))
    decimals = max(0, digits - 1 - exponent)
    rounded = round(value, digits - 1 - exponent)
    return f"{rounded:{'+' if signed else ''},.{decimals}f}"
