"""The Python API against docs/scenario.md and queueing theory."""

import _thread
import pickle
import re
import threading
import time

import pandas as pd
import pytest

import surgesim

CAUSES = ["abandoned", "slow", "rejected", "timeout", "pool_timeout", "error", "outage", "declined", "waiting"]
PAGE_FIELDS = ["requests", "success", "mean_s", "p50_s", "p95_s", "p99_s"]
JOURNEY_FIELDS = ["sessions", "completed", "dropped", "drop_rate"]
SERVICE_FIELDS = [
    "arrivals", "completed", "rejected", "timeouts", "abandoned", "wasted", "errors",
    "utilization", "mean_wait_s", "mean_response_s", "p50_s", "p95_s", "p99_s",
    "mean_queue", "mean_instances",
]  # fmt: skip

# Student t quantiles, 9 degrees of freedom (10 replications).
T_975_9 = 2.262157
T_999_9 = 4.296806

LAMBDA, MU = 5.0, 10.0  # M/M/1 at utilisation 0.5: mean response 1/(mu - lambda) = 0.2 s


def write_mm1(tmp_path, duration="1h", warmup="5m", rate=LAMBDA, extra=""):
    """One journey, one page, one single-server pool with exponential service."""
    path = tmp_path / "mm1.yaml"
    path.write_text(
        f"""name: mm1
duration: {duration}
warmup: {warmup}
traffic:
  rate: {rate}
journeys:
  shop:
    share: 1
    pages:
      home:
        call: web
        next: {{exit: 1}}
services:
  web:
    type: server_pool
    instances: 1
    service: {{dist: exponential, mean: {1000 / MU}ms}}
{extra}"""
    )
    return path


@pytest.fixture
def mm1(tmp_path):
    return write_mm1(tmp_path)


def within_999(mean, half_width_95, exact):
    """|mean - exact| inside the 99.8% interval rebuilt from a 95% half-width (10 reps)."""
    return abs(mean - exact) <= T_999_9 * half_width_95 / T_975_9


# --- the summary follows the contract ---------------------------------------------------


def test_summary_has_contract_fields(mm1):
    summary = surgesim.run(mm1, replications=2, seed=3).summary
    assert summary["scenario"] == "mm1"
    assert (summary["seed"], summary["replications"]) == (3, 2)
    assert (summary["duration_s"], summary["warmup_s"], summary["currency"]) == (3600, 300, "IDR")
    assert {"started", "completed", "dropped"} <= summary["sessions"].keys()
    assert list(summary["sessions"]["by_cause"]) == CAUSES
    assert "drop_rate" in summary
    assert list(summary["pages"]) == ["shop.home"]
    assert set(PAGE_FIELDS) <= summary["pages"]["shop.home"].keys()
    assert set(JOURNEY_FIELDS) <= summary["journeys"]["shop"].keys()
    assert set(SERVICE_FIELDS) <= summary["services"]["web"].keys()
    ci95 = summary["ci95"]
    for section in ("sessions", "pages", "journeys", "services"):
        assert _shape(ci95[section]) == _shape(summary[section])


def _shape(tree):
    return {k: _shape(v) for k, v in tree.items()} if isinstance(tree, dict) else None


def test_one_replication_has_no_ci95(mm1):
    assert "ci95" not in surgesim.run(mm1, replications=1).summary


# --- against theory -----------------------------------------------------------------------


def test_mm1_mean_response_matches_theory(mm1):
    summary = surgesim.run(mm1, replications=10).summary
    web, ci = summary["services"]["web"], summary["ci95"]["services"]["web"]
    assert within_999(web["mean_response_s"], ci["mean_response_s"], 1 / (MU - LAMBDA))
    assert within_999(web["utilization"], ci["utilization"], LAMBDA / MU)
    page, page_ci = summary["pages"]["shop.home"], summary["ci95"]["pages"]["shop.home"]
    assert within_999(page["mean_s"], page_ci["mean_s"], 1 / (MU - LAMBDA))


def test_override_instances_halves_utilisation(mm1):
    summary = surgesim.run(mm1, set=["services.web.instances=2"], replications=10).summary
    web, ci = summary["services"]["web"], summary["ci95"]["services"]["web"]
    assert web["mean_instances"] == 2
    assert within_999(web["utilization"], ci["utilization"], LAMBDA / (2 * MU))


def test_override_mapping_is_the_same_as_strings(mm1):
    as_strings = surgesim.run(mm1, set=["services.web.instances=2"])
    as_mapping = surgesim.run(mm1, set={"services.web.instances": 2})
    assert as_strings.summary == as_mapping.summary


# --- determinism --------------------------------------------------------------------------


def test_same_seed_same_summary(mm1):
    assert surgesim.run(mm1, seed=7).summary == surgesim.run(mm1, seed=7).summary


def test_thread_count_does_not_change_results(mm1):
    one = surgesim.run(mm1, replications=4, threads=1)
    two = surgesim.run(mm1, replications=4, threads=2)
    assert one.summary == two.summary
    assert one.replications == two.replications


def test_different_seed_different_results(mm1):
    first = surgesim.run(mm1, seed=1).summary["services"]["web"]
    second = surgesim.run(mm1, seed=2).summary["services"]["web"]
    assert first["arrivals"] != second["arrivals"]
    assert first["mean_response_s"] != second["mean_response_s"]


def test_replication_trees_average_to_the_summary(mm1):
    results = surgesim.run(mm1, replications=3)
    assert len(results.replications) == 3
    arrivals = [tree["services"]["web"]["arrivals"] for tree in results.replications]
    assert results.summary["services"]["web"]["arrivals"] == pytest.approx(sum(arrivals) / 3)


