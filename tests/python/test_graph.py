"""surgesim.graph: the call graph as Graphviz DOT, the same text as `surgesim graph`."""

import subprocess
from pathlib import Path

import pytest

import surgesim

REPO = Path(__file__).resolve().parents[2]
HARBOLNAS = REPO / "configs" / "harbolnas-1111.yaml"

# A journey of two pages over a web pool that calls a database pool 30% of the time.
SHOP = """name: two-tier
duration: 10m
traffic:
  rate: 10/s
journeys:
  shop:
    share: 1
    pages:
      home: {call: web, next: {product: 0.6, exit: 0.4}}
      product: {call: web, next: {exit: 1}}
services:
  web:
    type: server_pool
    instances: 2
    workers: 4
    service: 20ms
    calls:
      - {to: db, p: 0.3}
  db:
    type: server_pool
    instances: 1
    workers: 8
    service: 5ms
"""


@pytest.fixture
def shop(tmp_path) -> Path:
    path = tmp_path / "shop.yaml"
    path.write_text(SHOP)
    return path


@pytest.fixture(scope="session")
def cli(build_python_dir) -> Path:
    path = build_python_dir.parent / "cli" / "surgesim"
    if not path.is_file():
        pytest.skip(f"the surgesim command is not built at {path}")
    return path


def cli_graph(cli, path, *sets) -> str:
    args = [str(cli), "graph", str(path)]
    for option in sets:
        args += ["--set", option]
    return subprocess.run(args, capture_output=True, text=True, check=True, timeout=60).stdout


def test_nodes_and_edges_of_a_small_shop(shop):
    dot = surgesim.graph(shop)
    assert dot.startswith('digraph "two-tier" {') and dot.rstrip().endswith("}")
    for line in [
        '"journey:shop" -> "page:shop.home";',
        '"page:shop.home" -> "page:shop.product" [label="0.6"];',
        '"page:shop.home" -> "exit:shop" [label="0.4"];',
        '"page:shop.product" -> "exit:shop" [label="1"];',
        '"page:shop.home" -> "service:web" [style=dashed];',
        '"page:shop.product" -> "service:web" [style=dashed];',
        '"service:web" -> "service:db" [label="0.3"];',
        '"service:web" [shape=component, label="web\\nserver_pool 2x4"];',
        '"service:db" [shape=component, label="db\\nserver_pool 1x8"];',
    ]:
        assert line in dot, line
    # Pages call web only; nothing calls the pages back.
    assert '"page:shop.home" -> "service:db"' not in dot
    assert '-> "journey:shop"' not in dot


def test_overrides_reach_the_graph(shop):
    assert "server_pool 7x4" in surgesim.graph(shop, set={"services.web.instances": 7})
    assert '[label="0.5"]' in surgesim.graph(shop, set=["services.web.calls.0.p=0.5"])


def test_same_text_as_the_cli(cli, shop):
    assert surgesim.graph(HARBOLNAS) == cli_graph(cli, HARBOLNAS)
    sets = ["services.web.instances=20", "services.web.autoscale.min=20"]
    assert surgesim.graph(HARBOLNAS, set=sets) == cli_graph(cli, HARBOLNAS, *sets)
    assert "server_pool 20x16 (autoscale 20-80)" in surgesim.graph(HARBOLNAS, set=sets)
    assert surgesim.graph(shop) == cli_graph(cli, shop)


def test_a_service_no_page_calls_is_a_warning_and_still_drawn(shop):
    shop.write_text(SHOP + "  spare: {type: server_pool, instances: 1, service: 1ms}\n")
    with pytest.warns(UserWarning, match=r"services\.spare: no page calls this service"):
        dot = surgesim.graph(shop)
    assert '"service:spare"' in dot


def test_an_unknown_service_is_a_scenario_error(shop):
    shop.write_text(SHOP.replace("call: web, next: {exit: 1}", "call: wbe, next: {exit: 1}"))
    with pytest.raises(surgesim.ScenarioError, match="did you mean 'web'") as caught:
        surgesim.graph(shop)
    assert caught.value.key_path == "journeys.shop.pages.product.call"


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        surgesim.graph(tmp_path / "nope.yaml")
