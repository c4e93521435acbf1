"""surgesim report: pictures of a results file (`surgesim run -o results.h5`).

    surgesim report results.h5                  # results-report.html beside the file
    surgesim report results.h5 -o day.html      # one self-contained HTML page
    surgesim report results.h5 -o day.png       # day-traffic.png, day-latency.png, ...

From Python: ``surgesim.report.render("results.h5", "day.html")``.

Panels: traffic (lambda(t)), latency (page p99 over time with the SLO lines), drops
(drop-offs by cause, stacked), services (utilisation and instances) and lost-revenue
(by cause and by service). A panel whose data the run did not produce is left out and
the HTML page says why. Bands are 95% confidence intervals across replications.
Figures are drawn on plain matplotlib Figures with the Agg canvas: no pyplot, so a
notebook's backend is left alone.
"""

from __future__ import annotations

import argparse
import base64
import html
import io
import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, MultipleLocator

from ._h5 import NotAResultsFile, PathLike, ResultsFile, read
from ._numbers import significant

__all__ = ["render", "main"]

_BAND_ALPHA = 0.2
_WARMUP_COLOR = "0.85"
_SLO_FAIL_COLOR = "tab:red"
_DPI = 100
_LATENCY_COLUMNS = {
    "latency_p50": "p50_s",
    "latency_p95": "p95_s",
    "latency_p99": "p99_s",
    "latency_mean": "mean_s",
}
_TICK_STEPS_S = [1, 2, 5, 10, 15, 30] + [60 * m for m in (1, 2, 5, 10, 15, 30)]
_TICK_STEPS_S += [3600 * h for h in (1, 2, 3, 6, 12, 24, 48)]


@dataclass
class Panel:
    name: str  # file-name part: X-<name>.png
    title: str
    figure: Figure

    def png(self) -> bytes:
        buffer = io.BytesIO()
        FigureCanvasAgg(self.figure)
        self.figure.savefig(buffer, format="png", dpi=_DPI)
        return buffer.getvalue()


def render(path: PathLike, out: PathLike | None = None) -> list[Path]:
    """Write the report of the results file ``path``; return the files written.

    ``out`` ending in ``.html`` gives one page with every panel embedded; ending in
    ``.png`` gives one PNG per panel, named ``<out stem>-<panel>.png``. Default:
    ``<results stem>-report.html`` beside the results file. Raises NotAResultsFile
    (a ValueError) when ``path`` is not a surgesim results file.
    """
    return write(read(path), output_path(path, out))


def write(results: ResultsFile, out: Path) -> list[Path]:
    """Write the report of ``results`` to ``out`` (.html or .png, as ``render``)."""
    panels, skipped = build_panels(results)
    if out.suffix.lower() == ".png":
        written = []
        for panel in panels:
            target = out.with_name(f"{out.stem}-{panel.name}.png")
            target.write_bytes(panel.png())
            written.append(target)
        return written
    out.write_text(_html_page(results, panels, skipped), encoding="utf-8")
    return [out]


def output_path(results: PathLike, out: PathLike | None) -> Path:
    """Where the report goes; raises ValueError for a suffix other than .html/.png."""
    if out is None:
        results = Path(results)
        return results.with_name(results.stem + "-report.html")
    out = Path(out)
    if out.suffix.lower() not in (".html", ".htm", ".png"):
        raise ValueError(f"{out}: a report is written as .html or .png, not '{out.suffix}'")
    return out


def build_panels(results: ResultsFile) -> tuple[list[Panel], list[str]]:
    """The panels this run has data for, and a sentence for each one left out."""
    builders: list[Callable[[ResultsFile], Panel | str]] = [
        _traffic_panel,
        _latency_panel,
        _drops_panel,
        _services_panel,
        _lost_revenue_panel,
    ]
    panels, skipped = [], []
    for build in builders:
        made = build(results)
        (panels if isinstance(made, Panel) else skipped).append(made)
    return panels, skipped


# --- panels ---------------------------------------------------------------------------


def _traffic_panel(results: ResultsFile) -> Panel | str:
    mean, ci95 = results.table("timeseries/traffic"), results.table("timeseries/traffic", "ci95")
    if mean is None or "rate" not in mean:
        return "Traffic: the file has no timeseries/traffic table."
    figure, ax = _time_figure(results)
    _step_series(ax, results, mean, ci95, "rate", label="λ(t)", color="tab:blue")
    bucket_s = _bucket_s(mean.index.to_numpy())
    if "sessions" in mean and math.isfinite(bucket_s):  # what the Poisson draws delivered
        _step_series(ax, results, mean, None, "sessions", label="arrived sessions / bucket width",
                     scale=1.0 / bucket_s, color="tab:gray", linestyle=":")
    ax.set_ylabel("sessions/s")
    ax.set_ylim(bottom=0)
    ax.set_title("Arrival rate λ(t)")
    _legend(ax)
    return Panel("traffic", "Arrival rate λ(t)", figure)


