"""Clock times in every output of a run with a `start`: the summary's `start` and
`failed_clock`, the result file's `start` attributes, the index of Results.timeseries
(a DatetimeIndex with a date, ordered clock labels without), the text report, and a
`window` set from Python as the command line's --set does."""

from __future__ import annotations

import h5py
import pandas as pd
import pytest

import surgesim

# A shop that answers nothing from 00:10 to 00:12: the drops SLO fails exactly then.
SHOP = """
name: clock
{start}
duration: 4h
bucket: 1m
seed: 3
traffic: {{rate: 2}}
journeys:
  only:
    share: 1
    pages:
      view: {{call: web, next: {{exit: 1}}}}
services:
  web: {{type: server_pool, instances: 2, workers: 8, service: 10ms,
         outages: [{{at: "00:10", for: 2m}}]}}
slo:
  - {{name: drops, metric: drop_rate, scope: all, max: 0.5}}
"""


def shop(start: str) -> surgesim.Scenario:
    return surgesim.loads(SHOP.format(start=f'start: "{start}"'), name="clock.yaml")


def test_summary_and_text_report_read_on_the_clock() -> None:
    res = surgesim.run(shop("22:00"), set={"window.from": "23:50", "window.to": "00:30"})
    s = res.summary
    assert s["start"] == "22:00"
    assert s["window"] == {"from_s": 6600.0, "to_s": 9000.0}
    assert s["duration_s"] == 14400.0
    [drops] = s["slo"]
    assert drops["failed_ranges"] == [[7800.0, 7920.0]]
    assert drops["failed_clock"] == [["00:10", "00:12"]]
    report = res.report()
    assert "drops: drop rate > 50% from 00:10 to 00:12" in report
    assert "23:50 to 00:30 (a window of the" in report.splitlines()[0]


def test_timeseries_without_a_date_has_ordered_clock_labels() -> None:
    res = surgesim.run(shop("22:00"), set=["window.from=23:58", "window.to=00:03"])
    frame = res.timeseries("traffic")
    assert isinstance(frame.index, pd.CategoricalIndex)
    assert frame.index.name == "clock"
    assert list(frame.index) == ["23:58", "23:59", "00:00", "00:01", "00:02"]
    assert frame.index.ordered
    # Sorting keeps the night in order: 22:00 before 00:00.
    assert list(frame.sort_index().index) == list(frame.index)
    assert list(frame["t_s"]) == [7080.0, 7140.0, 7200.0, 7260.0, 7320.0]


def test_timeseries_with_a_date_has_a_datetime_index() -> None:
    res = surgesim.run(shop("2024-11-10 22:00"), set={"window.from": "23:59", "window.to": "00:01"})
    frame = res.timeseries("services/web")
    assert isinstance(frame.index, pd.DatetimeIndex)
    assert frame.index.name == "time"
    assert list(frame.index) == [pd.Timestamp("2024-11-10 23:59"), pd.Timestamp("2024-11-11 00:00")]
    assert list(frame["t_s"]) == [7140.0, 7200.0]


def test_timeseries_without_start_stays_indexed_by_seconds() -> None:
    text = SHOP.format(start="").replace('"00:10"', "2h10m")
    res = surgesim.run(surgesim.loads(text, name="plain.yaml"), set={"window.from": "1h59m",
                                                                      "window.to": "2h01m"})
    frame = res.timeseries("traffic")
    assert frame.index.name == "t_s"
    assert list(frame.index) == [7140.0, 7200.0]
    assert "start" not in res.summary
    assert "failed_clock" not in res.summary["slo"][0]


def test_a_run_longer_than_a_day_labels_the_later_day() -> None:
    text = SHOP.format(start='start: "22:00"').replace("duration: 4h", "duration: 26h")
    res = surgesim.run(surgesim.loads(text, name="long.yaml"), set={"bucket": "2h"})
    labels = list(res.timeseries("traffic").index)
    assert labels[:2] == ["22:00", "00:00"]
    assert labels[-2:] == ["20:00", "22:00 +1d"]
    assert len(set(labels)) == len(labels) == 13


def test_result_file_has_start_attributes(tmp_path) -> None:
    path = tmp_path / "clock.h5"
    surgesim.run(shop("2024-11-10 22:00"), set={"window.to": "22:05"}, output=path)
    with h5py.File(path, "r") as f:
        assert f["summary"].attrs["start"] == "2024-11-10 22:00"
        assert f["timeseries/traffic"].attrs["start"] == "2024-11-10 22:00"
        assert f["sessions/drops"].attrs["start"] == "2024-11-10 22:00"
    again = surgesim.read(path)
    assert isinstance(again.timeseries("traffic").index, pd.DatetimeIndex)


def test_validate_names_start_and_window() -> None:
    info = surgesim.validate(shop("22:00"), set={"window.from": "23:50"})
    assert info["start"] == "22:00"
    assert info["window"] == {"from_s": 6600.0, "to_s": 14400.0}


def test_a_clock_time_without_start_says_to_add_it() -> None:
    with pytest.raises(surgesim.ScenarioError) as error:
        surgesim.validate(surgesim.loads(SHOP.format(start=""), name="plain.yaml"))
    assert error.value.key_path == "services.web.outages[0].at"
    assert "needs the scenario's start" in error.value.problem
