"""surgesim.sweep and `surgesim sweep`: a grid of points, each run with the same seed,
tabulated the same whatever runs them (local threads, processes, a Dask cluster)."""

import os
import subprocess
from concurrent.futures import ProcessPoolExecutor

import h5py
import numpy as np
import pandas as pd
import pytest

import surgesim
from surgesim import _core
from test_scenario import SHOP

CLI = os.path.join(os.environ.get("SURGESIM_BUILD_DIR", "build"), "cli", "surgesim")
GRID = {"services.web.instances": [2, 3], "services.db.connections": [6, 8]}


@pytest.fixture
def shop(tmp_path):
    (tmp_path / "traffic.csv").write_text("t,rate\n0,20\n120,40\n")
    path = tmp_path / "shop.yaml"
    path.write_text(SHOP.replace("duration: 20m", "duration: 4m").replace("warmup: 2m", "warmup: 1m"))
    return path


def test_a_dict_of_lists_is_the_cross_product(shop):
    df = surgesim.sweep(surgesim.load(shop), GRID, replications=2, progress=False)
    assert df[list(GRID)].values.tolist() == [[2, 6], [2, 8], [3, 6], [3, 8]]
    assert list(df.columns[:4]) == [*GRID, "drop_rate", "drop_rate_ci95"]
    for column in ["orders", "revenue", "lost_revenue", "latency.p99_s", "cost",
                   "services.web.utilization", "services.web.p99_s", "services.web.cost"]:
        assert column in df and column + "_ci95" in df
    for slo in ["fast", "drops"]:
        assert {f"slo.{slo}.ok", f"slo.{slo}.value", f"slo.{slo}.failed_buckets"} <= set(df.columns)
    assert df.attrs == {"scenario": "two-tier", "seed": 1, "replications": 2}
    # Each row is the run of that point.
    run = surgesim.run(surgesim.load(shop).set({"services.web.instances": 3,
                                                "services.db.connections": 8}), replications=2)
    row = df.iloc[3]
    assert row["drop_rate"] == run.summary["drop_rate"]
    assert row["services.web.utilization_ci95"] == run.summary["ci95"]["services"]["web"]["utilization"]
    assert row["cost"] == pytest.approx(run.summary["services"]["web"]["cost"], rel=1e-12)
    assert row["slo.fast.ok"] == run.summary["slo"][0]["ok"]


def test_a_list_of_dicts_gives_coupled_points(shop):
    points = [{"services.db.connections": 4, "services.db.contention.above": 2},
              {"services.db.connections": 8, "services.db.contention.above": 6}]
    df = surgesim.sweep(shop, points, replications=1, progress=False)
    assert df[["services.db.connections", "services.db.contention.above"]].values.tolist() == \
        [[4, 2], [8, 6]]
    assert df["drop_rate_ci95"].isna().all()  # one replication: no interval


def test_points_share_common_random_numbers(shop):
    df = surgesim.sweep(shop, {"services.web.cost_per_instance_hour": [1000, 2000]},
                        replications=2, progress=False)
    # Only the price changed: the same shoppers, the same runs, twice the cost.
    assert df["orders"].iloc[0] == df["orders"].iloc[1]
    assert df["cost"].iloc[1] == pytest.approx(2 * df["cost"].iloc[0], rel=1e-12)


def test_an_invalid_point_fails_before_anything_runs(shop):
    with pytest.raises(surgesim.ScenarioError) as caught:
        surgesim.sweep(shop, {"services.web.instances": [2, 0]}, progress=False)
    assert caught.value.location == "set({'services.web.instances': 0})"


def test_the_same_dataframe_whatever_runs_it(shop, monkeypatch, build_python_dir):
    sc = surgesim.load(shop)
    local = surgesim.sweep(sc, GRID, replications=2, progress=False)
    with ProcessPoolExecutor(2) as processes:
        pd.testing.assert_frame_equal(
            surgesim.sweep(sc, GRID, replications=2, executor=processes, progress=False), local)
    distributed = pytest.importorskip("distributed")
    # Workers are other processes: they find the package through PYTHONPATH.
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        filter(None, [str(build_python_dir), os.environ.get("PYTHONPATH")])))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        on_dask = surgesim.sweep(sc, GRID, replications=2, executor=client, progress=False)
    pd.testing.assert_frame_equal(on_dask, local)


def test_the_command_line_writes_csv_and_hdf5(shop, tmp_path):
    expected = surgesim.sweep(shop, GRID, replications=2, progress=False)
    vary = ["--vary", "services.web.instances=2..3", "--vary", "services.db.connections=6,8"]
    csv = tmp_path / "sweep.csv"
    h5 = tmp_path / "sweep.h5"
    for out in (csv, h5):
        done = subprocess.run([CLI, "sweep", str(shop), *vary, "-r", "2", "-o", str(out), "-q"],
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    from_csv = pd.read_csv(csv, float_precision="round_trip")  # every digit back
    assert list(from_csv.columns) == list(expected.columns)
    numbers = [c for c in expected.columns if expected[c].dtype == float]
    np.testing.assert_array_equal(from_csv[numbers].to_numpy(), expected[numbers].to_numpy())
    with h5py.File(h5) as f:
        group = f["sweep"]
        assert [c.decode() if isinstance(c, bytes) else c for c in group.attrs["columns"]] == \
            list(expected.columns)
        np.testing.assert_array_equal(group["services.web.utilization"][()],
                                      expected["services.web.utilization"].to_numpy())
        assert group.attrs["seed"] == 1 and group.attrs["replications"] == 2


def test_command_line_errors_use_its_words(shop):
    done = subprocess.run([CLI, "sweep", str(shop), "--vary", "services.web.instances=0,2", "-q"],
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert "--vary services.web.instances=0" in done.stderr
    done = subprocess.run([CLI, "sweep", str(shop), "--vary", "seed=1,2", "-r", "0", "-q"],
                          capture_output=True, text=True)
    assert done.returncode == 2 and "--replications must be" in done.stderr


def test_points_build_no_time_series_and_report_the_same(shop):
    """A sweep's points read only summaries, so they build no time series; the summary is
    the same bit for bit as a run that builds them (the quantile sketches reach the totals
    once, at the end, instead of at every bucket's end)."""
    source = surgesim.load(shop).set("services.web.instances", 3)._source()
    lean = _core.run(source, replications=2, series=False)
    full = _core.run(source, replications=2)
    assert lean["series"] == []
    assert len(full["series"]) > 3
    assert lean["summary"] == full["summary"]
    assert lean["replications"] == full["replications"]
