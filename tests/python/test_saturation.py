"""An undersized shop never looks healthy from Python either: Results says it is
saturated, run() warns, and the result file's /summary keeps the verdict."""

import json

import h5py
import pytest

import surgesim
from surgesim._h5 import read


def write_shop(tmp_path, instances):
    """docs/scenario.md's example: 1 s of work, 50 sessions/s, nobody gives up."""
    path = tmp_path / f"shop-{instances}.yaml"
    path.write_text(
        f"""name: one-worker
duration: 10m
traffic: {{rate: 50}}
journeys:
  only:
    share: 1
    pages:
      view: {{call: web, next: {{exit: 1}}}}
services:
  web: {{type: server_pool, instances: {instances}, service: 1s}}
slo:
  - {{name: drops, metric: drop_rate, scope: all, max: 0.05}}
"""
    )
    return path


def test_a_saturated_run_says_so_and_the_result_file_keeps_it(tmp_path):
    output = tmp_path / "drowning.h5"
    with pytest.warns(UserWarning, match=r"the run is saturated: web could not keep up"):
        results = surgesim.run(write_shop(tmp_path, 1), replications=2, output=output)
    assert results.saturated
    assert results.saturated_services == ["web"]
    sessions = results.summary["sessions"]
    assert sessions["unfinished"] > 0.9 * sessions["started"]
    assert results.summary["slo"][0]["ok"]  # nobody dropped: only saturation tells
    assert "saturated" not in results.summary["ci95"]
    assert all(tree["saturated"] for tree in results.replications)
    assert results.services()["queue_at_end"]["web"] > 0
    assert results.report().startswith("SATURATED")

    with h5py.File(output, "r") as h5:
        stored = json.loads(h5["summary"][()])
        assert h5["summary"].attrs["saturated"] == 1
        assert h5["summary"].attrs["sessions_unfinished"] == sessions["unfinished"]
    assert stored == results.summary
    assert read(output).summary["saturated_services"] == ["web"]


def test_a_shop_with_headroom_is_not_saturated(tmp_path):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        results = surgesim.run(write_shop(tmp_path, 100))
    assert not results.saturated
    assert results.saturated_services == []
    assert results.summary["sessions"]["unfinished"] < 150
