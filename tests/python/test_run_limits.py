"""surgesim.run refuses what cannot finish, runs it with force=True, and stops an
overloaded shop before it eats the memory, as the command line does."""

import os
import subprocess
import sys

import pytest

import surgesim

CLI = os.path.join(os.environ.get("SURGESIM_BUILD_DIR", "build"), "cli", "surgesim")


def write_shop(tmp_path, rate, instances, duration="10m", bucket="1m"):
    path = tmp_path / "shop.yaml"
    path.write_text(
        f"""name: shop
duration: {duration}
bucket: {bucket}
traffic: {{rate: {rate}}}
journeys:
  only:
    share: 1
    pages:
      view: {{call: web, next: {{exit: 1}}}}
services:
  web: {{type: server_pool, instances: {instances}, service: 10ms}}
"""
    )
    return path


def test_a_run_over_max_memory_is_refused_and_force_runs_it(tmp_path):
    shop = write_shop(tmp_path, rate=5, instances=2, bucket="10ms")
    with pytest.raises(surgesim.ScenarioError, match=r"more than max_memory \(16\.0 MB\)") as e:
        surgesim.run(shop, max_memory="16M", threads=1)
    assert "force=True runs it anyway" in str(e.value)
    assert e.value.location == str(shop)
    results = surgesim.run(shop, max_memory=16 * 2**20, threads=1, force=True)
    assert results.summary["sessions"]["started"] > 2000


def test_an_overloaded_service_stops_the_run(tmp_path):
    shop = write_shop(tmp_path, rate=20000, instances=1, duration="4h")
    with pytest.raises(surgesim.Overloaded, match=r"^service web is overloaded: ρ ≈ "):
        surgesim.run(shop, max_memory="128M", threads=1)


def storm(tmp_path, outage="[{at: 0s, for: 1h}]", duration="1h"):
    """Calls failing at once (s4's outage), retried 100 times at each of four levels
    without backoff: 10^8 calls a page, far beyond the estimate. Healthy without it."""
    services = "".join(
        f"  s{i}: {{type: server_pool, instances: 1, service: 0s, "
        f"calls: [{{to: s{i + 1}, retry: {{max: 100}}}}], cost_per_instance_hour: 1}}\n"
        for i in range(4))
    services += f"  s4: {{type: server_pool, instances: 1, service: 0s, outages: {outage}}}\n"
    path = tmp_path / "storm.yaml"
    path.write_text(f"name: storm\nduration: {duration}\ntraffic: {{rate: 100}}\njourneys:\n"
                    "  only:\n    share: 1\n    pages:\n      view: {call: s0, next: {exit: 1}}\n"
                    "services:\n" + services)
    return path


def test_a_retry_storm_stops_the_run_in_python_words(tmp_path):
    with pytest.raises(surgesim.Overloaded, match=r"^the run stopped at .* force=True runs it anyway$"):
        surgesim.run(storm(tmp_path), threads=1)


def test_a_stopped_point_is_a_row_of_a_sweep_and_infeasible_to_size(tmp_path):
    path = storm(tmp_path, duration="10m")
    grid = {"services.s4.outages": [[], [{"at": "0s", "for": "1h"}]]}
    with pytest.warns(UserWarning, match=r"services.s4.outages=\[\{.*\}\]: stopped: the run stopped"):
        frame = surgesim.sweep(path, grid, replications=1, progress=False)
    assert len(frame) == 2
    assert frame["drop_rate"].notna().tolist() == [True, False]
    assert frame["saturated"].tolist() == [False, True]
    assert frame.attrs["scenario"] == "storm"
    # Every point of the range storms: nothing is feasible, and size says why.
    with pytest.raises(surgesim.NoFeasiblePoint) as caught:
        surgesim.size(path, vary={"services.s0.instances": (1, 3)}, replications=2,
                      progress=False)
    assert any(why.startswith("overloaded: the run stopped") for why in caught.value.why)


def forces_seen(monkeypatch):
    """The `force` of every point run from now on, in order."""
    from surgesim import _execute

    seen = []
    real = _execute._core.run

    def recording(*args, **kwargs):
        seen.append(kwargs.get("force"))
        return real(*args, **kwargs)

    monkeypatch.setattr(_execute._core, "run", recording)
    return seen


def test_a_forced_sweep_forces_its_points(tmp_path, monkeypatch):
    # Each point's own refusal (over an hour alone) is lifted too: run(force=True) per point.
    seen = forces_seen(monkeypatch)
    path = storm(tmp_path, outage="[]", duration="1m")
    grid = {"services.s0.instances": [1, 2]}
    surgesim.sweep(path, grid, replications=1, progress=False)
    surgesim.sweep(path, grid, replications=1, progress=False, force=True)
    assert seen == [False, False, True, True]


