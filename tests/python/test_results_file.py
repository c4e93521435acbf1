"""HDF5 result files (`surgesim run -o`, `surgesim.run(output=...)`) read back with h5py,
the run options that shape a study (--warmup, --precision, --check-slo), what an
interrupted run leaves behind, and memory that does not grow with replications."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import warnings
from pathlib import Path

import h5py
import numpy as np
import pytest

import surgesim
from surgesim import _core

# Student-t 0.975 quantiles by number of observations (t_{0.975, n-1}, tables).
T975 = {2: 12.70620474, 3: 4.302652730}
HEADLINE_ATTRIBUTES = [
    "sessions_started", "sessions_completed", "sessions_dropped", "drop_rate", "orders",
    "revenue", "lost_revenue",
]  # fmt: skip
INTERRUPTED = 1
INVALID = 2
SLO_FAILED = 3

SHOP = """name: small-shop
duration: {duration}
warmup: 2m
bucket: 1m
seed: 21
replications: 3
traffic:
  rate: 20/s
journeys:
  shop:
    share: 1
    patience: {{dist: exponential, mean: 4s}}
    pages:
      home: {{call: web, next: {{buy: 0.3, exit: 0.7}}}}
      buy: {{call: web, next: {{exit: 1}}, order: {{value: 100000}}}}
services:
  web:
    type: server_pool
    instances: 4
    workers: 6
    queue: 50
    service: {{dist: exponential, mean: 1s}}
slo:
  - {{name: quick, metric: latency_p99, scope: all, max: {p99_limit}}}
