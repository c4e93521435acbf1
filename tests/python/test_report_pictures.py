"""What the report's pictures show, on a real run of a small shop: every panel renders
from a result file and from Python, colours belong to causes and services (not to their
order), the statistics window fills the axes, every legend entry has a line, SLOs appear
in the units of their values, bands say how many replications they come from, zoom, and
the one-sentence error when matplotlib or numpy is missing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import matplotlib.colors
import pytest
from matplotlib.figure import Figure

import surgesim
from surgesim import _palette, report
from surgesim._h5 import read

# A web tier that runs hot for a minute under a spike at 0:15, a cache without a worker
# limit (so no utilisation), a database, and SLOs of three kinds.
SHOP = """name: pictures-shop
duration: 30m
warmup: 5m
bucket: 1m
seed: 3
replications: 3
traffic:
  rate: 20/s
  spikes: [{at: 15m, peak: 250/s, rise: 10s, decay: 2m}]
journeys:
  shop:
    share: 1
    patience: {dist: exponential, mean: 2s}
    pages:
      home: {call: web, next: {buy: 0.3, exit: 0.7}}
      buy: {call: web, next: {exit: 1}, order: {value: 150000}}
services:
  web:
    type: server_pool
    instances: 2
    workers: 8
    service: {dist: exponential, mean: 50ms}
    calls: [{to: cache}]
  cache:
    type: cache
    hit_ratio: 0.9
    hit: 1ms
    miss: {to: db}
  db:
    type: database
    connections: 4
    query: {dist: exponential, mean: 20ms}
slo:
  - {name: quick, metric: latency_p99, scope: all, max: 1s}
  - {name: drops, metric: drop_rate, scope: all, max: 0.05}
  - {name: web-headroom, metric: utilization, scope: service.web, max: 0.8}
"""
PANELS = ["traffic", "latency", "drops", "services", "lost-revenue"]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def shop(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("pictures")
    (folder / "shop.yaml").write_text(SHOP)
    return folder / "shop.yaml"


@pytest.fixture(scope="module")
def run(shop: Path):
    """The shop's run with three replications, in memory and as a result file."""
    results = surgesim.run(shop, output=shop.with_suffix(".h5"))
    return results, shop.with_suffix(".h5")


@pytest.fixture
def cli(build_python_dir: Path) -> Path:
    return build_python_dir.parent / "cli" / "surgesim"


def panels_of(path: Path, **options) -> dict:
    panels, _ = report.build_panels(read(path), **options)
    return {p.name: p for p in panels}


def line_colours(figure: Figure) -> dict[str, str]:
    """Label -> colour of every labelled line of a figure."""
    return {line.get_label(): matplotlib.colors.to_hex(line.get_color())
            for ax in figure.axes for line in ax.get_lines() if not line.get_label().startswith("_")}


def warning(figure: Figure) -> str | None:
    """The warning a figure opens with (too few replications, a saturated run), if any."""
    found = figure.findobj(lambda a: hasattr(a, "get_gid") and a.get_gid() == "run-warning")
    return found[0].get_text() if found else None


def is_grey(colour) -> bool:
    r, g, b = matplotlib.colors.to_rgb(colour)
    return max(r, g, b) - min(r, g, b) < 0.05 and (r, g, b) != (0.0, 0.0, 0.0)


def test_every_panel_renders_to_png_from_the_file_and_from_python(run, tmp_path: Path) -> None:
    results, h5 = run
    written = report.render(h5, tmp_path / "night.png")
    assert [p.name for p in written] == [f"night-{name}.png" for name in PANELS]
    assert all(p.read_bytes().startswith(PNG_SIGNATURE) for p in written)
    for name in ("traffic", "latency", "drops", "services", "lost_revenue"):
        figure = getattr(results.plot, name)()
        assert isinstance(figure, Figure)
        figure.savefig(tmp_path / f"{name}.png")
        assert (tmp_path / f"{name}.png").read_bytes().startswith(PNG_SIGNATURE)
    [page] = results.report(tmp_path / "night.html")
    text = page.read_text(encoding="utf-8")
    assert text.count('<figure id="') == len(PANELS) and "pictures-shop" in text
    assert results.report().startswith("surgesim · pictures-shop")  # still the text report


def test_the_same_figures_from_python_and_from_the_file(run) -> None:
    results, h5 = run
    from_file = panels_of(h5)["services"].figure
    assert line_colours(results.plot.services()) == line_colours(from_file)


