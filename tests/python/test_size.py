"""surgesim.size against queueing theory, against a brute-force grid, and when nothing in
the ranges holds the SLOs (exit 3 on the command line)."""

import itertools
import json
import math
import os
import subprocess

import pytest

import surgesim
from surgesim._student_t import quantile

CLI = os.path.join(os.environ.get("SURGESIM_BUILD_DIR", "build"), "cli", "surgesim")

LAMBDA, MU = 45.0, 10.0  # 4.5 Erlang of exponential 100 ms work


def mmc(slo: str) -> surgesim.Scenario:
    return surgesim.loads(f"""
name: mmc
duration: 65m
warmup: 5m
bucket: 5m
seed: 7
traffic: {{rate: {LAMBDA}}}
journeys:
  shop:
    share: 1
    pages:
      home: {{call: web, next: {{exit: 1}}}}
services:
  web:
    type: server_pool
    instances: 1
    service: {{dist: exponential, mean: {1000 / MU}ms}}
    cost_per_instance_hour: 100
slo:
  - {slo}
""")


def erlang_c(servers: int, load: float) -> float:
    b = 1.0
    for k in range(1, servers + 1):
        b = load * b / (k + load * b)
    return servers * b / (servers - load * (1 - b))


def mean_response(c: int) -> float:
    return 1 / MU + erlang_c(c, LAMBDA / MU) / (c * MU - LAMBDA)


def p95_response(c: int) -> float:
    """The 95th percentile of M/M/c response time: P(T > t) = e^(-mu t) +
    C mu / (theta - mu) (e^(-mu t) - e^(-theta t)), theta = c mu - lambda."""
    wait_rate, p_wait = c * MU - LAMBDA, erlang_c(c, LAMBDA / MU)

    def survival(t):
        return math.exp(-MU * t) + p_wait * MU / (wait_rate - MU) * (
            math.exp(-MU * t) - math.exp(-wait_rate * t))

    low, high = 0.0, 10.0
    for _ in range(200):
        middle = (low + high) / 2
        low, high = (middle, high) if survival(middle) > 0.05 else (low, middle)
    return low


def smallest(meets) -> int:
    return next(c for c in itertools.count(5) if meets(c))


def test_a_mean_response_slo_gives_the_erlang_c_answer():
    limit = 0.115
    answer = smallest(lambda c: mean_response(c) <= limit)
    assert answer == 7 and mean_response(6) > 0.125 and mean_response(7) < 0.109  # margins
    best = surgesim.size(mmc(f"{{name: fast, metric: latency_mean, scope: service.web, max: {limit}}}"),
                         vary={"services.web.instances": (1, 40)}, progress=False)
    assert best.values == {"services.web.instances": answer}
    assert best.cost == pytest.approx(answer * 100 * 1.0, rel=1e-9)  # one hour of statistics
    assert best.slo[0]["confidence_bound"] <= limit
    assert len(best.evaluated) < 40  # never the whole grid
    assert set(best.evaluated["replications"]) == {3, 6}  # searched, then confirmed


