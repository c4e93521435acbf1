"""Clock times as Python reads scenarios: exactly as the command line does (YAML 1.2, so
an unquoted 23:50 is a clock time, never the sexagesimal 1430), and the errors of the
clock rules as ScenarioError with the key path and the row."""

from __future__ import annotations

import pytest
import yaml

import surgesim

# {top} goes before the traffic map, {traffic} is its body.
SHOP = """
name: clock
{top}
duration: 4h
traffic:
{traffic}
journeys:
  only:
    share: 1
    pages:
      view: {{call: web, next: {{exit: 1}}}}
services:
  web: {{type: server_pool, instances: 2, workers: 8, service: 10ms}}
"""


def shop(traffic: str, top: str = 'start: "22:00"') -> str:
    return SHOP.format(top=top, traffic=traffic)


def test_unquoted_clock_times_are_clock_times() -> None:
    # YAML 1.1 (PyYAML) reads these as base-60 numbers; the scenario must not.
    assert yaml.safe_load("at: 23:50") == {"at": 1430}
    text = shop("  profile:\n    - {at: 22:00, rate: 5}\n    - {at: 23:50, rate: 5}\n"
                "    - {at: 00:10, rate: 50}\n") + "window: {from: 23:50, to: 00:30}\n"
    info = surgesim.validate(surgesim.loads(text, name="night.yaml"))
    assert info["window"] == {"from_s": 6600.0, "to_s": 9000.0}
    res = surgesim.run(surgesim.loads(text, name="night.yaml"), set={"window.to": "23:52"})
    assert list(res.timeseries("traffic").index) == ["23:50", "23:51"]


def test_scenario_as_simulated_keeps_clock_times_as_text() -> None:
    sc = surgesim.loads(shop("  rate: 5"), name="night.yaml").set("window.from", "23:50")
    # Any YAML reader, 1.1 included, gets the texts back, never 1430 or 79200.
    again = yaml.safe_load(sc.to_yaml())
    assert again["start"] == "22:00"
    assert again["window"]["from"] == "23:50"


def test_set_strings_read_as_the_command_line_reads_them() -> None:
    sc = surgesim.loads(shop("  rate: 5"), name="night.yaml")
    as_dict = surgesim.validate(sc, set={"window.from": "23:50", "window.to": "00:30"})
    as_strings = surgesim.validate(sc, set=["window.from=23:50", "window.to=00:30"])
    assert as_dict["window"] == as_strings["window"] == {"from_s": 6600.0, "to_s": 9000.0}


def test_a_clock_time_without_start_says_to_add_start() -> None:
    with pytest.raises(surgesim.ScenarioError) as error:
        surgesim.loads(shop("  rate: 5", top=""), name="plain.yaml").set("window.from", "23:50")
    assert error.value.key_path == "window.from"
    assert "'23:50' is a clock time" in error.value.problem
    assert "start" in error.value.problem


def test_a_profile_point_out_of_order_is_named() -> None:
    text = shop("  profile:\n    - {at: 22:00, rate: 5}\n    - {at: 23:00, rate: 5}\n"
                "    - {at: 22:30, rate: 5}\n")
    with pytest.raises(surgesim.ScenarioError) as error:
        surgesim.loads(text, name="night.yaml")
    assert error.value.key_path == "traffic.profile[2].at"
    assert error.value.location.startswith("night.yaml:")
    assert "points out of order" in error.value.problem
    assert "more than 12 h" in error.value.problem


def test_a_csv_row_out_of_order_is_named(tmp_path) -> None:
    (tmp_path / "night.csv").write_text("t,rate\n22:00,5\n23:00,6\n22:30,7\n00:00,8\n")
    text = shop("  csv: night.csv")
    with pytest.raises(surgesim.ScenarioError) as error:
        surgesim.loads(text, name="night.yaml", base_dir=tmp_path)
    assert error.value.key_path == "traffic.csv"
    assert error.value.location == f"{tmp_path / 'night.csv'}:4:1"  # the row of 22:30
    assert "rows out of order" in error.value.problem
    assert "'22:30'" in error.value.problem
