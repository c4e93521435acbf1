"""How reports write money and times: short amounts in headlines and every digit in
tables, in the scenario's currency; time points for zooming, from seconds, durations and
clock times, and axis labels as offsets or as clock times."""

from __future__ import annotations

import math

import pytest

from surgesim._money import money_axis, money_compact, money_full, money_half_width_full
from surgesim._timeline import clock_of, time_point, timeline


def test_headlines_are_short_and_tables_have_every_digit() -> None:
    assert money_compact(7_704_786_781, "IDR") == "Rp 7.70 B"
    assert money_compact(45_109_558_434, "IDR", 620_000_000) == "Rp 45.1 B ± 0.62 B"
    assert money_compact(306_669_179, "IDR") == "Rp 307 M"
    assert money_compact(950, "IDR") == "Rp 950"
    assert money_compact(1_250_000, "USD") == "1.25 M USD"
    assert money_full(7_704_786_781, "IDR") == "Rp 7,704,786,781"
    assert money_full(1234.5, "USD") == "1,234.50 USD"
    assert money_half_width_full(52_345_678, "IDR") == "Rp 52,000,000"
    assert money_full(math.nan, "IDR") == "—"
    assert money_axis(7.5e9, "IDR") == "Rp 7.5 B" and money_axis(0, "IDR") == "Rp 0"


def test_time_points_as_offsets_without_start() -> None:
    t = timeline({"duration_s": 14400.0, "warmup_s": 300.0})
    assert time_point("1h50m", t) == 6600.0
    assert time_point("90", t) == 90.0 and time_point(90, t) == 90.0
    assert time_point("2:10", t) == 7800.0  # hours and minutes from the start
    assert t.label(7800.0) == "2:10" and t.axis_label == "time since start (h:mm)"
    with pytest.raises(ValueError, match="'soon' is not a time"):
        time_point("soon", t)


def test_clock_times_with_start_cross_midnight_in_order() -> None:
    t = timeline({"duration_s": 14400.0, "warmup_s": 300.0, "start": "22:00"})
    assert clock_of("2024-11-10 22:00") == clock_of("22:00") == 79200.0
    assert time_point("23:50", t) == 6600.0
    assert time_point("00:10", t) == 7800.0  # the first 00:10 after the run started
    assert time_point("00:30", t, after=time_point("23:50", t)) == 9000.0
    assert t.label(7800.0) == "00:10" and t.axis_label == "clock time"
    zoomed = timeline({"duration_s": 14400.0, "start": "22:00"}, zoom=("23:50", "00:30"))
    assert (zoomed.view_start_s, zoomed.view_end_s) == (6600.0, 9000.0)
    ticks, _ = zoomed.ticks()
    assert [zoomed.label(x) for x in ticks][:3] == ["23:50", "23:55", "00:00"]


def test_zoom_outside_the_run_is_an_error() -> None:
    with pytest.raises(ValueError, match="nothing to show from 5:00 to 4:00"):
        timeline({"duration_s": 14400.0}, zoom=("5h", None))


def test_the_statistics_window_fills_the_view_and_a_window_moves_it() -> None:
    t = timeline({"duration_s": 7200.0, "warmup_s": 600.0})
    assert (t.view_start_s, t.view_end_s) == (600.0 - 0.03 * 6600.0, 7200.0) and not t.zoomed
    windowed = timeline({"duration_s": 14400.0, "warmup_s": 300.0,
                         "window": {"from_s": 6600.0, "to_s": 9000.0}})
    assert (windowed.run_start_s, windowed.stats_start_s, windowed.end_s) == (6600.0, 6900.0, 9000.0)
    assert windowed.view_start_s == pytest.approx(6900.0 - 0.03 * 2100.0)
