"""Money as planners read it, in the scenario's currency.

Headlines are short (``Rp 7.70 B``, ``1.25 M USD``); tables give every digit with
thousands separators (``Rp 7,704,786,781``, ``1,234,567.50 USD``), as the text report
does. Rupiah have no minor unit in practice, so IDR amounts are whole.
"""

from __future__ import annotations

import math

from ._numbers import significant

_SCALES = (("T", 1e12), ("B", 1e9), ("M", 1e6), ("k", 1e3))


def _affixes(currency: str) -> tuple[str, str]:
    if currency == "IDR":
        return "Rp ", ""
    return "", f" {currency}" if currency else ""


def _decimals(currency: str) -> int:
    return 0 if currency == "IDR" else 2


def money_full(value: float, currency: str) -> str:
    """Every digit: ``Rp 7,704,786,781``, ``1,234.50 USD``; "—" when not a number."""
    if not math.isfinite(value):
        return "—"
    prefix, suffix = _affixes(currency)
    return f"{prefix}{value:,.{_decimals(currency)}f}{suffix}"


def money_half_width_full(half: float, currency: str) -> str:
    """A 95% half-width beside a full amount: two significant digits, separated."""
    if not math.isfinite(half):
        return "—"
    prefix, suffix = _affixes(currency)
    return f"{prefix}{significant(half, 2)}{suffix}"


def money_compact(value: float, currency: str, half: float | None = None) -> str:
    """Three significant digits and a scale: ``Rp 7.70 B``; with ``half``,
    ``Rp 7.70 B ± 0.052 B`` (the half-width in the same scale, two digits)."""
    if not math.isfinite(value):
        return "—"
    prefix, suffix = _affixes(currency)
    size = max(abs(value), abs(half) if half is not None and math.isfinite(half) else 0.0)
    letter, scale = next(((s, f) for s, f in _SCALES if size >= f), ("", 1.0))
    unit = f" {letter}" if letter else ""
    text = f"{prefix}{significant(value / scale, 3)}{unit}{suffix}"
    if half is not None and math.isfinite(half):
        text += f" ± {significant(half / scale, 2)}{unit}"
    return text


def money_axis(value: float, currency: str) -> str:
    """Tick labels: as short as the axis allows (``Rp 7.5 B``, ``Rp 0``)."""
    prefix, suffix = _affixes(currency)
    letter, scale = next(((s, f) for s, f in _SCALES if abs(value) >= f), ("", 1.0))
    return f"{prefix}{value / scale:g}{' ' + letter if letter else ''}{suffix}"