"""


@pytest.fixture(scope="session")
def cli(build_python_dir) -> Path:
    path = build_python_dir.parent / "cli" / "surgesim"
    if not path.is_file():
        pytest.skip(f"the surgesim command is not built at {path}")
    return path


def write_shop(directory: Path, duration="30m", p99_limit="60s") -> Path:
    path = directory / "shop.yaml"
    path.write_text(SHOP.format(duration=duration, p99_limit=p99_limit))
    return path


def surgesim_run(cli, *args, check=True) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [str(cli), "run", *map(str, args), "-q"], capture_output=True, text=True, timeout=300
    )
    if check and done.returncode != 0:
        raise AssertionError(f"exit {done.returncode}: {done.stderr}")
    return done


def tables(h5: h5py.File) -> dict[str, h5py.Group]:
    """Every time series table of a result file: the groups with a `columns` attribute."""
    found = {}

    def grab(name, obj):  # returns None: a value would stop the visit
        if isinstance(obj, h5py.Group) and "columns" in obj.attrs:
            found[name] = obj

    h5.visititems(grab)
    return found


def datasets(path: Path) -> dict[str, bytes]:
    """Every dataset of a file as raw bytes (strings as their text)."""
    out = {}
    with h5py.File(path) as h5:

        def grab(name, obj):
            if isinstance(obj, h5py.Dataset):
                value = obj[()]
                out[name] = value if isinstance(value, bytes) else np.asarray(value).tobytes()

        h5.visititems(grab)
    return out


@pytest.fixture(scope="module")
def shop_file(tmp_path_factory, cli):
    """One CLI run with -o and --format json: (file, the JSON printed, the scenario)."""
    directory = tmp_path_factory.mktemp("results")
    scenario = write_shop(directory)
    out = directory / "out.h5"
    done = surgesim_run(
        cli, scenario, "-o", out, "--format", "json", "--set", "services.web.instances=5"
    )
    return out, json.loads(done.stdout), scenario


def test_summary_dataset_is_the_json_output(shop_file):
    out, printed, _ = shop_file
    with h5py.File(out) as h5:
        assert json.loads(h5["summary"].asstr()[()]) == printed
        attrs = h5["summary"].attrs
        assert attrs["scenario"] == "small-shop"
        assert attrs["seed"] == 21
        assert attrs["replications"] == 3
        assert attrs["duration_s"] == 1800.0
        assert attrs["warmup_s"] == 120.0
        assert attrs["currency"] == "IDR"
        assert attrs["sessions_started"] == printed["sessions"]["started"]
        assert attrs["lost_revenue"] == printed["lost_revenue"]["total"]
        assert attrs["lost_revenue_ci95"] == printed["ci95"]["lost_revenue"]["total"]
        for name in HEADLINE_ATTRIBUTES:
            assert name in attrs and f"{name}_ci95" in attrs
        trees = json.loads(h5["summary_replications"].asstr()[()])
        assert len(trees) == 3
        assert np.mean([t["orders"] for t in trees]) == pytest.approx(printed["orders"], rel=1e-12)


def test_a_column_of_zeros_is_not_written_and_reads_as_zeros(shop_file):
    # A healthy shop has no rejections, timeouts or outages: those columns cost neither
    # deflate's time nor space, and read back as zeros.
    out, _, _ = shop_file
    unwritten, written = [], []

    def sort(name, obj):
        if isinstance(obj, h5py.Dataset) and obj.dtype.kind == "f" and obj.size > 0:
            values = obj[()]
            (unwritten if obj.id.get_storage_size() == 0 else written).append(name)
            if obj.id.get_storage_size() == 0:
                assert values.shape == obj.shape and np.all(values == 0.0), name
                assert not np.signbit(values).any(), name

    with h5py.File(out) as h5:
        h5.visititems(sort)
        assert "timeseries/services/web/mean/rejected" in unwritten
        assert "timeseries/services/web/mean/arrivals" in written
        # Every column that is not all +0.0 was written.
        for name in written:
            assert np.any(h5[name][()] != 0.0) or np.signbit(h5[name][()]).any(), name


def test_scenario_dataset_is_the_resolved_scenario(shop_file):
    out, _, scenario = shop_file
    with h5py.File(out) as h5:
        text = h5["scenario"].asstr()[()]
        attrs = h5["scenario"].attrs
        assert "small-shop" in text
        assert attrs["file"] == str(scenario)
        assert attrs["overrides"] == "services.web.instances=5"
        assert attrs["surgesim_version"] == surgesim.__version__
    # What was simulated, --set included: running the stored text reproduces the run.
    replay = scenario.parent / "replay.yaml"
    replay.write_text(text)
    assert surgesim.run(replay).summary["services"]["web"]["mean_instances"] == 5


def test_every_table_is_the_mean_of_its_replications(shop_file):
    out, _, _ = shop_file
    with h5py.File(out) as h5:
        found = tables(h5)
        for path in [
            "timeseries/traffic", "timeseries/sessions", "timeseries/journeys/shop",
            "timeseries/pages/shop.home", "timeseries/pages/shop.buy", "timeseries/services/web",
            "sessions/drops", "revenue",
        ]:  # fmt: skip
            assert path in found
        for path, group in found.items():
            columns = list(group.attrs["columns"])
            assert columns[0] == "t_s"
            assert group.attrs["bucket_s"] == 60.0
            assert list(group["mean"]) == sorted(columns)  # h5py lists names sorted
            for column in columns:
                reps = group["replications"][column][:]
                assert reps.shape == (3, 30)
                observed = (~np.isnan(reps)).sum(axis=0)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN buckets
                    mean = np.nanmean(reps, axis=0)
                    sd = np.nanstd(reps, axis=0, ddof=1)
                np.testing.assert_allclose(group["mean"][column][:], mean, rtol=1e-12, equal_nan=True)
                ci95 = group["ci95"][column][:]
                if column == "t_s":
                    np.testing.assert_array_equal(ci95, group["mean"]["t_s"][:])
                    continue
                for n, t in T975.items():
                    cells = observed == n
                    np.testing.assert_allclose(
                        ci95[cells], t * sd[cells] / np.sqrt(n), rtol=1e-9, atol=1e-12
                    )
                assert np.isnan(ci95[observed < 2]).all()
                assert group["mean"][column].compression == "gzip"
                assert group["mean"][column].shuffle


def test_series_add_up_to_the_summary(shop_file):
    """Bucket counts after the warm-up sum to each replication's summary counts."""
    out, _, _ = shop_file
    with h5py.File(out) as h5:
        trees = json.loads(h5["summary_replications"].asstr()[()])
        kept = h5["timeseries/traffic/mean/t_s"][:] >= h5["summary"].attrs["warmup_s"]
        started = h5["timeseries/traffic/replications/sessions"][:, kept].sum(axis=1)
        orders = h5["revenue/replications/orders"][:, kept].sum(axis=1)
        arrivals = h5["timeseries/services/web/replications/arrivals"][:, kept].sum(axis=1)
    assert started.tolist() == [t["sessions"]["started"] for t in trees]
    assert orders.tolist() == [t["orders"] for t in trees]
    assert arrivals.tolist() == [t["services"]["web"]["arrivals"] for t in trees]
    assert min(orders) > 0


