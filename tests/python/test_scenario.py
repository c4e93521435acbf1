"""surgesim.Scenario: scenarios as data, changed by key path, run the way the command
line runs them."""

import datetime
import json
import os
import pickle
import subprocess
import warnings

import h5py
import numpy as np
import pytest

import surgesim

CLI = os.path.join(os.environ.get("SURGESIM_BUILD_DIR", "build"), "cli", "surgesim")

SHOP = """\
name: two-tier
duration: 20m
warmup: 2m
traffic:
  csv: traffic.csv
journeys:
  buy:
    share: 1
    patience: 2s
    pages:
      home:
        call: web
        next: {pay: 0.2, exit: 0.8}
      pay:
        call: gateway
        next: {exit: 1}
        order: {value: 100}
services:
  web:
    type: server_pool
    instances: 3
    service: {dist: exponential, mean: 40ms}
    calls: [{to: db}]
    cost_per_instance_hour: 1000
  db:
    type: database
    connections: 8
    query: {dist: exponential, mean: 10ms}
    contention: {above: 6, slowdown: 0.05}
  gateway:
    type: payment_gateway
    failover: true
    providers:
      - {name: wallet, share: 0.6, latency: 200ms, error: 0.02}
      - {name: bank, share: 0.4, latency: 300ms}
slo:
  - {name: fast, metric: latency_p99, scope: all, max: 1s}
  - {name: drops, metric: drop_rate, scope: all, max: 0.05}
"""


@pytest.fixture
def shop(tmp_path):
    (tmp_path / "traffic.csv").write_text("t,rate\n0,20\n300,60\n600,30\n")
    path = tmp_path / "shop.yaml"
    path.write_text(SHOP)
    return path


