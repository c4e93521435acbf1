"""surgesim.run refuses what cannot finish, runs it with force=True, and stops an
overloaded shop before it eats the memory, as the command line does."""

import subprocess
import sys

import pytest

import surgesim


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


def test_a_retry_storm_stops_the_run_in_python_words(tmp_path):
    # Calls failing at once (an outage all run long), retried 100 times at each of four
    # levels without backoff: 10^8 calls a page, far beyond the estimate.
    services = "".join(
        f"  s{i}: {{type: server_pool, instances: 1, service: 0s, "
        f"calls: [{{to: s{i + 1}, retry: {{max: 100}}}}]}}\n" for i in range(4))
    services += "  s4: {type: server_pool, instances: 1, service: 0s, outages: [{at: 0s, for: 1h}]}\n"
    path = tmp_path / "storm.yaml"
    path.write_text("name: storm\nduration: 1h\ntraffic: {rate: 100}\njourneys:\n  only:\n"
                    "    share: 1\n    pages:\n      view: {call: s0, next: {exit: 1}}\n"
                    "services:\n" + services)
    with pytest.raises(surgesim.Overloaded, match=r"^the run stopped at .* force=True runs it anyway$"):
        surgesim.run(path, threads=1)


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