def test_a_forced_size_forces_its_points(tmp_path, monkeypatch):
    seen = forces_seen(monkeypatch)
    path = storm(tmp_path, outage="[]", duration="1m")
    vary = {"services.s0.instances": (1, 2)}
    surgesim.size(path, vary, replications=2, progress=False)
    assert seen and not any(seen)
    count = len(seen)
    surgesim.size(path, vary, replications=2, progress=False, force=True)
    assert len(seen) > count and all(seen[count:])


def still_running_after(args, seconds):
    """Whether the command is still at work after `seconds` (then it is stopped): a
    refused run exits at once."""
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True)
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return True
    return False


def test_force_on_the_command_line_lifts_the_refusals_of_sweep_and_size(tmp_path):
    # 100 points of about 43 s each: the sweep is refused, and with --force it starts.
    path = storm(tmp_path, outage="[]", duration="10h")
    path.write_text(path.read_text().replace("rate: 100", "rate: 1000"))
    sweep = [CLI, "sweep", str(path), "--vary", "services.s0.instances=1..100", "-r", "3", "-q"]
    done = subprocess.run(sweep, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "--force runs it anyway" in done.stderr, done.stderr
    assert still_running_after(sweep + ["--force"], 5)
    # A point alone over an hour (3 replications of 3.6 G sessions): size stops at it,
    # and with --force runs it.
    path.write_text(path.read_text().replace("rate: 1000", "rate: 100000"))
    size = [CLI, "size", str(path), "--vary", "services.s0.instances=1..4", "-r", "3", "-q"]
    done = subprocess.run(size, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert "more than an hour" in done.stderr and "--force runs it anyway" in done.stderr
    assert still_running_after(size + ["--force"], 5)


def test_a_sweep_too_large_is_refused_before_it_lists_its_points(tmp_path):
    path = storm(tmp_path, outage="[]")
    done = subprocess.run([CLI, "sweep", str(path), "--vary", "services.s0.instances=1..1000000",
                           "--vary", "services.s1.instances=1..1000000"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert ("--vary services.s0.instances=1..1000000: services.s0.instances: the range has "
            "1,000,000 values; a sweep has at most 10,000 points") in done.stderr
    done = subprocess.run([CLI, "sweep", str(path), "--vary", "services.s0.instances=1..200",
                           "--vary", "services.s1.instances=1..200"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert "the sweep would have 40,000 points (200 x 200); at most 10,000" in done.stderr
    with pytest.raises(ValueError, match=r"the grid has 40,000 points \(200 x 200\)"):
        surgesim.sweep(path, {"services.s0.instances": range(1, 201),
                              "services.s1.instances": range(1, 201)})


def test_a_sweep_adding_up_to_over_an_hour_is_refused_saying_what_to_change(tmp_path):
    path = storm(tmp_path, outage="[]", duration="10h")
    path.write_text(path.read_text().replace("rate: 100", "rate: 1000"))
    grid = {"services.s0.instances": list(range(1, 101))}
    # 36 M sessions a point, 216 M events by the estimate: 14 s a replication at 15 M
    # events/s, 43 s a point with 3 of them, 72 min for the 100 points.
    with pytest.raises(surgesim.ScenarioError, match=r"^.*storm.yaml: the sweep would take "
                       r"over an hour on one core: the work estimates of its first 8\d of 100 "
                       r"points already add up to 60 min: vary fewer values .*; force=True runs "
                       r"it anyway$"):
        surgesim.sweep(path, grid, replications=3, progress=False)
    done = subprocess.run([CLI, "sweep", str(path), "--vary", "services.s0.instances=1..100",
                           "-r", "3"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert "--force runs it anyway" in done.stderr


def test_a_size_that_is_not_one(tmp_path):
    with pytest.raises(ValueError, match="max_memory must be a size"):
        surgesim.run(write_shop(tmp_path, rate=5, instances=2), max_memory="lots")


def test_out_of_memory_is_a_sentence_not_std_bad_alloc(tmp_path):
    # Under an address-space limit (a child process, so that the limit stays there), a
    # forced run of 720,000 buckets cannot get its tables.
    shop = write_shop(tmp_path, rate=5, instances=2, duration="2h", bucket="10ms")
    code = f"""
import resource
import surgesim
vm = int(open("/proc/self/statm").read().split()[0]) * resource.getpagesize()
resource.setrlimit(resource.RLIMIT_AS, (vm + 300 * 2**20, resource.RLIM_INFINITY))
try:
    surgesim.run({str(shop)!r}, threads=1, force=True)
except MemoryError as e:
    print(e)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.stdout.startswith("out of memory: the run needed more memory"), done.stderr
    assert "set max_memory" in done.stdout
