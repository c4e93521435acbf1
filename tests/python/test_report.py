"""surgesim report: PNGs per panel, one self-contained HTML page, tolerance of absent
tables, and the CLI's exit statuses. Results files come from results_files.py."""

from __future__ import annotations

import base64
import json
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import h5py
import matplotlib.image
import pytest

from results_files import ShopLevels, levels_with, write_results
from surgesim import report
from surgesim._h5 import NotAResultsFile

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ALL_PANELS = ["traffic", "latency", "drops", "services", "lost-revenue"]


class PageParser(HTMLParser):
    """Collects the title, the embedded images and the table cells of a report page."""

    def __init__(self) -> None:
        super().__init__()
        self.title = ""
        self.images: list[bytes] = []
        self.figure_ids: list[str] = []
        self.cells: list[str] = []
        self._in = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            prefix = "data:image/png;base64,"
            assert attrs["src"].startswith(prefix), "images must be embedded, not linked"
            self.images.append(base64.b64decode(attrs["src"][len(prefix):], validate=True))
        if tag == "figure":
            self.figure_ids.append(attrs["id"])
        self._in = tag

    def handle_endtag(self, tag):
        self._in = ""

    def handle_data(self, data):
        if self._in == "title":
            self.title += data
        elif self._in == "td":
            self.cells.append(data.strip())


def parse_page(path: Path) -> PageParser:
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


@pytest.fixture
def shop_results(tmp_path: Path) -> Path:
    return write_results(tmp_path / "day.h5", ShopLevels(), replications=5)


@pytest.fixture
def cli(build_python_dir: Path) -> Path:
    path = build_python_dir.parent / "cli" / "surgesim"
    assert path.is_file(), f"the surgesim CLI is not built at {path}"
    return path