def test_python_writes_the_same_file_and_serves_the_series(shop_file, tmp_path):
    out, _, scenario = shop_file
    mine = tmp_path / "python.h5"
    results = surgesim.run(scenario, set=["services.web.instances=5"], output=mine)
    cli_data, py_data = datasets(out), datasets(mine)
    assert cli_data.keys() == py_data.keys()
    different = [k for k in cli_data if cli_data[k] != py_data[k]]
    assert different == []

    web = results.timeseries("services/web")
    assert web.index.name == "t_s"
    assert "utilization" in web and "utilization_ci95" in web
    with h5py.File(out) as h5:
        group = h5["timeseries/services/web"]
        np.testing.assert_array_equal(web.index.to_numpy(), group["mean/t_s"][:])
        np.testing.assert_array_equal(web["utilization"].to_numpy(), group["mean/utilization"][:])
        np.testing.assert_array_equal(
            web["p99_s_ci95"].to_numpy(), group["ci95/p99_s"][:]
        )
        assert set(results.timeseries_paths()) == set(tables(h5))
    assert "revenue_ci95" in results.timeseries("revenue")
    with pytest.raises(KeyError, match="services/web"):
        results.timeseries("services/nope")
    # Replications' own tables are not kept unless asked: the file holds them.
    with pytest.raises(ValueError, match="keep_replications=True.*services/web/replications"):
        results.timeseries("services/web", replication=1)
    single = surgesim.run(scenario, replications=1)
    assert not any(c.endswith("_ci95") for c in single.timeseries("sessions").columns)


def test_replications_kept_when_asked_and_half_widths_without_them(shop_file):
    """keep_replications=True serves each replication's tables (and the exact two-pass
    half-widths, as the file has them); without it nothing per replication is kept and
    the half-widths come from Welford's running M2: the same to rounding. Both sum 3
    terms with relative error ~3e-16 (times |mean|/sd for Welford, < 1e3 here), so
    1e-12 is far above rounding and far below a wrong formula (n for n - 1 is 22%)."""
    out, _, scenario = shop_file
    source = surgesim.load(scenario).set("services.web.instances", 5)._source()
    kept = _core.run(source, keep_replications=True)
    plain = _core.run(source)
    assert kept["summary"] == plain["summary"]
    with h5py.File(out) as h5:
        for table, lean in zip(kept["series"], plain["series"]):
            group = h5[table["path"]]
            columns = table["columns"]
            assert table["replications"].shape == (3, len(columns), 30)
            assert lean["replications"].shape == (0, len(columns), 30)
            np.testing.assert_array_equal(lean["mean"], table["mean"])
            for c, column in enumerate(columns):
                np.testing.assert_array_equal(
                    table["replications"][:, c, :], group["replications"][column][:]
                )
                exact = group["ci95"][column][:]
                np.testing.assert_array_equal(table["ci95"][c], exact)
                np.testing.assert_allclose(lean["ci95"][c], exact, rtol=1e-12, atol=0)
                assert np.array_equal(np.isnan(lean["ci95"][c]), np.isnan(exact))


# One-second buckets over 2 h: 7,200 rows per table, 5.3 MB of tables per replication,
# and little else (2 sessions/s).
MANY_BUCKETS = """name: many-buckets
duration: 2h
warmup: 1m
bucket: 1s
seed: 8
traffic: {rate: 2/s}
journeys:
  shop:
    share: 1
    patience: {dist: exponential, mean: 3s}
    pages:
      home: {call: web, next: {buy: 0.3, exit: 0.7}}
      buy: {call: web, next: {exit: 1}, order: {value: 1000}}
services:
  web:
    type: server_pool
    instances: 2
    workers: 3
    service: {dist: exponential, mean: 1s}
"""


def peak_rss_bytes(*command) -> int:
    """The peak resident set of one child process, from the kernel's own accounting."""
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    child.stderr.close()
    assert os.waitstatus_to_exitcode(status) == 0
    return usage.ru_maxrss * 1024  # KiB on Linux


@pytest.mark.parametrize("output", [False, True], ids=["report", "result-file"])
def test_memory_does_not_grow_with_replications(cli, tmp_path, output):
    scenario = tmp_path / "many-buckets.yaml"
    scenario.write_text(MANY_BUCKETS)
    out = tmp_path / "out.h5"
    extra = ["-o", str(out)] if output else []
    run = [str(cli), "run", str(scenario), "-q", "--threads", "2", *extra]
    few = peak_rss_bytes(*run, "-r", "4")
    many = peak_rss_bytes(*run, "-r", "40")
    if not output:
        surgesim_run(cli, scenario, "-r", 1, "-o", out)
    with h5py.File(out) as h5:
        per_replication = 8 * sum(
            group["replications"][column].shape[1]
            for group in tables(h5).values()
            for column in group.attrs["columns"]
        )
    assert per_replication > 5e6
    # Kept, 36 more replications' tables would add 36 x per_replication, 190 MB (the
    # engine before streaming grew by 150-185 MB here). Streamed, at most 2 running, 2
    # waiting and 1 being merged are alive at once, with 4 replications as with 40.
    growth = many - few
    assert growth < 4 * per_replication, f"{few / 1e6:.0f} MB -> {many / 1e6:.0f} MB"