def _latency_panel(results: ResultsFile) -> Panel | str:
    series = [("timeseries/sessions", "p99_s", "all pages p99")]
    journeys = results.tables_under("timeseries/journeys")
    if len(journeys) > 1:  # a single journey's line would hide under "all pages"
        series += [(path, "p99_s", f"{name} p99") for name, path in journeys.items()]
    slos = [s for s in results.summary.get("slo") or [] if s.get("metric") in _LATENCY_COLUMNS]
    slo_series = {}
    for slo in slos:
        key = (_scope_table(str(slo.get("scope", "all"))), _LATENCY_COLUMNS[slo["metric"]])
        if key not in [(path, column) for path, column, _ in series]:
            series.append((*key, f"{slo.get('scope', 'all')} {slo['metric'].removeprefix('latency_')}"))
        slo_series[id(slo)] = key
    series = [(p, c, label) for p, c, label in series if _has_column(results, p, c)]
    if not series:
        return "Page response time: the file has no timeseries/sessions or journey tables."

    values = [results.table(p)[c].to_numpy() for p, c, _ in series]
    values += [np.array([float(s["limit"])]) for s in slos if _is_number(s.get("limit"))]
    scale, unit = _time_unit(values)
    figure, ax = _time_figure(results)
    colors = {}
    for index, (path, column, label) in enumerate(series):
        colors[(path, column)] = _line_style(index, emphasise_first=True)
        _step_series(
            ax, results, results.table(path), results.table(path, "ci95"), column,
            label=label, scale=scale, **colors[(path, column)],
        )
    for slo in slos:
        if not _is_number(slo.get("limit")):
            continue
        color = colors.get(slo_series[id(slo)], {}).get("color", "black")
        state = "met" if slo.get("ok") else "failed"
        ax.axhline(
            float(slo["limit"]) * scale, color=color, linestyle="--", linewidth=1.2,
            label=f"SLO {slo.get('name', '')}: {slo['metric']} {slo.get('scope', 'all')} (run: {state})",
        )
        for start, end in slo.get("failed_ranges") or []:
            ax.axvspan(start, end, color=_SLO_FAIL_COLOR, alpha=0.08, linewidth=0)
    ax.set_ylabel(f"page response ({unit})")
    ax.set_title("Page response time over time" + (" (shaded: SLO failed)" if _any_failed(slos) else ""))
    ax.set_ylim(bottom=0)
    _legend(ax)
    return Panel("latency", "Page response time", figure)


def _drops_panel(results: ResultsFile) -> Panel | str:
    drops = results.table("sessions/drops")
    if drops is None:
        return "Drop-offs: the file has no sessions/drops table."
    causes = [c for c in drops.columns if "." not in c]  # all journeys; JOURNEY.CAUSE skipped
    counts = {c: np.nan_to_num(drops[c].to_numpy()) for c in causes}
    counts = {c: v for c, v in counts.items() if v.sum() > 0}
    figure, ax = _time_figure(results)
    if counts:
        x = _step_edges(results, drops.index.to_numpy())
        ys = [np.append(v, v[-1]) for v in counts.values()]
        ax.stackplot(x, ys, labels=list(counts), step="post", alpha=0.85)
        _legend(ax)
    else:
        ax.text(0.5, 0.5, "no sessions dropped", transform=ax.transAxes, ha="center", va="center")
    ax.set_ylabel(f"sessions per {_duration_text(_bucket_s(drops.index.to_numpy()))}")
    ax.set_title("Drop-offs by cause (stacked)")
    ax.set_ylim(bottom=0)
    return Panel("drops", "Drop-offs by cause", figure)