def cli_json(*args):
    done = subprocess.run([CLI, *map(str, args), "--format", "json", "--quiet"],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


# --- the same study as the command line ---------------------------------------------------


def test_load_set_run_equals_the_command_line_to_the_bit(shop, tmp_path):
    sc = surgesim.load(shop).set({
        "services.web.instances": 4,
        "slo.0.max": 0.8,
        "services.db.outages": [{"at": "10m", "for": "1m"}],
        "services.gateway.providers.0.share": 0.5,
        "services.gateway.providers.1.share": 0.5,
    })
    options = ["--set", "services.web.instances=4", "--set", "slo.0.max=0.8",
               "--set", "services.db.outages=[{at: 10m, for: 1m}]",
               "--set", "services.gateway.providers.0.share=0.5",
               "--set", "services.gateway.providers.1.share=0.5"]
    ours = surgesim.run(sc, replications=3, seed=11, output=tmp_path / "py.h5")
    theirs = cli_json("run", shop, *options, "-r", 3, "--seed", 11, "-o", tmp_path / "cli.h5")
    assert ours.summary == theirs  # every double equal: JSON carries them exactly
    assert ours.summary["services"]["db"]["errors"] > 0  # the outage happened
    with h5py.File(tmp_path / "py.h5") as a, h5py.File(tmp_path / "cli.h5") as b:
        for column in a["timeseries/services/web/mean"]:
            np.testing.assert_array_equal(a["timeseries/services/web/mean"][column][()],
                                          b["timeseries/services/web/mean"][column][()])


def test_the_path_and_a_loaded_scenario_run_the_same(shop):
    by_path = surgesim.run(shop, set={"services.web.instances": 4}, replications=2)
    by_scenario = surgesim.run(surgesim.load(shop).set("services.web.instances", 4), replications=2)
    assert by_path.summary == by_scenario.summary


# --- a Scenario is data ---------------------------------------------------------------------


def test_set_returns_a_copy_and_never_changes_the_scenario(shop):
    sc = surgesim.load(shop)
    before = sc.to_yaml()
    changed = sc.set("services.web.instances", 7)
    assert sc.overrides == [] and sc.to_yaml() == before
    assert changed.overrides == [("services.web.instances", "7")]
    assert "instances: 7" in changed.to_yaml() and "instances: 7" not in before
    again = changed.set({"services.db.connections": 10})
    assert changed.overrides == [("services.web.instances", "7")]
    assert len(again.overrides) == 2
    assert changed == sc.set("services.web.instances", 7) and changed != sc


def test_python_values_of_every_shape(shop):
    sc = surgesim.load(shop).set({
        "services.web.autoscale": {"target": 0.6, "min": 3, "max": 9, "interval": "1m"},
        "services.web.outages": [{"at": datetime.timedelta(minutes=5), "for": 30.0}],
        "services.gateway.failover": False,
        "services.db.pool_timeout": "500ms",
        "description": "23:50",  # a string stays a string
        "traffic.spikes": [],
        "slo.2": {"name": "errors", "metric": "error_rate", "scope": "all", "max": np.float64(0.01)},
    })
    text = sc.to_yaml()
    assert "failover: false" in text and "23:50" in text
    assert sc.info()["description"] == "23:50"
    assert [p for p, _ in sc.overrides][-1] == "slo.2"
    results = surgesim.run(sc, replications=1)
    assert [slo["name"] for slo in results.summary["slo"]] == ["fast", "drops", "errors"]
    with pytest.raises(TypeError, match="found object"):
        sc.set("description", object())


def test_repr_is_short(shop):
    sc = surgesim.load(shop)
    assert repr(sc) == f"<Scenario 'two-tier' from {shop}>"
    many = sc.set({"seed": 2, "services.web.instances": 4, "slo.0.max": 2, "replications": 3})
    assert repr(many).endswith("seed=2, services.web.instances=4, slo.0.max=2, ... (4 changes)>")


def test_validate_returns_and_issues_the_warnings(shop):
    with pytest.warns(UserWarning, match="no page calls this service"):
        sc = surgesim.load(shop).set("services.spare", {"type": "server_pool", "instances": 1,
                                                          "service": "1ms"})
    with pytest.warns(UserWarning, match="spare"):
        assert len(sc.validate()) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a set() that adds no warning issues none
        sc.set("services.web.instances", 5)
        assert surgesim.load(shop).validate() == []


# --- errors say where, in Python's words --------------------------------------------------------


def test_an_error_in_a_set_value_names_the_set_call(shop):
    sc = surgesim.load(shop)
    with pytest.raises(surgesim.ScenarioError) as caught:
        sc.set("services.web.instances", 0)
    error = caught.value
    assert error.location == "set('services.web.instances', 0)"
    assert error.key_path == "services.web.instances"
    assert "expected a whole number from 1" in error.problem and "found \"0\"" in error.problem
    assert str(error) == f"{error.location}: {error.key_path}: {error.problem}"


def test_a_file_value_made_invalid_by_set_names_the_set_call(shop):
    with pytest.raises(surgesim.ScenarioError) as caught:
        surgesim.load(shop).set("services.db.connections", 4)
    error = caught.value
    assert error.location == "set('services.db.connections', 4)"
    assert error.key_path == "services.db.contention.above"
    assert f"(the value at {shop}:" in error.problem
    # Changed together, the two are consistent.
    surgesim.load(shop).set({"services.db.connections": 4, "services.db.contention.above": 2})


def test_list_errors(shop):
    sc = surgesim.load(shop)
    with pytest.raises(surgesim.ScenarioError, match=r"from 0 to 1 \(or 2 to add an item\)") as caught:
        sc.set("slo.5.max", 1)
    assert caught.value.key_path == "slo"
    with pytest.raises(surgesim.ScenarioError) as caught:
        sc.set("services.web.outages.0.at", "5m")
    assert caught.value.key_path == "services.web.outages[0].for"
    assert caught.value.location == "set('services.web.outages.0.at', '5m')"
    with pytest.raises(surgesim.ScenarioError, match="unknown key 'mx'") as caught:
        sc.set("slo", [{"name": "x", "metric": "latency_p99", "scope": "all", "mx": 1}])
    assert caught.value.key_path == "slo[0].mx"


@pytest.mark.parametrize("arguments, words", [
    ({"threads": -1}, "threads must be 0 (every core) or a thread count up to 4096, found -1"),
    ({"replications": 0}, "replications must be a whole number from 1 to 10000, found 0"),
    ({"seed": -1}, "seed must be a whole number from 0 to 2^63-1, found -1"),
    ({"precision": 0.0}, "precision must be a relative half-width > 0"),
    ({"precision": 0.1, "max_replications": 2}, "max_replications must be at least the first batch"),
    ({"warmup": "1h"}, "warmup='1h'"),
])
def test_bad_arguments_raise_value_error_in_python_words(shop, arguments, words):
    with pytest.raises(ValueError) as caught:
        surgesim.run(shop, **arguments)
    assert words in str(caught.value)
    assert "--" not in str(caught.value)


# --- files: read once, shipped with the scenario ---------------------------------------------------


def test_loads_reads_no_file_without_base_dir(shop, tmp_path):
    with pytest.raises(surgesim.ScenarioError, match="reads no file unless base_dir=") as caught:
        surgesim.loads(SHOP)
    assert caught.value.key_path == "traffic.csv"
    assert caught.value.location.startswith("<string>:5:")
    sc = surgesim.loads(SHOP, base_dir=tmp_path)
    assert sc.name == "two-tier"
    assert surgesim.run(sc, seed=3).summary == surgesim.run(shop, seed=3).summary
    with pytest.raises(surgesim.ScenarioError, match="^inline:1:1: duration: missing"):
        surgesim.loads("name: x", base_dir=tmp_path, name="inline")


def test_a_scenario_keeps_its_files_and_travels_with_them(shop, tmp_path):
    sc = surgesim.load(shop).set("services.web.instances", 4)
    expected = surgesim.run(sc, seed=5).summary
    (tmp_path / "traffic.csv").unlink()  # a worker on another machine has no such file
    copy = pickle.loads(pickle.dumps(sc._shipped()))
    assert copy == sc._shipped()
    assert surgesim.run(copy, seed=5).summary == expected
    # A file the shipped copy was not loaded with cannot be read where it runs.
    with pytest.raises(surgesim.ScenarioError, match="not among the files the scenario was loaded with"):
        copy.set("traffic.csv", "other.csv")