# --- pandas helpers and the report -------------------------------------------------------


def test_tables_without_replications(mm1):
    results = surgesim.run(mm1)
    services = results.services()
    assert services.index.tolist() == ["web"] and services.index.name == "service"
    assert set(SERVICE_FIELDS) <= set(services.columns)
    assert not any(c.endswith("_ci95") for c in services.columns)
    assert services.loc["web", "arrivals"] == results.summary["services"]["web"]["arrivals"]
    pages = results.pages()
    assert set(PAGE_FIELDS) <= set(pages.columns) and pages.index.tolist() == ["shop.home"]
    journeys = results.journeys()
    assert journeys.index.tolist() == ["shop"]
    assert set(JOURNEY_FIELDS) <= set(journeys.columns)
    assert all(dtype == float for dtype in services.dtypes)


def test_tables_with_replications_add_ci95_columns(mm1):
    results = surgesim.run(mm1, replications=3)
    for frame, fields in (
        (results.services(), SERVICE_FIELDS),
        (results.pages(), PAGE_FIELDS),
        (results.journeys(), JOURNEY_FIELDS),
    ):
        assert len(frame) == 1
        assert {f + "_ci95" for f in fields} <= set(frame.columns)
        means = [c for c in frame.columns if not c.endswith("_ci95")]
        assert frame.shape[1] == 2 * len(means)
    half_width = results.summary["ci95"]["services"]["web"]["utilization"]
    assert results.services().loc["web", "utilization_ci95"] == half_width


def test_drops_by_cause(tmp_path):
    # Impatient shoppers at an overloaded server: some sessions are abandoned.
    path = write_mm1(tmp_path, rate=20)
    path.write_text(path.read_text().replace("share: 1\n", "share: 1\n    patience: 300ms\n"))
    results = surgesim.run(path)
    drops = results.drops()
    assert isinstance(drops, pd.Series)
    assert drops.index.tolist() == CAUSES and drops.index.name == "cause"
    assert drops["abandoned"] > 0
    assert drops.sum() == results.summary["sessions"]["dropped"]


def test_report_is_the_text_report(mm1):
    report = surgesim.run(mm1, replications=2).report()
    assert "mm1" in report and "web" in report and "shop.home" in report


# --- errors -------------------------------------------------------------------------------


def test_misspelled_key_is_located_and_suggested(mm1):
    mm1.write_text(mm1.read_text().replace("instances:", "instanses:"))
    with pytest.raises(surgesim.ScenarioError, match="did you mean") as caught:
        surgesim.run(mm1)
    error = caught.value
    assert isinstance(error, ValueError)
    assert re.fullmatch(re.escape(str(mm1)) + r":\d+:\d+", error.location)
    assert error.key_path == "services.web.instanses"
    assert "instances" in error.problem
    assert str(error) == f"{error.location}: {error.key_path}: {error.problem}"


def test_misspelled_override_names_the_option(mm1):
    with pytest.raises(surgesim.ScenarioError, match="did you mean") as caught:
        surgesim.validate(mm1, set=["services.web.instanses=2"])
    assert caught.value.location == "set=['services.web.instanses=2']"  # Python's words
    with pytest.raises(surgesim.ScenarioError, match="KEY.PATH=VALUE"):
        surgesim.run(mm1, set=["services.web.instances"])


def test_scenario_error_pickles_with_its_parts(mm1):
    mm1.write_text(mm1.read_text().replace("instances:", "instanses:"))
    with pytest.raises(surgesim.ScenarioError) as caught:
        surgesim.validate(mm1)
    copy = pickle.loads(pickle.dumps(caught.value))
    assert (str(copy), copy.location, copy.key_path, copy.problem) == (
        str(caught.value), caught.value.location, caught.value.key_path, caught.value.problem)  # fmt: skip


def test_missing_file(tmp_path):
    missing = tmp_path / "nope.yaml"
    with pytest.raises(FileNotFoundError) as caught:
        surgesim.run(missing)
    assert caught.value.filename == str(missing)
    with pytest.raises(FileNotFoundError):
        surgesim.validate(missing)


def test_bad_replications(mm1):
    with pytest.raises(ValueError, match="replications"):
        surgesim.run(mm1, replications=0)


def test_validate_describes_the_scenario(mm1):
    info = surgesim.validate(mm1, set={"seed": 9})
    assert info["name"] == "mm1" and info["seed"] == 9
    assert info["journeys"] == {"shop": ["home"]} and info["services"] == ["web"]
    assert (info["duration_s"], info["warmup_s"]) == (3600, 300)
    assert info["warnings"] == []


def test_a_service_no_page_calls_is_a_warning(mm1):
    mm1.write_text(mm1.read_text() + "  spare: {type: server_pool, instances: 1, service: 1ms}\n")
    with pytest.warns(UserWarning, match=r"services\.spare: no page calls this service"):
        info = surgesim.validate(mm1)
    assert len(info["warnings"]) == 1
    with pytest.warns(UserWarning, match="no page calls"):
        surgesim.run(mm1, set={"duration": "1m", "warmup": "0"})


# --- running from Python ------------------------------------------------------------------


def test_ctrl_c_stops_a_run(tmp_path):
    # ~30 million sessions: many seconds if the interrupt were ignored.
    path = write_mm1(tmp_path, duration="8h", rate=1000)
    path.write_text(path.read_text().replace("instances: 1", "instances: 200"))
    timer = threading.Timer(0.2, _thread.interrupt_main)
    start = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        surgesim.run(path, threads=1)
    timer.join()
    assert time.monotonic() - start < 3
    assert surgesim.run(write_mm1(tmp_path)).summary["scenario"] == "mm1"  # still usable