def _services_panel(results: ResultsFile) -> Panel | str:
    services = {
        name: path
        for name, path in results.tables_under("timeseries/services").items()
        if _has_column(results, path, "utilization") or _has_column(results, path, "instances")
    }
    if not services:
        return "Services: the file has no timeseries/services tables."
    figure = Figure(figsize=(10, 6), layout="constrained")
    utilization_ax, instances_ax = figure.subplots(2, 1, sharex=True)
    for index, (name, path) in enumerate(services.items()):
        style = _line_style(index, emphasise_first=False)
        mean, ci95 = results.table(path), results.table(path, "ci95")
        if "utilization" in mean:
            _step_series(utilization_ax, results, mean, ci95, "utilization", label=name, scale=100, **style)
        if "instances" in mean:
            _step_series(instances_ax, results, mean, ci95, "instances", label=name, **style)
    for ax in (utilization_ax, instances_ax):
        _decorate_time_axis(ax, results)
    utilization_ax.set_xlabel("")
    utilization_ax.set_ylabel("utilisation (%)")
    utilization_ax.set_ylim(0, 105)
    utilization_ax.set_title("Utilisation per service")
    instances_ax.set_ylabel("instances")
    instances_ax.set_ylim(0, max(1.0, instances_ax.get_ylim()[1]) * 1.1)
    instances_ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    instances_ax.set_title("Instances per service")
    _legend(utilization_ax)
    return Panel("services", "Utilisation and instances", figure)


def _lost_revenue_panel(results: ResultsFile) -> Panel | str:
    lost = results.summary.get("lost_revenue")
    if not isinstance(lost, dict) or not (lost.get("by_cause") or lost.get("by_service")):
        return "Lost revenue: none in this run (the scenario has no order pages)."
    parts = {"by cause": lost.get("by_cause") or {}, "by service": lost.get("by_service") or {}}
    parts = {k: {n: v for n, v in d.items() if _is_number(v) and v > 0} for k, d in parts.items()}
    if not any(parts.values()):
        return "Lost revenue: no revenue was lost in this run."
    ci_lost = (results.summary.get("ci95") or {}).get("lost_revenue") or {}
    ci_parts = {"by cause": ci_lost.get("by_cause") or {}, "by service": ci_lost.get("by_service") or {}}
    currency = results.summary.get("currency", "")
    figure = Figure(figsize=(10, 4), layout="constrained")
    axes = figure.subplots(1, 2)
    for ax, (part, values) in zip(axes, parts.items()):
        names = list(values)
        heights = [values[n] for n in names]
        errors = [_number_or_nan(ci_parts[part].get(n)) for n in names]
        has_errors = any(math.isfinite(e) for e in errors)
        ax.bar(names, heights, yerr=errors if has_errors else None, capsize=4,
               color="tab:red" if part == "by cause" else "tab:purple")
        ax.set_title(f"Lost revenue {part}")
        ax.set_ylabel(f"lost revenue ({currency})" if currency else "lost revenue")
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _compact_number(v)))
        ax.tick_params(axis="x", labelrotation=30)
        if not names:
            ax.text(0.5, 0.5, "none", transform=ax.transAxes, ha="center", va="center")
    return Panel("lost-revenue", "Lost revenue by cause and by service", figure)


# --- drawing helpers ------------------------------------------------------------------


def _time_figure(results: ResultsFile) -> tuple[Figure, object]:
    figure = Figure(figsize=(10, 3.8), layout="constrained")
    ax = figure.subplots()
    _decorate_time_axis(ax, results)
    return figure, ax


def _decorate_time_axis(ax, results: ResultsFile) -> None:
    end = _end_s(results)
    warmup = _number_or_nan(results.summary.get("warmup_s"))
    if math.isfinite(warmup) and warmup > 0:
        ax.axvspan(0, warmup, color=_WARMUP_COLOR, alpha=0.5, linewidth=0, label="warm-up")
    if end > 0:
        ax.set_xlim(0, end)
        step = next((s for s in _TICK_STEPS_S if end / s <= 10), _TICK_STEPS_S[-1])
        ax.xaxis.set_major_locator(MultipleLocator(step))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda t, _: _clock(t, with_seconds=step < 60)))
    ax.set_xlabel("time since start (h:mm)")
    ax.grid(True, alpha=0.3)


def _step_series(ax, results, mean, ci95, column, *, label, scale=1.0, **style) -> None:
    """Bucket values as steps over [t_s, t_s + bucket), with the 95% band if known."""
    y = mean[column].to_numpy() * scale
    if y.size == 0:
        return
    x = _step_edges(results, mean.index.to_numpy())
    y = np.append(y, y[-1])
    (line,) = ax.plot(x, y, drawstyle="steps-post", label=label, **style)
    if ci95 is not None and column in ci95:
        half = np.append(ci95[column].to_numpy(), ci95[column].to_numpy()[-1]) * scale
        if np.isfinite(half).any():
            ax.fill_between(x, y - half, y + half, step="post", color=line.get_color(),
                            alpha=_BAND_ALPHA, linewidth=0)


