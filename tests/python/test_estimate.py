"""surgesim.estimate: the analytic estimate per time bucket x service, against Erlang C,
against the simulation of a Jackson network, and as `surgesim check --format json`."""

import json
import math
import os
import subprocess

import numpy as np
import pytest

import surgesim

CLI = os.path.join(os.environ.get("SURGESIM_BUILD_DIR", "build"), "cli", "surgesim")
COLUMNS = ["t_s", "service", "lambda", "rho", "p_wait", "mean_wait_s", "mean_response_s",
           "instances_needed", "unstable"]

# Student t quantiles, 9 degrees of freedom (10 replications).
T_975_9 = 2.262157
T_9995_9 = 4.780913


def erlang_c(servers: int, load: float) -> float:
    """P(wait) of M/M/c by the Erlang B recursion (independent of the library's code)."""
    b = 1.0
    for k in range(1, servers + 1):
        b = load * b / (k + load * b)
    return servers * b / (servers - load * (1 - b))


def mmc_pool(rate_text: str, instances: int, workers: int = 1, mean_ms: float = 100.0) -> surgesim.Scenario:
    return surgesim.loads(f"""
name: mmc
duration: 1h
bucket: 10m
traffic:
  {rate_text}
journeys:
  shop:
    share: 1
    pages:
      home: {{call: web, next: {{exit: 1}}}}
services:
  web:
    type: server_pool
    instances: {instances}
    workers: {workers}
    service: {{dist: exponential, mean: {mean_ms}ms}}
""")


def test_mmc_equals_erlang_c():
    est = surgesim.estimate(mmc_pool("rate: 45", instances=3, workers=2))
    assert list(est.columns[:len(COLUMNS)]) == COLUMNS
    assert len(est) == 6 and (est["service"] == "web").all()
    assert est["t_s"].tolist() == [0, 600, 1200, 1800, 2400, 3000]
    row = est.iloc[0]
    lam, mu, c = 45.0, 10.0, 6
    p_wait = erlang_c(c, lam / mu)
    assert row["lambda"] == pytest.approx(lam, abs=1e-9)
    assert row["rho"] == pytest.approx(lam / (c * mu), abs=1e-9)
    assert row["p_wait"] == pytest.approx(p_wait, abs=1e-9)
    assert row["mean_wait_s"] == pytest.approx(p_wait / (c * mu - lam), abs=1e-9)
    assert row["mean_response_s"] == pytest.approx(p_wait / (c * mu - lam) + 1 / mu, abs=1e-9)
    # Three instances of two workers at most 80% busy: 4.5 Erlang needs ceil(4.5 / 1.6).
    assert row["instances_needed"] == 3
    assert not row["unstable"]


def test_each_bucket_at_its_average_rate_and_unstable_buckets_have_no_invented_numbers():
    # lambda climbs linearly from 0 to 120/s over the hour: a 10-minute bucket's average is
    # its midpoint's rate; past 60/s one worker of 100 ms cannot keep up.
    est = surgesim.estimate(mmc_pool("profile: [{at: 0, rate: 0}, {at: 1h, rate: 120}]",
                                     instances=6))
    midpoints = np.array([300, 900, 1500, 2100, 2700, 3300]) * 120 / 3600
    np.testing.assert_allclose(est["lambda"], midpoints, rtol=1e-12)
    np.testing.assert_allclose(est["rho"], midpoints / 60, rtol=1e-12)
    stable = est[~est["unstable"]]
    unstable = est[est["unstable"]]
    assert (stable["rho"] < 1).all() and (unstable["rho"] >= 1).all() and len(unstable) == 3
    assert unstable[["p_wait", "mean_wait_s", "mean_response_s"]].isna().all().all()
    for _, row in stable.iterrows():
        assert row["p_wait"] == pytest.approx(erlang_c(6, row["lambda"] / 10), abs=1e-9)
    np.testing.assert_array_equal(est["instances_needed"], np.ceil(midpoints / 10 / 0.8))


def test_check_json_prints_the_same_data(tmp_path):
    path = tmp_path / "shop.yaml"
    from test_scenario import SHOP

    (tmp_path / "traffic.csv").write_text("t,rate\n0,20\n300,60\n600,30\n")
    path.write_text(SHOP)
    est = surgesim.estimate(path)
    done = subprocess.run([CLI, "check", str(path), "--format", "json"],
                          capture_output=True, text=True, check=True)
    printed = json.loads(done.stdout)
    assert printed["scenario"] == "two-tier" and printed["bucket_s"] == 60
    rows = printed["estimate"]
    assert len(rows) == len(est) == 20 * 3
    for row, (_, frame_row) in zip(rows, est.iterrows()):
        for column, value in row.items():
            if value is None:
                assert math.isnan(frame_row[column]), column
            else:
                assert frame_row[column] == value, column
    assert est[est["service"] == "gateway"]["instances_needed"].isna().all()


def test_jackson_network_agrees_with_the_simulation():
    # Two M/M/c tiers visited in a Markov chain without think time: a Jackson network,
    # where each tier is exactly the M/M/c queue the estimate solves.
    sc = surgesim.loads("""
name: jackson
duration: 40m
warmup: 5m
bucket: 35m
traffic: {rate: 30}
journeys:
  shop:
    share: 1
    pages:
      home: {call: web, next: {search: 0.6, exit: 0.4}}
      search: {call: search, next: {home: 0.3, exit: 0.7}}
services:
  web: {type: server_pool, instances: 3, service: {dist: exponential, mean: 70ms}}
  search: {type: server_pool, instances: 2, service: {dist: exponential, mean: 80ms}}
""")
    est = surgesim.estimate(sc).set_index("service")
    visits_home = 1 / (1 - 0.6 * 0.3)
    assert est.loc["web", "lambda"].iloc[0] == pytest.approx(30 * visits_home, rel=1e-12)
    summary = surgesim.run(sc, replications=10, seed=3).summary
    for service in ("web", "search"):
        row = est.loc[service].iloc[0]
        sim, half = summary["services"][service], summary["ci95"]["services"][service]
        for exact, figure in ((row["mean_response_s"], "mean_response_s"),
                              (row["mean_wait_s"], "mean_wait_s"), (row["rho"], "utilization")):
            tolerance = T_9995_9 * half[figure] / T_975_9  # two-sided 99.9%
            assert abs(sim[figure] - exact) <= tolerance, (service, figure, sim[figure], exact)


def test_a_waiting_room_has_its_row_per_bucket(tmp_path):
    from test_scenario import SHOP

    (tmp_path / "traffic.csv").write_text("t,rate\n0,20\n300,60\n600,30\n")
    path = tmp_path / "shop.yaml"
    path.write_text(SHOP)
    sc = surgesim.load(path).set({"waiting_room.max_active": 5,
                                  "waiting_room.patience": "30s"})
    est = surgesim.estimate(sc)
    room = est[est["service"] == "waiting_room"]
    assert len(room) == 20 and (room["type"] == "waiting_room").all()
    assert (room["servers"] == 5).all()
    stable = room[~room["unstable"]]
    assert len(stable) >= 5 and stable["p_leave"].between(0, 1).all()
    # Where the shop behind it cannot keep up, no number is invented for the room either.
    assert room[room["unstable"]]["p_leave"].isna().all()
    # Services have no leaving share; the room no response time or sizing.
    assert est[est["service"] != "waiting_room"]["p_leave"].isna().all()
    assert room["mean_response_s"].isna().all() and room["instances_needed"].isna().all()