def test_datasets_are_bit_identical_at_one_and_two_threads(cli, tmp_path):
    scenario = write_shop(tmp_path)
    one, two = tmp_path / "one.h5", tmp_path / "two.h5"
    surgesim_run(cli, scenario, "-r", 4, "--threads", 1, "-o", one)
    surgesim_run(cli, scenario, "-r", 4, "--threads", 2, "-o", two)
    a, b = datasets(one), datasets(two)
    assert a.keys() == b.keys()
    assert [k for k in a if a[k] != b[k]] == []


def _handles_stop_signals(pid: int) -> bool:
    """True once the process catches SIGINT and SIGTERM (its handlers are installed)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    caught = int(next(l for l in status.splitlines() if l.startswith("SigCgt:")).split()[1], 16)
    wanted = (1 << (signal.SIGINT - 1)) | (1 << (signal.SIGTERM - 1))
    return caught & wanted == wanted


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_an_interrupted_run_leaves_no_file_and_the_previous_one_intact(cli, tmp_path, sig):
    scenario = write_shop(tmp_path, duration="300h")  # minutes of work: never finishes here
    out = tmp_path / "kept.h5"
    out.write_bytes(b"results of an earlier run")
    run = subprocess.Popen(
        [str(cli), "run", str(scenario), "-o", str(out), "-q", "--threads", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not _handles_stop_signals(run.pid):
            assert run.poll() is None and time.monotonic() < deadline
            time.sleep(0.02)
        time.sleep(0.5)  # well into the simulation
        run.send_signal(sig)
        _, stderr = run.communicate(timeout=60)
    finally:
        run.kill()
    assert run.returncode == INTERRUPTED, stderr
    assert "interrupted" in stderr
    assert out.read_bytes() == b"results of an earlier run"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.h5", "shop.yaml"]


def test_check_slo_exits_3_after_report_and_file(cli, tmp_path):
    failing = write_shop(tmp_path, p99_limit="10ms")
    out = tmp_path / "slo.h5"
    done = surgesim_run(cli, failing, "--check-slo", "-o", out, "--format", "json", check=False)
    assert done.returncode == SLO_FAILED, done.stderr
    summary = json.loads(done.stdout)
    assert [s["ok"] for s in summary["slo"]] == [False]
    assert "slo" not in summary["ci95"]
    with h5py.File(out) as h5:
        assert json.loads(h5["summary"].asstr()[()]) == summary
    # Without --check-slo the same run succeeds; with a lenient SLO too.
    assert surgesim_run(cli, failing, check=False).returncode == 0
    assert surgesim_run(cli, write_shop(tmp_path), "--check-slo", check=False).returncode == 0


def test_warmup_option_and_auto(cli, tmp_path):
    scenario = write_shop(tmp_path)
    fixed = json.loads(surgesim_run(cli, scenario, "--warmup", "5m", "--format", "json").stdout)
    assert fixed["warmup_s"] == 300.0

    done = surgesim_run(cli, scenario, "--warmup", "auto", "--format", "json")
    summary = json.loads(done.stdout)
    note = next(l for l in done.stderr.splitlines() if l.startswith("warm-up: auto -> "))
    assert note.endswith("(MSER-5 over 6 batches)")  # 30 one-minute buckets
    assert summary["warmup_s"] % 300.0 == 0.0 and summary["warmup_s"] <= 900.0
    text = surgesim_run(cli, scenario, "--warmup", "auto").stdout
    assert text.startswith(note)
    assert surgesim.run(scenario, warmup="auto").summary == summary

    for bad in ["30m", "soon"]:
        done = surgesim_run(cli, scenario, "--warmup", bad, check=False)
        assert done.returncode == INVALID and "--warmup" in done.stderr
    with pytest.raises(surgesim.ScenarioError, match="warm-up shorter"):
        surgesim.run(scenario, warmup=3600)


def test_precision_reports_the_count_reached(cli, tmp_path):
    scenario = write_shop(tmp_path)
    done = surgesim_run(cli, scenario, "--precision", "0.05", "--format", "json")
    summary = json.loads(done.stdout)
    n = summary["replications"]
    assert f"precision: {n} replications; every headline half-width is below 5%" in done.stderr
    assert summary["ci95"]["revenue"] < 0.05 * summary["revenue"]

    with pytest.warns(UserWarning, match="stopped at 4 replications"):
        capped = surgesim.run(scenario, precision=0.001, max_replications=4)
    assert capped.summary["replications"] == 4


def test_an_unusable_output_path_fails_before_the_run(cli, tmp_path):
    scenario = write_shop(tmp_path)
    done = surgesim_run(cli, scenario, "-o", tmp_path / "missing" / "out.h5", check=False)
    assert done.returncode == INVALID
    assert "does not exist" in done.stderr
    with pytest.raises(surgesim.ScenarioError, match="directory"):
        surgesim.run(scenario, output=tmp_path)