def test_key_paths_that_share_a_value_are_one_dimension(tmp_path):
    # An autoscaled pool's minimum and its starting instances must agree (instances lie
    # within [min, max]); an autoscaler that never checks within the run leaves the
    # M/M/c answer.
    sc = mmc("{name: fast, metric: latency_mean, scope: service.web, max: 0.115}").set(
        "services.web.autoscale", {"target": 0.5, "min": 1, "max": 64, "interval": "2h"})
    both = ("services.web.autoscale.min", "services.web.instances")
    best = surgesim.size(sc, vary={both: (1, 40)}, progress=False)
    assert best.values == {both[0]: 7, both[1]: 7}
    assert list(best.evaluated.columns[:2]) == list(both)
    assert (best.evaluated[both[0]] == best.evaluated[both[1]]).all()
    path = tmp_path / "mmc.yaml"
    path.write_text(sc.to_yaml())
    done = subprocess.run([CLI, "size", str(path), "--vary", ",".join(both) + "=1..40",
                           "--format", "json"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["values"] == best.values


def test_a_p95_slo_driven_by_the_chance_to_wait_gives_the_erlang_c_answer():
    limit = 0.33
    answer = smallest(lambda c: p95_response(c) <= limit)
    assert answer == 7 and p95_response(6) > 0.35 and p95_response(7) < 0.315  # margins
    best = surgesim.size(mmc(f"{{name: p95, metric: latency_p95, scope: all, max: {limit}}}"),
                         vary={"services.web.instances": (1, 64)}, progress=False)
    assert best.values == {"services.web.instances": answer}


TWO_TIER = """
name: two-tier
duration: 12m
warmup: 2m
bucket: 10m
seed: 3
traffic: {rate: 30}
journeys:
  shop:
    share: 1
    pages:
      home: {call: web, next: {exit: 1}}
services:
  web:
    type: server_pool
    instances: 1
    service: {dist: exponential, mean: 50ms}
    calls: [{to: db}]
    cost_per_instance_hour: 100
  db:
    type: database
    connections: 1
    query: {dist: exponential, mean: 20ms}
slo:
  - {name: fast, metric: latency_mean, scope: all, max: 0.095}
"""


def feasible(results: surgesim.Results, confidence: float = 0.95) -> bool:
    """The rule of docs/scenario.md, written out again: the one-sided bound across the
    replications within the limit, no failing bucket, not saturated."""
    if results.saturated:
        return False
    for i, slo in enumerate(results.summary["slo"]):
        values = [tree["slo"][i]["value"] for tree in results.replications]
        n = len(values)
        mean = sum(values) / n
        sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
        if mean + quantile(confidence, n - 1) * sd / math.sqrt(n) > slo["limit"]:
            return False
        if slo["failed_buckets"]:
            return False
    return True


@pytest.mark.filterwarnings("ignore:the run is saturated")  # the grid's smallest points
def test_two_dimensions_against_a_brute_force_grid():
    sc = surgesim.loads(TWO_TIER)
    grid = {}
    for web, connections in itertools.product(range(1, 7), range(1, 5)):
        results = surgesim.run(sc.set({"services.web.instances": web,
                                       "services.db.connections": connections}),
                               replications=3)
        grid[(web, connections)] = (feasible(results), results.summary["services"]["web"]["cost"])
    cheapest = min((cost, point) for point, (ok, cost) in grid.items() if ok)[1]
    # The brute force is not trivial: the cheapest web tier needs more than one connection.
    assert not grid[(cheapest[0], 1)][0]
    best = surgesim.size(sc, vary={"services.web.instances": (1, 6),
                                   "services.db.connections": (1, 4)},
                         replications=3, confirm_replications=3, progress=False)
    assert tuple(best.values.values()) == cheapest
    assert len(best.evaluated) < len(grid)


def test_nothing_in_range_raises_and_exits_3(tmp_path):
    sc = mmc("{name: fast, metric: latency_mean, scope: service.web, max: 0.05}")  # < 1/mu
    with pytest.raises(surgesim.NoFeasiblePoint, match="even the top of every range") as caught:
        surgesim.size(sc, vary={"services.web.instances": (5, 30)}, progress=False)
    assert any("fast" in why for why in caught.value.why)
    assert len(caught.value.evaluated) <= 2  # the top tells it all (and the estimate's point)
    path = tmp_path / "mmc.yaml"
    path.write_text(sc._text)
    done = subprocess.run([CLI, "size", str(path), "--vary", "services.web.instances=5..30",
                           "--format", "json"], capture_output=True, text=True)
    assert done.returncode == 3, done.stderr
    assert "no point in the ranges meets the SLOs" in done.stderr
    assert json.loads(done.stdout)["values"] is None


def test_the_command_line_prints_the_json_of_the_contract(tmp_path):
    path = tmp_path / "mmc.yaml"
    path.write_text(mmc("{name: fast, metric: latency_mean, scope: service.web, max: 0.115}")._text)
    done = subprocess.run([CLI, "size", str(path), "--vary", "services.web.instances=1..40",
                           "--format", "json"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["values"] == {"services.web.instances": 7}
    assert {"cost", "lost_revenue", "slo", "evaluated"} <= out.keys()
    assert all({"values", "cost", "ok"} <= e.keys() for e in out["evaluated"])
    assert out["slo"][0]["name"] == "fast"


def test_bad_ranges_are_value_errors():
    sc = mmc("{name: fast, metric: latency_mean, scope: service.web, max: 0.115}")
    with pytest.raises(ValueError, match="whole number"):
        surgesim.size(sc, vary={"services.web.instances": (1, 2.5)})
    with pytest.raises(ValueError, match="lo <= hi"):
        surgesim.size(sc, vary={"services.web.instances": (9, 2)})
    with pytest.raises(ValueError, match="replications must be at least 2"):
        surgesim.size(sc, vary={"services.web.instances": (1, 9)}, replications=1)
