"""Numbers as the reports print them: a fixed count of significant digits, thousands
separated (half-widths get two digits, as in the text report)."""

from __future__ import annotations

import math


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