def test_colours_belong_to_causes_and_services_not_to_their_order(run) -> None:
    _, h5 = run
    panels = panels_of(h5)
    drops = panels["drops"].figure.axes[0]
    stacked = {c.get_label(): matplotlib.colors.to_hex(c.get_facecolor()[0]) for c in drops.collections
               if c.get_label() in _palette.CAUSES}
    assert stacked and stacked == {cause: _palette.CAUSES[cause] for cause in stacked}
    services = line_colours(panels["services"].figure)
    assert services["web"] == _palette.name_colours(["web", "cache", "db"])["web"]
    # No line, band or bar is the warm-up's grey.
    assert not [label for label, colour in services.items() if is_grey(colour)]
    assert not [c for c in _palette.NAME_PALETTE + list(_palette.CAUSES.values()) if is_grey(c)]


def test_colours_are_the_same_in_another_process() -> None:
    names = ["web", "search", "cart", "checkout", "orders", "product-cache", "database", "payment-gateway"]
    code = f"from surgesim import _palette; import json; print(json.dumps(_palette.name_colours({names!r})))"
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == _palette.name_colours(reversed(names))
    # Eight services, ten colours: no two alike.
    assert len(set(_palette.name_colours(names).values())) == len(names)


def test_statistics_window_fills_the_axes_with_a_thin_warm_up_strip(run) -> None:
    _, h5 = run
    ax = panels_of(h5)["latency"].figure.axes[0]
    start, end = ax.get_xlim()
    assert end == 1800.0
    assert 300.0 - 0.03 * 1500.0 == pytest.approx(start)  # 3% of the window before it
    [strip] = [p for p in ax.patches if p.get_label() == "warm-up"]
    xs = [x for x, _ in strip.get_xy()]
    assert (min(xs), max(xs)) == pytest.approx((start, 300.0))


def test_every_legend_entry_has_a_line_and_the_others_are_named(run) -> None:
    _, h5 = run
    panel = panels_of(h5)["services"]
    legend = panel.figure.axes[0].get_legend()
    labels = [t.get_text() for t in legend.get_texts()]
    drawn = line_colours(panel.figure)
    services = [label for label in labels if label in ("web", "cache", "db")]
    assert services == ["db", "web"] and all(name in drawn for name in services)
    # The cache has no worker limit: no utilisation and no instances, and the panel says so.
    assert "no utilisation: cache" in labels and "no instances: cache" in labels
    assert any("No utilisation line for cache" in note for note in panel.notes)