def test_png_per_panel_named_after_the_output(shop_results: Path, tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    written = report.render(shop_results, tmp_path / "out" / "sale.png")
    assert written == [tmp_path / "out" / f"sale-{name}.png" for name in ALL_PANELS]
    for path in written:
        data = path.read_bytes()
        assert data.startswith(PNG_SIGNATURE)
        height, width, _ = matplotlib.image.imread(path).shape
        assert width >= 800 and height >= 300


def test_html_page_embeds_every_panel_and_the_headline_numbers(shop_results: Path, tmp_path: Path) -> None:
    [page] = report.render(shop_results, tmp_path / "sale.html")
    parsed = parse_page(page)
    assert "fixture-shop" in parsed.title
    assert parsed.figure_ids == ALL_PANELS
    assert len(parsed.images) == len(ALL_PANELS)
    assert all(image.startswith(PNG_SIGNATURE) and len(image) > 1000 for image in parsed.images)
    for label in ("Sessions started", "Drop rate", "Revenue (IDR)", "Lost revenue (IDR)", "Page response p99"):
        assert label in parsed.cells
    # Five replications: every headline number carries its 95% half-width.
    started = parsed.cells[parsed.cells.index("Sessions started") + 1]
    assert " ± " in started
    # The SLO table says the whole-run objective was met.
    assert "page-p99" in parsed.cells


def test_default_output_is_beside_the_results_file(shop_results: Path) -> None:
    assert report.render(shop_results) == [shop_results.with_name("day-report.html")]
    assert shop_results.with_name("day-report.html").stat().st_size > 0


def test_shop_without_order_pages_has_no_lost_revenue_panel(tmp_path: Path) -> None:
    results = write_results(tmp_path / "no-orders.h5", levels_with(revenue=False), replications=1)
    [page] = report.render(results, tmp_path / "no-orders.html")
    parsed = parse_page(page)
    assert parsed.figure_ids == ["traffic", "latency", "drops", "services"]
    assert "Lost revenue: none in this run" in page.read_text(encoding="utf-8")
    assert "Revenue (IDR)" not in parsed.cells
    # One replication: no half-widths.
    assert " ± " not in parsed.cells[parsed.cells.index("Sessions started") + 1]


def test_absent_tables_leave_their_panels_out(shop_results: Path, tmp_path: Path) -> None:
    with h5py.File(shop_results, "a") as h5:
        del h5["timeseries/services"]
        del h5["sessions"]
        del h5["timeseries/journeys"]
    [page] = report.render(shop_results, tmp_path / "partial.html")
    assert parse_page(page).figure_ids == ["traffic", "latency", "lost-revenue"]
    text = page.read_text(encoding="utf-8")
    assert "no sessions/drops table" in text and "no timeseries/services tables" in text


def test_summary_only_file_still_gives_the_headline_numbers(shop_results: Path, tmp_path: Path) -> None:
    with h5py.File(shop_results, "a") as h5:
        for name in ("timeseries", "sessions", "revenue"):
            del h5[name]
    [page] = report.render(shop_results, tmp_path / "summary-only.html")
    parsed = parse_page(page)
    assert parsed.figure_ids == ["lost-revenue"]
    assert "Sessions started" in parsed.cells


def test_fixed_length_strings_read_like_variable_length_ones(tmp_path: Path) -> None:
    results = write_results(tmp_path / "fixed.h5", fixed_length_strings=True)
    [page] = report.render(results, tmp_path / "fixed.html")
    assert parse_page(page).figure_ids == ALL_PANELS


def test_latency_panel_draws_the_slo_line_and_time_in_hours_and_minutes(shop_results: Path) -> None:
    # The statistics window [600 s, 7200 s) fills the axes; 3% of it shows the warm-up.
    from surgesim._h5 import read

    panels, _ = report.build_panels(read(shop_results))
    latency = next(p for p in panels if p.name == "latency")
    ax = latency.figure.axes[0]
    slo_lines = [line for line in ax.get_lines() if line.get_label().startswith("SLO page-p99")]
    assert len(slo_lines) == 1
    assert set(slo_lines[0].get_ydata()) == {500.0}  # 0.5 s in the panel's milliseconds
    assert "all pages p99" in [line.get_label() for line in ax.get_lines()]
    formatter = ax.xaxis.get_major_formatter()
    assert formatter(3600.0 + 15 * 60, 0) == "1:15"
    assert ax.get_xlim() == (600.0 - 0.03 * 6600.0, 7200.0)


def test_not_a_results_file_is_an_error(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not hdf5")
    with pytest.raises(NotAResultsFile, match="not an HDF5 file"):
        report.render(text, tmp_path / "x.html")
    empty = tmp_path / "empty.h5"
    with h5py.File(empty, "w") as h5:
        h5["other"] = 1.0
    with pytest.raises(NotAResultsFile, match="not a surgesim results file"):
        report.render(empty, tmp_path / "x.html")
    with pytest.raises(NotAResultsFile, match="no such file"):
        report.render(tmp_path / "missing.h5")


def _first_table(h5: h5py.File) -> str:
    found = []
    h5.visititems(lambda name, node: found.append(name)
                  if isinstance(node, h5py.Group) and "mean" in node else None)
    return found[0]


def test_declared_sizes_no_run_writes_are_refused_before_reading(
        shop_results: Path, cli: Path, tmp_path: Path) -> None:
    # HDF5 lets a file of kilobytes declare 10^12 rows (the fill value stands for them):
    # reading it would try to hold them all.
    huge = tmp_path / "huge.h5"
    huge.write_bytes(shop_results.read_bytes())
    with h5py.File(huge, "a") as h5:
        table = _first_table(h5)
        column = next(name for name in h5[table]["mean"] if name != "t_s")
        del h5[table]["mean"][column]
        h5[table]["mean"].create_dataset(column, shape=(10**12,), dtype="f8", chunks=(65536,))
    assert huge.stat().st_size < 10**7
    with pytest.raises(NotAResultsFile, match=r"has 1,000,000,000,000 rows; a run has at most "
                                              r"1,000,000 buckets"):
        report.render(huge, tmp_path / "x.html")
    done = subprocess.run([cli, "report", huge, "-o", tmp_path / "x.html"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "1,000,000,000,000 rows" in done.stderr, done.stderr
    done = subprocess.run([cli, "compare", shop_results, huge], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2 and "1,000,000,000,000 rows" in done.stderr, done.stderr

    # Columns of one table that disagree on their length.
    ragged = tmp_path / "ragged.h5"
    ragged.write_bytes(shop_results.read_bytes())
    with h5py.File(ragged, "a") as h5:
        mean = h5[_first_table(h5)]["mean"]
        column = next(name for name in mean if name != "t_s")
        values = mean[column][()]
        del mean[column]
        mean[column] = values[:-1]
    with pytest.raises(NotAResultsFile, match="columns of different lengths"):
        report.render(ragged, tmp_path / "x.html")

    # Each replication's table declared for a million replications.
    import surgesim

    kept = tmp_path / "kept.h5"
    shop = tmp_path / "shop.yaml"
    shop.write_text("name: kept\nduration: 10m\ntraffic: {rate: 5}\njourneys:\n  only:\n"
                    "    share: 1\n    pages:\n      view: {call: web, next: {exit: 1}}\n"
                    "services:\n  web: {type: server_pool, instances: 2, service: 100ms}\n")
    surgesim.run(shop, replications=2, output=kept, keep_replications=True)
    assert surgesim.read(kept).series["timeseries/services/web"].replications.shape[0] == 2
    with h5py.File(kept, "a") as h5:
        group = h5["timeseries/services/web/replications"]
        column = next(iter(group))
        del group[column]
        group.create_dataset(column, shape=(10**6, 10**6), dtype="f8", chunks=(256, 256))
    with pytest.raises(NotAResultsFile, match=r"has shape \(1000000, 1000000\), expected "
                                              r"\(replications up to 10,000, 10 buckets\)"):
        surgesim.read(kept)


def test_output_must_be_html_or_png(shop_results: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="'.pdf'"):
        report.render(shop_results, tmp_path / "x.pdf")


def test_cli_writes_the_report_and_prints_its_name(cli: Path, shop_results: Path, tmp_path: Path) -> None:
    done = subprocess.run([cli, "report", shop_results, "-o", tmp_path / "cli.png"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    expected = [str(tmp_path / f"cli-{name}.png") for name in ALL_PANELS]
    assert done.stdout.splitlines() == expected
    assert all(Path(p).stat().st_size > 0 for p in expected)


@pytest.mark.parametrize("case", ["missing", "not-hdf5", "bad-suffix"])
def test_cli_exit_status_2_for_bad_input(case: str, cli: Path, shop_results: Path, tmp_path: Path) -> None:
    notes = tmp_path / "notes.h5"
    notes.write_text("not hdf5")
    args = {
        "missing": [tmp_path / "missing.h5"],
        "not-hdf5": [notes],
        "bad-suffix": [shop_results, "-o", tmp_path / "x.pdf"],
    }[case]
    done = subprocess.run([cli, "report", *args], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.startswith("error: ")
    assert "Traceback" not in done.stderr


E2E_SHOP = """name: e2e-shop
duration: 10m
warmup: 1m
bucket: 1m
seed: 5
replications: 3
traffic:
  rate: 10/s
journeys:
  shop:
    share: 1
    patience: {dist: exponential, mean: 2s}
    pages:
      home: {call: web, next: {buy: 0.3, exit: 0.7}}
      buy: {call: web, next: {exit: 1}, order: {value: 100000}}
services:
  web:
    type: server_pool
    instances: 2
    workers: 4
    service: {dist: exponential, mean: 0.5s}
slo:
  - {name: quick, metric: latency_p99, scope: all, max: 1s}
"""


def test_end_to_end_run_twice_then_report_and_compare(cli: Path, tmp_path: Path) -> None:
    scenario = tmp_path / "shop.yaml"
    scenario.write_text(E2E_SHOP)
    runs = {"two.h5": [], "four.h5": ["--set", "services.web.instances=4"]}
    for name, options in runs.items():
        done = subprocess.run([cli, "run", scenario, "-q", "-o", tmp_path / name, *options],
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr

    for name in runs:
        done = subprocess.run([cli, "report", tmp_path / name], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        page = tmp_path / name.replace(".h5", "-report.html")
        assert done.stdout.strip() == str(page)
        assert parse_page(page).figure_ids == ALL_PANELS
    assert "--set services.web.instances=4" in (tmp_path / "four-report.html").read_text(encoding="utf-8")

    done = subprocess.run([cli, "compare", tmp_path / "two.h5", tmp_path / "four.h5", "--format", "json"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    rows = {row["metric"]: row for row in json.loads(done.stdout)}
    # Twice the web servers: utilisation drops, clearly.
    web = rows["services.web.utilization"]
    assert web["significant"] is True and web["difference"] < 0
    # Arrivals draw from their own random stream, so both runs see the same sessions.
    started = rows["sessions.started"]
    assert started["difference"] == 0 and started["p_value"] == 1.0 and started["significant"] is False
    assert {"pages.shop.home.p99_s", "pages.shop.buy.p99_s", "revenue", "lost_revenue.total"} <= rows.keys()


def edit_summary(path: Path, change) -> None:
    """Rewrites a results file's /summary after ``change`` (a function of the dict)."""
    with h5py.File(path, "a") as h5:
        summary = json.loads(h5["summary"][()])
        change(summary)
        del h5["summary"]
        h5.create_dataset("summary", data=json.dumps(summary), dtype=h5py.string_dtype("utf-8"))


def test_money_is_short_in_headlines_and_whole_in_tables(shop_results: Path, tmp_path: Path) -> None:
    edit_summary(shop_results, lambda s: s["lost_revenue"].update(total=7_704_786_781.0))
    [page] = report.render(shop_results, tmp_path / "money.html")
    cells = parse_page(page).cells
    assert cells[cells.index("Lost revenue (IDR)") + 1].startswith("Rp 7.70 B ± ")
    assert "Rp 7,704,786,781 in all" in page.read_text(encoding="utf-8")
    lost_web = cells[cells.index("web") + 1]
    assert lost_web.startswith("Rp ") and "," in lost_web and "B" not in lost_web


def test_failing_ranges_as_the_run_writes_them(shop_results: Path, tmp_path: Path) -> None:
    [page] = report.render(shop_results, tmp_path / "ranges.html")
    assert "0:50–1:10" in parse_page(page).cells  # failed_ranges [3000, 4200] from the start
    edit_summary(shop_results, lambda s: s["slo"][0].update(failed_clock=[["23:50", "00:10"]]))
    [page] = report.render(shop_results, tmp_path / "clock.html")
    assert "23:50–00:10" in parse_page(page).cells


def test_a_zero_half_width_of_a_quantile_says_why(shop_results: Path, tmp_path: Path) -> None:
    edit_summary(shop_results, lambda s: s["ci95"]["latency"].update(p99_s=0.0))
    [page] = report.render(shop_results, tmp_path / "sketch.html")
    cells = parse_page(page).cells
    p99 = cells[cells.index("Page response p99") + 1]
    assert p99.endswith("± 0: all 5 replications fell in the same 0.5% bucket of the quantile sketch")


def test_a_saturated_run_says_so_before_anything_else(shop_results: Path, tmp_path: Path) -> None:
    def saturate(summary: dict) -> None:
        summary.update(saturated=True, saturated_services=["web"])
        summary["sessions"]["unfinished"] = 1234.0

    edit_summary(shop_results, saturate)
    [page] = report.render(shop_results, tmp_path / "saturated.html")
    text = page.read_text(encoding="utf-8")
    first_warning = text.index('<p class="warning">')
    assert text.index("SATURATED: web could not keep up") == first_warning + len('<p class="warning">⚠ ')
    assert "the 1,234 sessions still waiting" in text
    cells = parse_page(page).cells
    assert cells[cells.index("Sessions unfinished") + 1].startswith("1,234")
    from surgesim._h5 import read

    panels, _ = report.build_panels(read(shop_results))
    titles = [t.get_text() for p in panels
              for t in p.figure.findobj(lambda a: hasattr(a, "get_gid") and a.get_gid() == "run-warning")]
    assert len(titles) == len(panels) and all(t.startswith("⚠ SATURATED: web") for t in titles)