def _step_edges(results: ResultsFile, starts: np.ndarray) -> np.ndarray:
    # The last bucket ends at the run's end (it may be partial).
    if starts.size == 0:
        return starts
    end = _end_s(results)
    return np.append(starts, end if end > starts[-1] else starts[-1] + _bucket_s(starts))


def _line_style(index: int, *, emphasise_first: bool) -> dict:
    # The first latency series is "all pages": black and thicker than its parts.
    if emphasise_first:
        if index == 0:
            return {"color": "black", "linewidth": 1.6}
        index -= 1
    return {"color": f"C{index % 10}", "linewidth": 1.2}


def _legend(ax) -> None:
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)


def _end_s(results: ResultsFile) -> float:
    duration = _number_or_nan(results.summary.get("duration_s"))
    if math.isfinite(duration):
        return duration
    ends = [t.index[-1] + _bucket_s(t.index.to_numpy()) for t in
            (kinds["mean"] for kinds in results.tables.values()) if len(t.index)]
    return max(ends, default=0.0)


def _bucket_s(starts: np.ndarray) -> float:
    return float(starts[1] - starts[0]) if starts.size >= 2 else float("nan")


def _scope_table(scope: str) -> str:
    kind, _, name = scope.partition(".")
    return {
        "journey": f"timeseries/journeys/{name}",
        "page": f"timeseries/pages/{name}",
        "service": f"timeseries/services/{name}",
    }.get(kind, "timeseries/sessions")


def _has_column(results: ResultsFile, path: str, column: str) -> bool:
    table = results.table(path)
    return table is not None and column in table and len(table.index) > 0


def _any_failed(slos: Sequence[dict]) -> bool:
    return any(s.get("failed_ranges") for s in slos)


def _time_unit(values: Sequence[np.ndarray]) -> tuple[float, str]:
    finite = [np.nanmax(v) for v in values if np.isfinite(v).any()]
    return (1000.0, "ms") if finite and max(finite) < 1.0 else (1.0, "s")


# --- text helpers ---------------------------------------------------------------------


def _clock(t: float, *, with_seconds: bool) -> str:
    seconds = int(round(t))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if with_seconds else f"{hours}:{minutes:02d}"


def _duration_text(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "bucket"
    for unit, size in (("h", 3600), ("min", 60), ("s", 1)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)} {unit}"
    return f"{seconds:g} s"


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _number_or_nan(value) -> float:
    return float(value) if _is_number(value) else math.nan


def _compact_number(value: float) -> str:
    for suffix, size in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(value) >= size:
            return f"{value / size:g}{suffix}"
    return f"{value:g}"


# --- HTML -----------------------------------------------------------------------------


def _html_page(results: ResultsFile, panels: Sequence[Panel], skipped: Sequence[str]) -> str:
    summary = results.summary
    name = str(summary.get("scenario", results.path.stem))
    figures = "\n".join(
        f'<figure id="{p.name}"><img alt="{html.escape(p.title)}" '
        f'src="data:image/png;base64,{base64.b64encode(p.png()).decode("ascii")}">'
        f"<figcaption>{html.escape(p.title)}</figcaption></figure>"
        for p in panels
    )
    notes = "".join(f'<p class="note">{html.escape(s)}</p>' for s in skipped)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>surgesim report: {html.escape(name)}</title>