def test_bands_say_how_many_replications_and_few_replications_are_flagged(run, tmp_path: Path) -> None:
    results, h5 = run
    legend = panels_of(h5)["latency"].figure.axes[0].get_legend()
    assert "95% CI over 3 replications" in [t.get_text() for t in legend.get_texts()]
    assert warning(panels_of(h5)["latency"].figure) is None
    two = surgesim.run(h5.with_suffix(".yaml"), replications=2, output=tmp_path / "two.h5")
    figure = two.plot.latency()
    assert "only 2 replications" in warning(figure)
    assert "95% CI over 2 replications" in [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    one = surgesim.run(h5.with_suffix(".yaml"), replications=1)
    assert "1 replication: no confidence intervals" in warning(one.plot.traffic())
    [page] = one.report(tmp_path / "one.html")
    assert 'class="warning"' in page.read_text(encoding="utf-8")


def test_slos_in_the_units_of_their_values_with_the_ranges_they_failed_in(run, tmp_path: Path) -> None:
    _, h5 = run
    [page] = report.render(h5, tmp_path / "night.html")
    rows = {row.split("</td>")[0].rpartition(">")[2]: row for row in
            page.read_text(encoding="utf-8").split("<tr>")[1:]}
    assert "<td>≤ 5%</td>" in rows["drops"] and "0.05" not in rows["drops"]
    assert "<td>≤ 80%</td>" in rows["web-headroom"]
    assert "<td>≤ 1 s</td>" in rows["quick"]
    assert "0:15–0:16" in rows["drops"] and "0:15–0:16" in rows["web-headroom"]
    labels = list(line_colours(panels_of(h5)["services"].figure))
    assert "SLO web-headroom: web ≤ 80% (failed 0:15–0:16)" in labels


def test_zoom_shows_only_that_span(run, cli: Path, tmp_path: Path) -> None:
    results, h5 = run
    ax = panels_of(h5, zoom=("10m", "0:20"))["latency"].figure.axes[0]
    assert ax.get_xlim() == (600.0, 1200.0)
    assert ax.xaxis.get_major_formatter()(900.0, 0) == "0:15"
    assert results.plot.drops(zoom=(900, None)).axes[0].get_xlim() == (900.0, 1800.0)
    done = subprocess.run([cli, "report", h5, "-o", tmp_path / "zoom.png", "--from", "14m", "--to", "17m"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == len(PANELS)
    done = subprocess.run([cli, "report", h5, "--from", "40m"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stderr.startswith("error: nothing to show from 0:40")
    done = subprocess.run([cli, "report", h5, "--to", "soon"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "'soon' is not a time" in done.stderr


@pytest.mark.parametrize("module, package", [("matplotlib", "python3-matplotlib"), ("numpy", "python3-numpy")])
def test_a_missing_module_is_one_sentence_naming_the_package(module, package, run, cli: Path,
                                                            tmp_path: Path) -> None:
    _, h5 = run
    # A module of that name that fails to import, first on the path: as if not installed.
    (tmp_path / f"{module}.py").write_text(
        f'raise ModuleNotFoundError("No module named {module}", name="{module}")\n')
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    done = subprocess.run([cli, "report", h5, "-o", tmp_path / "x.html"], capture_output=True,
                          text=True, env=env, timeout=120)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    [line] = done.stderr.splitlines()
    assert line.startswith(f"error: surgesim report needs {module}, which ")
    assert f"install the Debian package {package}" in line
    python = Path(line.split(", which ")[1].split(" cannot import")[0])
    assert python.is_file()  # the interpreter the build runs reports with


def test_a_run_with_a_start_reads_on_the_clock_in_every_panel(tmp_path: Path) -> None:
    (tmp_path / "night.yaml").write_text(SHOP.replace("duration: 30m", 'start: "23:50"\nduration: 30m'))
    results = surgesim.run(tmp_path / "night.yaml", replications=1)
    for name in ("traffic", "latency", "drops", "services"):
        for ax in getattr(results.plot, name)().axes:
            if ax.get_xlabel():  # the bottom axes of a panel
                assert ax.get_xlabel() == "clock time", name
                ticks = ax.xaxis.get_major_locator()()
                labels = [ax.xaxis.get_major_formatter()(v, 0) for v in ticks]
                assert labels[:3] == ["23:55", "00:00", "00:05"], name  # across midnight
    # Bars have no time axis: their titles name the span they sum, on the clock.
    titles = [ax.get_title() for ax in results.plot.lost_revenue().axes]
    assert titles == ["Lost revenue by cause, 23:55–00:20", "Lost revenue by service, 23:55–00:20"]
    zoomed = results.plot.lost_revenue(zoom=("00:00", "00:10")).axes[0].get_title()
    assert zoomed == "Lost revenue by cause, 00:00–00:10"


def test_lost_revenue_titles_name_the_span_they_sum(run) -> None:
    _, h5 = run
    titles = [ax.get_title() for ax in panels_of(h5)["lost-revenue"].figure.axes]
    assert titles == ["Lost revenue by cause, 0:05–0:30", "Lost revenue by service, 0:05–0:30"]


def test_waiting_room_panel_only_with_a_room(tmp_path) -> None:
    import surgesim
    from surgesim import report
    from surgesim._plots import results_source

    root = Path(__file__).parents[2]
    with_room = surgesim.run(root / "configs" / "what-if-levers.yaml", replications=1)
    panels, _ = report.build_panels(results_source(with_room))
    assert "waiting-room" in [p.name for p in panels]
    figure = with_room.plot.waiting_room()
    labels = [t.get_text() for ax in figure.axes for t in ax.get_legend().get_texts()]
    assert {"waiting", "active", "wait p95 (admitted)"} <= set(labels)
    without = surgesim.run(root / "configs" / "what-if-retry-storm.yaml", replications=1)
    panels, skipped = report.build_panels(results_source(without))
    assert "waiting-room" not in [p.name for p in panels] and not any("aiting" in s for s in skipped)
    with pytest.raises(ValueError, match="waiting-room"):
        without.plot.waiting_room()
