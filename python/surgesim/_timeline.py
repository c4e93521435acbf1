"""The time axis of report pictures: which span is shown and how times are written.

Times in results count seconds from time 0 of the scenario (``t_s``, ``failed_ranges``).
The statistics window fills the axes; the warm-up before it shows as a thin shaded strip
(all of it only when a zoom asks for it). With a ``start`` clock time in the summary,
times read as clock times (``00:10``); otherwise as hours and minutes from the start.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

DAY_S = 86400.0
WARMUP_STRIP = 0.03  # of the statistics window's width, when not zoomed
_NUMBER = r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_DURATION = re.compile(rf"^(?:{_NUMBER}(?:ms|s|m|h))+$")
_PART = re.compile(rf"({_NUMBER})(ms|s|m|h)")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_UNIT_S = {"ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_TICK_STEPS_S = [1, 2, 5, 10, 15, 30] + [60 * m for m in (1, 2, 5, 10, 15, 30)]
_TICK_STEPS_S += [3600 * h for h in (1, 2, 3, 6, 12, 24, 48)]


@dataclass(frozen=True)
class Timeline:
    run_start_s: float  # the first simulated instant (0, or a window's from)
    stats_start_s: float  # where the statistics window begins (after the warm-up)
    end_s: float  # the end of the run
    view_start_s: float  # the span the axes show
    view_end_s: float
    clock_s: float | None = None  # seconds after midnight at time 0, with `start`

    @property
    def zoomed(self) -> bool:
        return (self.view_start_s, self.view_end_s) != default_view(self)

    def label(self, t: float, *, with_seconds: bool = False) -> str:
        """``t`` (seconds from time 0) as the axis and the HTML write it."""
        seconds = int(round(t + (self.clock_s or 0.0)))
        if self.clock_s is not None:
            seconds %= int(DAY_S)
        hours, rest = divmod(seconds, 3600)
        minutes, secs = divmod(rest, 60)
        text = f"{hours:02d}:{minutes:02d}" if self.clock_s is not None else f"{hours}:{minutes:02d}"
        return f"{text}:{secs:02d}" if with_seconds else text

    @property
    def axis_label(self) -> str:
        return "clock time" if self.clock_s is not None else "time since start (h:mm)"

    def ticks(self) -> tuple[list[float], bool]:
        """Tick positions on round (clock) times, and whether labels need seconds."""
        width = self.view_end_s - self.view_start_s
        step = next((s for s in _TICK_STEPS_S if width / s <= 10), _TICK_STEPS_S[-1])
        offset = self.clock_s or 0.0
        first = math.ceil((self.view_start_s + offset) / step) * step - offset
        count = int((self.view_end_s - first) // step) + 1
        return [first + k * step for k in range(max(count, 0))], step < 60

    def range_text(self, start: float, end: float) -> str:
        seconds = any(abs(v - round(v / 60) * 60) > 1e-6 for v in (start, end))
        return f"{self.label(start, with_seconds=seconds)}–{self.label(end, with_seconds=seconds)}"

    def contains(self, starts: Sequence[float], bucket_s: float) -> list[bool]:
        """Which buckets starting at ``starts`` overlap the view."""
        return [s + bucket_s > self.view_start_s and s < self.view_end_s for s in starts]


def timeline(summary: dict, zoom: tuple[object, object] | None = None) -> Timeline:
    """The timeline of a run, from its summary; ``zoom`` = (from, to) as time points."""
    window = summary.get("window") if isinstance(summary.get("window"), dict) else {}
    run_start = _number(window.get("from_s"), 0.0)
    end = _number(window.get("to_s"), _number(summary.get("duration_s"), math.nan))
    stats_start = run_start + _number(summary.get("warmup_s"), 0.0)
    base = Timeline(run_start, stats_start, end, run_start, end, clock_of(summary.get("start")))
    view = default_view(base) if zoom is None else zoom_view(base, *zoom)
    return Timeline(run_start, stats_start, end, *view, base.clock_s)


def default_view(t: Timeline) -> tuple[float, float]:
    if not math.isfinite(t.end_s):
        return t.run_start_s, t.end_s
    strip = WARMUP_STRIP * (t.end_s - t.stats_start_s) if t.stats_start_s > t.run_start_s else 0.0
    return max(t.run_start_s, t.stats_start_s - strip), t.end_s


def zoom_view(t: Timeline, start: object, end: object) -> tuple[float, float]:
    """The span [start, end) of the run to show; ValueError says what is wrong."""
    lo = t.run_start_s if start is None else time_point(start, t)
    hi = t.end_s if end is None else time_point(end, t, after=lo)
    lo, hi = max(lo, t.run_start_s), min(hi, t.end_s)
    if not hi > lo:
        raise ValueError(
            f"nothing to show from {t.label(lo)} to {t.label(hi)}: the run spans "
            f"{t.label(t.run_start_s)} to {t.label(t.end_s)}")
    return lo, hi


def time_point(value: object, t: Timeline, *, after: float | None = None) -> float:
    """Seconds from time 0 for a time point: seconds, a duration (``1h50m``), or
    ``HH:MM[:SS]`` — a clock time when the run has a ``start`` (the first moment at or
    after the run's start, or after ``after``, that shows it), else hours and minutes
    from the start."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    text = str(value).strip()
    try:
        return float(text)
    except ValueError:
        pass
    if _DURATION.match(text):
        return sum(float(n) * _UNIT_S[u] for n, u in _PART.findall(text))
    clock = _CLOCK.match(text)
    if clock and int(clock.group(2)) < 60 and int(clock.group(3) or 0) < 60:
        seconds = int(clock.group(1)) * 3600 + int(clock.group(2)) * 60 + int(clock.group(3) or 0)
        if t.clock_s is None:
            return float(seconds)
        if seconds >= DAY_S:
            raise ValueError(f"'{text}': a clock time has hours 00-23")
        origin = t.run_start_s if after is None else after
        ahead = (seconds - (t.clock_s + origin)) % DAY_S
        if after is not None and ahead == 0:
            ahead = DAY_S
        return origin + ahead
    raise ValueError(
        f"'{text}' is not a time: write seconds, a duration such as 1h50m, or HH:MM")


def clock_of(start: object) -> float | None:
    """Seconds after midnight of a summary's ``start`` ("22:00", "2024-11-10 22:00")."""
    if not isinstance(start, str):
        return None
    match = _CLOCK.match(start.split()[-1]) if start.split() else None
    if not match:
        return None
    return int(match.group(1)) * 3600.0 + int(match.group(2)) * 60.0 + int(match.group(3) or 0)


def _number(value: object, default: float) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return default