<style>
body {{ font-family: sans-serif; margin: 2em auto; max-width: 1050px; color: #222; }}
table {{ border-collapse: collapse; margin: 1em 0; }}
th, td {{ padding: 0.25em 0.8em; border-bottom: 1px solid #ddd; text-align: right; }}
th:first-child, td:first-child {{ text-align: left; }}
figure {{ margin: 1.5em 0; }} img {{ max-width: 100%; }}
.meta, .note {{ color: #555; }} .failed {{ color: #b00; font-weight: bold; }}
</style>
</head>
<body>
<h1>surgesim report: {html.escape(name)}</h1>
<p class="meta">{html.escape(_run_description(results))}</p>
<h2>Headline numbers</h2>
{_headline_table(summary)}
{_slo_table(summary)}
<h2>Over the day</h2>
{figures}
{notes}
</body>
</html>
"""


def _run_description(results: ResultsFile) -> str:
    s = results.summary
    parts = [f"file {results.path.name}"]
    if _is_number(s.get("replications")):
        n = int(s["replications"])
        parts.append(f"{n} replication{'s' if n != 1 else ''}")
    if "seed" in s:
        parts.append(f"seed {s['seed']}")
    if _is_number(s.get("duration_s")):
        parts.append(f"{_clock(s['duration_s'], with_seconds=True)} simulated")
    if _is_number(s.get("warmup_s")) and s["warmup_s"] > 0:
        parts.append(f"warm-up {_clock(s['warmup_s'], with_seconds=True)}")
    overrides = str(results.scenario_attributes.get("overrides") or "").strip()
    if overrides:
        parts.append("--set " + ", ".join(overrides.splitlines()))
    version = results.scenario_attributes.get("surgesim_version")
    if version:
        parts.append(f"surgesim {version}")
    if _is_number(s.get("replications")) and s["replications"] >= 2:
        parts.append("± and bands: 95% confidence intervals")
    return " · ".join(parts)


def _headline_table(summary: dict) -> str:
    currency = summary.get("currency", "")
    rows = [
        ("Sessions started", ("sessions", "started"), "count"),
        ("Sessions completed", ("sessions", "completed"), "count"),
        ("Sessions dropped", ("sessions", "dropped"), "count"),
        ("Drop rate", ("drop_rate",), "percent"),
        ("Orders", ("orders",), "count"),
        (f"Revenue ({currency})", ("revenue",), "count"),
        (f"Lost revenue ({currency})", ("lost_revenue", "total"), "count"),
        ("Page response mean", ("latency", "mean_s"), "seconds"),
        ("Page response p99", ("latency", "p99_s"), "seconds"),
    ]
    ci95 = summary.get("ci95") or {}
    cells = []
    for label, keys, kind in rows:
        value = _lookup(summary, keys)
        if not _is_number(value):
            continue
        text = _format_value(value, kind)
        half = _lookup(ci95, keys)
        if _is_number(half):
            text += f" ± {_format_value(half, kind, digits=2)}"
        cells.append(f"<tr><td>{html.escape(label)}</td><td>{html.escape(text)}</td></tr>")
    return "<table>\n" + "\n".join(cells) + "\n</table>"


def _slo_table(summary: dict) -> str:
    slos = summary.get("slo") or []
    if not slos:
        return ""
    rows = []
    for slo in slos:
        ok = bool(slo.get("ok"))
        seconds = str(slo.get("metric", "")).startswith("latency")
        kind = "seconds" if seconds else "ratio"
        cells = [
            html.escape(str(slo.get("name", ""))),
            html.escape(f"{slo.get('metric', '')} ({slo.get('scope', 'all')})"),
            html.escape(_format_value(slo.get("limit"), kind)),
            html.escape(_format_value(slo.get("value"), kind)),
            '<span class="ok">met</span>' if ok else '<span class="failed">failed</span>',
            html.escape(str(slo.get("failed_buckets", ""))),
        ]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    header = "".join(f"<th>{h}</th>" for h in
                     ("SLO", "metric", "limit", "whole run", "", "failed buckets"))
    return f"<h2>Service-level objectives</h2>\n<table>\n<tr>{header}</tr>\n" + "\n".join(rows) + "\n</table>"


def _lookup(tree: dict, keys: Sequence[str]):
    for key in keys:
        if not isinstance(tree, dict) or key not in tree:
            return None
        tree = tree[key]
    return tree


def _format_value(value, kind: str, *, digits: int | None = None) -> str:
    """A value in its kind's unit; ``digits`` significant digits (half-widths: 2)."""
    if not _is_number(value):
        return "—"
    if kind == "count":
        if digits:
            return significant(value, digits)
        return f"{value:,.0f}" if abs(value) >= 100 else significant(value, 3)
    if kind == "percent":
        return significant(value * 100, digits or 3) + "%"
    if kind == "seconds":
        if abs(value) < 1:
            return significant(value * 1000, digits or 3) + " ms"
        return significant(value, digits or 3) + " s"
    return significant(value, digits or 4)


# --- command line ---------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="surgesim report", description="Render a report of a surgesim results file.")
    parser.add_argument("results", help="results file written by `surgesim run -o`")
    parser.add_argument("-o", "--output",
                        help="report.html (one page) or report.png (one PNG per panel); "
                             "default: <results>-report.html beside the results file")
    args = parser.parse_args(argv)
    try:
        out = output_path(args.results, args.output)
        results = read(args.results)
    except (NotAResultsFile, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    try:
        written = write(results, out)
    except OSError as e:
        print(f"error: cannot write the report: {e}", file=sys.stderr)
        return 1
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
