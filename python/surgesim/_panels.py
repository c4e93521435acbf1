"""The panels of a report, each a matplotlib Figure drawn from a results file's tables.

Every panel shares the same rules: the statistics window fills the axes and the
warm-up is a thin grey strip before it (`_timeline`); causes, services and journeys keep
their colours (`_palette`); a line is drawn only where the run has data, and a name
without one is listed with the reason; bands are 95% confidence intervals across
replications, labelled with their count, and fewer than three replications say so on
the figure. Figures use the Agg canvas and no pyplot, so a notebook's backend is left
alone.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

from . import _palette
from ._h5 import ResultsFile
from ._money import money_axis, money_compact
from ._numbers import is_number
from ._timeline import Timeline

_BAND_ALPHA = 0.2
_DPI = 100
LATENCY_COLUMNS = {
    "latency_p50": "p50_s",
    "latency_p95": "p95_s",
    "latency_p99": "p99_s",
    "latency_mean": "mean_s",
}


@dataclass
class Panel:
    name: str  # file-name part: X-<name>.png
    title: str
    figure: Figure
    notes: list[str] = field(default_factory=list)  # what the figure leaves out, and why

    def png(self) -> bytes:
        buffer = io.BytesIO()
        FigureCanvasAgg(self.figure)
        self.figure.savefig(buffer, format="png", dpi=_DPI)
        return buffer.getvalue()


@dataclass
class Context:
    """What every panel of one report shares."""

    results: ResultsFile
    timeline: Timeline
    services: dict[str, str]  # name -> colour
    journeys: dict[str, str]

    @property
    def replications(self) -> int:
        n = self.results.summary.get("replications")
        return int(n) if isinstance(n, (int, float)) and not isinstance(n, bool) else 1

    def warning(self) -> str | None:
        """The figure's warning about too few replications, if any."""
        n = self.replications
        if n == 1:
            return "1 replication: no confidence intervals (run with -r 3 or more)"
        if n == 2:
            return "only 2 replications: the 95% intervals are wide and unreliable (run with -r 3 or more)"
        return None

    def saturation(self, *, short: bool = False) -> str | None:
        """What to say first about a run whose shop could not keep up, if it could not
        (``short``: a line that fits above a figure)."""
        summary = self.results.summary
        if not summary.get("saturated"):
            return None
        services = ", ".join(summary.get("saturated_services") or []) or "a service"
        unfinished = (summary.get("sessions") or {}).get("unfinished")
        count = f"{unfinished:,.0f} " if isinstance(unfinished, (int, float)) else ""
        if short:
            return f"SATURATED: {services} could not keep up; {count}sessions still waiting are left out"
        return (f"SATURATED: {services} could not keep up; requests were still queued when the "
                f"run ended, and the figures leave out the {count}sessions still waiting")


def context(results: ResultsFile, timeline: Timeline) -> Context:
    summary = results.summary
    services = list(summary.get("services") or {}) or list(results.tables_under("timeseries/services"))
    journeys = list(summary.get("journeys") or {}) or list(results.tables_under("timeseries/journeys"))
    return Context(results, timeline, _palette.name_colours(services), _palette.name_colours(journeys))


Builder = Callable[[Context], "Panel | str | None"]


# --- panels ---------------------------------------------------------------------------


def traffic(ctx: Context) -> Panel | str:
    mean, ci95 = ctx.results.table("timeseries/traffic"), ctx.results.table("timeseries/traffic", "ci95")
    if mean is None or "rate" not in mean:
        return "Traffic: the file has no timeseries/traffic table."
    figure, ax = _time_figure(ctx, "Arrival rate λ(t)")
    _step_series(ax, ctx, mean, ci95, "rate", label="λ(t)", color=_palette.RATE)
    bucket_s = _bucket_s(mean.index.to_numpy())
    if "sessions" in mean and math.isfinite(bucket_s):  # what the Poisson draws delivered
        _step_series(ax, ctx, mean, None, "sessions", label="arrived sessions / bucket width",
                     scale=1.0 / bucket_s, color=_palette.ARRIVED, linestyle=":")
    ax.set_ylabel("sessions/s")
    ax.set_ylim(bottom=0)
    _legend(ax, ctx)
    return Panel("traffic", "Arrival rate λ(t)", figure)


def latency(ctx: Context) -> Panel | str:
    results = ctx.results
    series = [("timeseries/sessions", "p99_s", "all pages p99", _palette.ALL_PAGES)]
    journeys = results.tables_under("timeseries/journeys")
    if len(journeys) > 1:  # a single journey's line would hide under "all pages"
        series += [(path, "p99_s", f"{name} p99", ctx.journeys.get(name, _palette.NAME_PALETTE[0]))
                   for name, path in journeys.items()]
    slos = [s for s in results.summary.get("slo") or []
            if s.get("metric") in LATENCY_COLUMNS and s.get("scope") != "waiting_room"]
    for slo in slos:
        key = _slo_series(slo)
        if key not in [(p, c) for p, c, _, _ in series]:
            scope = str(slo.get("scope", "all"))
            colour = _scope_colour(ctx, scope)
            series.append((*key, f"{scope} {slo['metric'].removeprefix('latency_')}", colour))
    series = [s for s in series if _has_column(results, s[0], s[1])]
    if not series:
        return "Page response time: the file has no timeseries/sessions or journey tables."

    visible = [_visible(ctx, results.table(p))[c].to_numpy() for p, c, _, _ in series]
    limits = [float(s["limit"]) for s in slos if is_number(s.get("limit"))]
    scale, unit = _time_unit(visible + [np.array(limits)])
    figure, ax = _time_figure(ctx, "Page response time")
    colours, notes = {}, []
    for path, column, label, colour in series:
        colours[(path, column)] = colour
        width = 1.6 if path == "timeseries/sessions" else 1.2
        if not _step_series(ax, ctx, results.table(path), results.table(path, "ci95"), column,
                            label=label, scale=scale, color=colour, linewidth=width):
            notes.append(f"no {label} line: no page succeeded in the shown span")
    for slo in slos:
        _slo_marks(ax, ctx, slo, f"{slo['metric'].removeprefix('latency_')} {slo.get('scope', 'all')}",
                   scale, unit, colours.get(_slo_series(slo), "black"))
    ax.set_ylabel(f"page response ({unit})")
    ax.set_ylim(bottom=0)
    _legend(ax, ctx, notes)
    return Panel("latency", "Page response time", figure, notes)


def drops(ctx: Context) -> Panel | str:
    table = ctx.results.table("sessions/drops")
    if table is None:
        return "Drop-offs: the file has no sessions/drops table."
    shown = _visible(ctx, table)
    causes = [c for c in table.columns if "." not in c]  # all journeys; JOURNEY.CAUSE skipped
    counts = {c: np.nan_to_num(shown[c].to_numpy()) for c in causes}
    counts = {c: v for c, v in counts.items() if v.sum() > 0}
    figure, ax = _time_figure(ctx, "Drop-offs by cause (stacked)")
    if counts:
        x = _step_edges(ctx, shown.index.to_numpy())
        ys = [np.append(v, v[-1]) for v in counts.values()]
        ax.stackplot(x, ys, labels=list(counts), step="post", alpha=0.85,
                     colors=[_palette.cause_colour(c) for c in counts])
    else:
        ax.text(0.5, 0.5, "no sessions dropped", transform=ax.transAxes, ha="center", va="center")
    for slo in ctx.results.summary.get("slo") or []:
        if slo.get("metric") == "drop_rate":  # a rate: its limit has no place on counts
            _slo_marks(ax, ctx, slo, f"drop rate {slo.get('scope', 'all')}", 100.0, "%", None)
    ax.set_ylabel(f"sessions per {_duration_text(_bucket_s(table.index.to_numpy()))}")
    ax.set_ylim(bottom=0)
    _legend(ax, ctx, bands=False)
    return Panel("drops", "Drop-offs by cause", figure)


def services(ctx: Context) -> Panel | str:
    results = ctx.results
    tables = results.tables_under("timeseries/services")
    if not tables:
        return "Services: the file has no timeseries/services tables."
    figure = Figure(figsize=(10, 6), layout="constrained")
    utilization_ax, instances_ax = figure.subplots(2, 1, sharex=True)
    _warn(figure, ctx)
    no_utilization, no_instances = [], []
    for name, path in tables.items():
        style = {"color": ctx.services.get(name, _palette.NAME_PALETTE[0]), "linewidth": 1.2}
        mean, ci95 = results.table(path), results.table(path, "ci95")
        if not ("utilization" in mean and _step_series(utilization_ax, ctx, mean, ci95, "utilization",
                                                         label=name, scale=100, **style)):
            no_utilization.append(name)
        shown = _visible(ctx, mean)
        counted = "instances" in mean and np.nan_to_num(shown["instances"].to_numpy()).any()
        if not (counted and _step_series(instances_ax, ctx, mean, ci95, "instances", label=name, **style)):
            no_instances.append(name)
    for slo in results.summary.get("slo") or []:
        if slo.get("metric") == "utilization":
            name = str(slo.get("scope", "")).partition(".")[2]
            _slo_marks(utilization_ax, ctx, slo, name, 100.0, "%", ctx.services.get(name, "black"))
    for ax in (utilization_ax, instances_ax):
        _decorate_time_axis(ax, ctx)
    utilization_ax.set_xlabel("")
    utilization_ax.set_ylabel("utilisation (%)")
    utilization_ax.set_ylim(0, 105)
    utilization_ax.set_title("Utilisation per service")
    instances_ax.set_ylabel("instances")
    instances_ax.set_ylim(0, max(1.0, instances_ax.get_ylim()[1]) * 1.1)
    instances_ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    instances_ax.set_title("Serving instances per service")
    notes, short = [], []
    if no_utilization:
        notes.append(f"No utilisation line for {', '.join(no_utilization)}: none recorded in the "
                     "shown span (a service without a worker limit, such as a cache without "
                     "`workers`, is never busy in this sense).")
        short.append(f"no utilisation: {', '.join(no_utilization)}")
    if no_instances:
        notes.append(f"No instances line for {', '.join(no_instances)}: only server pools and "
                     "databases count instances.")
        short.append(f"no instances: {', '.join(no_instances)}")
    handles = {}
    for ax in (utilization_ax, instances_ax):
        for handle, label in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(label, handle)
    _legend(utilization_ax, ctx, short, handles=handles)
    return Panel("services", "Utilisation and instances", figure, notes)


def lost_revenue(ctx: Context) -> Panel | str:
    parts, errors, span = _lost_parts(ctx)
    if parts is None:
        return span
    currency = str(ctx.results.summary.get("currency", ""))
    figure = Figure(figsize=(10, 4.2), layout="constrained")
    axes = figure.subplots(1, 2)
    _warn(figure, ctx)
    any_errors = False
    for ax, (part, values) in zip(axes, parts.items()):
        names = list(values)
        heights = [values[n] for n in names]
        colours = [_palette.cause_colour(n) if part == "by cause" else
                   ctx.services.get(n, _palette.NAME_PALETTE[0]) for n in names]
        yerr = [errors[part].get(n, math.nan) for n in names]
        has_errors = any(math.isfinite(e) for e in yerr)
        any_errors = any_errors or has_errors
        bars = ax.bar(names, heights, yerr=yerr if has_errors else None, capsize=4, color=colours)
        ax.bar_label(bars, labels=[money_compact(h, currency) for h in heights], fontsize="small",
                     padding=2)
        ax.set_title(f"Lost revenue {part}{span}")
        ax.set_ylabel(f"lost revenue ({currency})" if currency else "lost revenue")
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: money_axis(v, currency)))
        tops = [h + (e if math.isfinite(e) else 0.0) for h, e in zip(heights, yerr)]
        ax.set_ylim(0, max(tops, default=1.0) * 1.15 or 1.0)
        ax.tick_params(axis="x", labelrotation=30)
        if not names:
            ax.text(0.5, 0.5, "none", transform=ax.transAxes, ha="center", va="center")
    notes = [] if not any_errors else [
        f"error bars: 95% CI over {ctx.replications} replications"]
    return Panel("lost-revenue", "Lost revenue by cause and by service", figure, notes)


def waiting_room(ctx: Context) -> Panel | str | None:
    """The waiting room: sessions waiting and active, the wait and who left; None for a run
    without a room (nothing to say about it in reports of the others)."""
    mean, ci95 = ctx.results.table("timeseries/waiting_room"), ctx.results.table("timeseries/waiting_room", "ci95")
    if mean is None:
        return None
    figure = Figure(figsize=(10, 6), layout="constrained")
    people_ax, wait_ax = figure.subplots(2, 1, sharex=True)
    _warn(figure, ctx)
    _step_series(people_ax, ctx, mean, ci95, "mean_waiting", label="waiting", color=_palette.NAME_PALETTE[1])
    _step_series(people_ax, ctx, mean, ci95, "mean_active", label="active", color=_palette.NAME_PALETTE[0])
    people_ax.set_ylabel("sessions (time average)")
    people_ax.set_ylim(bottom=0)
    people_ax.set_title("Sessions waiting in the room and active in the shop")
    shown = _visible(ctx, mean)
    scale, unit = _time_unit([shown["p95_wait_s"].to_numpy()])
    _step_series(wait_ax, ctx, mean, ci95, "p95_wait_s", label="wait p95 (admitted)", scale=scale,
                 color=_palette.NAME_PALETTE[2])
    for slo in ctx.results.summary.get("slo") or []:
        if slo.get("scope") == "waiting_room" and slo.get("metric") in LATENCY_COLUMNS:
            _slo_marks(wait_ax, ctx, slo, f"room {slo['metric'].removeprefix('latency_')}", scale, unit,
                       _palette.NAME_PALETTE[2])
    wait_ax.set_ylabel(f"wait in the room ({unit})")
    wait_ax.set_ylim(bottom=0)
    wait_ax.set_title("Wait in the room")
    for ax in (people_ax, wait_ax):
        _decorate_time_axis(ax, ctx)
    people_ax.set_xlabel("")
    _legend(people_ax, ctx)
    _legend(wait_ax, ctx)
    return Panel("waiting-room", "Waiting room", figure)


BUILDERS: dict[str, Builder] = {
    "traffic": traffic,
    "latency": latency,
    "drops": drops,
    "services": services,
    "lost-revenue": lost_revenue,
    "waiting-room": waiting_room,
}


# --- lost revenue parts ---------------------------------------------------------------


def _lost_parts(ctx: Context):
    """(parts, half-widths, title suffix), or (None, None, the reason there is no panel)."""
    summary = ctx.results.summary
    lost = summary.get("lost_revenue")
    if not isinstance(lost, dict) or not (lost.get("by_cause") or lost.get("by_service")):
        return None, None, "Lost revenue: none in this run (the scenario has no order pages)."
    if ctx.timeline.zoomed:
        return _lost_parts_in_view(ctx)
    parts = {"by cause": lost.get("by_cause") or {}, "by service": lost.get("by_service") or {}}
    parts = {k: {n: v for n, v in d.items() if is_number(v) and v > 0} for k, d in parts.items()}
    if not any(parts.values()):
        return None, None, "Lost revenue: no revenue was lost in this run."
    ci_lost = (summary.get("ci95") or {}).get("lost_revenue") or {}
    errors = {"by cause": ci_lost.get("by_cause") or {}, "by service": ci_lost.get("by_service") or {}}
    errors = {k: {n: float(v) for n, v in d.items() if is_number(v)} for k, d in errors.items()}
    # Bars have no time axis: the title says which span they sum (the statistics window).
    t = ctx.timeline
    span = f", {t.range_text(t.stats_start_s, t.end_s)}" if math.isfinite(t.end_s) else ""
    return parts, errors, span


def _lost_parts_in_view(ctx: Context):
    # Zoomed: sums of the per-bucket means over the statistics buckets in the view.
    table = ctx.results.table("revenue")
    if table is None:
        return None, None, "Lost revenue: the file has no revenue table to sum over the zoomed span."
    t = ctx.timeline
    shown = _visible(ctx, table)
    shown = shown[shown.index >= t.stats_start_s]
    sums = shown.sum(skipna=True)
    parts = {
        "by cause": {c.removeprefix("lost."): float(sums[c]) for c in table.columns
                     if c.startswith("lost.") and not c.startswith("lost.service.")},
        "by service": {c.removeprefix("lost.service."): float(sums[c]) for c in table.columns
                       if c.startswith("lost.service.")},
    }
    parts = {k: {n: v for n, v in d.items() if v > 0} for k, d in parts.items()}
    span = f", {t.range_text(max(t.view_start_s, t.stats_start_s), t.view_end_s)}"
    if not any(parts.values()):
        return None, None, f"Lost revenue: none lost{span.replace(',', '')}."
    return parts, {"by cause": {}, "by service": {}}, span


# --- drawing helpers ------------------------------------------------------------------


def _time_figure(ctx: Context, title: str) -> tuple[Figure, object]:
    figure = Figure(figsize=(10, 3.8), layout="constrained")
    ax = figure.subplots()
    _decorate_time_axis(ax, ctx)
    ax.set_title(title)
    _warn(figure, ctx)
    return figure, ax


def _slo_marks(ax, ctx: Context, slo: dict, what: str, scale: float, unit: str, colour) -> None:
    """An SLO on a panel: its limit as a dashed line in the panel's unit (``colour`` None:
    no line), and the time ranges it failed in shaded red."""
    if not is_number(slo.get("limit")):
        return
    bound = "≥" if slo.get("bound") == "min" else "≤"
    limit = float(slo["limit"]) * scale
    limit_text = f"{limit:g}%" if unit == "%" else f"{limit:g} {unit}"
    ranges = [r for r in slo.get("failed_ranges") or [] if _overlaps(ctx.timeline, r)]
    state = ("failed " + ", ".join(ctx.timeline.range_text(*r) for r in ranges) if ranges
             else "met" if slo.get("ok") else "failed")
    label = f"SLO {slo.get('name', '')}: {what} {bound} {limit_text} ({state})"
    if colour is not None:
        ax.axhline(limit, color=colour, linestyle="--", linewidth=1.2, label=label)
    for i, (start, end) in enumerate(ranges):
        ax.axvspan(start, end, color=_palette.SLO_FAILED, alpha=0.12, linewidth=0,
                   label=label if colour is None and i == 0 else None)


def _warn(figure: Figure, ctx: Context) -> None:
    warning = "\n".join(w for w in (ctx.saturation(short=True), ctx.warning()) if w)
    if warning:
        figure.suptitle(f"⚠ {warning}", color=_palette.SLO_FAILED, fontsize="medium",
                        gid="run-warning")


def _decorate_time_axis(ax, ctx: Context) -> None:
    t = ctx.timeline
    strip_end = min(t.stats_start_s, t.view_end_s)
    if strip_end > t.view_start_s:
        ax.axvspan(t.view_start_s, strip_end, color=_palette.WARMUP, alpha=0.6, linewidth=0,
                   label="warm-up")
    if math.isfinite(t.view_end_s) and t.view_end_s > t.view_start_s:
        ax.set_xlim(t.view_start_s, t.view_end_s)
        ticks, with_seconds = t.ticks()
        ax.xaxis.set_major_locator(FixedLocator(ticks))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: t.label(v, with_seconds=with_seconds)))
    ax.set_xlabel(t.axis_label)
    ax.grid(True, alpha=0.3)


def _visible(ctx: Context, table: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``table`` whose buckets overlap the shown span."""
    starts = table.index.to_numpy()
    width = _bucket_s(starts)
    if not math.isfinite(width):
        width = ctx.timeline.end_s - starts[0] if starts.size else 0.0
    return table[ctx.timeline.contains(starts, width)] if starts.size else table


def _step_series(ax, ctx: Context, mean, ci95, column, *, label, scale=1.0, **style) -> bool:
    """Bucket values as steps over [t_s, t_s + bucket), with the 95% band if known.
    Draws nothing and returns False when the shown span has no value."""
    shown = _visible(ctx, mean)
    y = shown[column].to_numpy() * scale
    if not np.isfinite(y).any():
        return False
    x = _step_edges(ctx, shown.index.to_numpy())
    y = np.append(y, y[-1])
    (line,) = ax.plot(x, y, drawstyle="steps-post", label=label, **style)
    if ci95 is not None and column in ci95:
        half = ci95.loc[shown.index, column].to_numpy() * scale
        half = np.append(half, half[-1])
        if np.nan_to_num(half).any():  # a deterministic series (lambda(t)) has no band
            ax.fill_between(x, y - half, y + half, step="post", color=line.get_color(),
                            alpha=_BAND_ALPHA, linewidth=0, gid="ci95-band")
    return True


def _step_edges(ctx: Context, starts: np.ndarray) -> np.ndarray:
    # The last bucket ends at the run's end (it may be partial).
    if starts.size == 0:
        return starts
    end = ctx.timeline.end_s
    width = _bucket_s(starts)
    last = starts[-1] + width if math.isfinite(width) else end
    return np.append(starts, min(last, end) if math.isfinite(end) else last)


def _legend(ax, ctx: Context, notes=(), *, bands: bool = True, handles: dict | None = None) -> None:
    if handles is None:
        handles = dict(zip(*reversed(ax.get_legend_handles_labels())))
    has_bands = bands and any(getattr(c, "get_gid", lambda: None)() == "ci95-band"
                              for a in ax.figure.axes for c in a.collections)
    if has_bands:  # a line in its band, as the series are drawn
        handles[f"95% CI over {ctx.replications} replications"] = (
            Patch(facecolor="black", alpha=_BAND_ALPHA, linewidth=0), Line2D([], [], color="black"))
    for note in notes:
        handles[_wrap(note)] = Line2D([], [], linestyle="none")
    if not handles:
        return
    legend = ax.legend(list(handles.values()), list(handles), loc="upper left",
                       bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    for text in legend.get_texts()[len(handles) - len(notes):]:
        text.set_fontstyle("italic")


def _wrap(text: str, width: int = 34) -> str:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "\n".join(lines + [line])


def _slo_series(slo: dict) -> tuple[str, str]:
    return _scope_table(str(slo.get("scope", "all"))), LATENCY_COLUMNS[slo["metric"]]


def _scope_table(scope: str) -> str:
    kind, _, name = scope.partition(".")
    return {
        "journey": f"timeseries/journeys/{name}",
        "page": f"timeseries/pages/{name}",
        "service": f"timeseries/services/{name}",
    }.get(kind, "timeseries/sessions")


def _scope_colour(ctx: Context, scope: str) -> str:
    kind, _, name = scope.partition(".")
    if kind == "service":
        return ctx.services.get(name, _palette.NAME_PALETTE[0])
    if kind in ("journey", "page"):
        return ctx.journeys.get(name.partition(".")[0], _palette.NAME_PALETTE[0])
    return _palette.ALL_PAGES


def _overlaps(t: Timeline, span) -> bool:
    return span[1] > t.view_start_s and span[0] < t.view_end_s


def _has_column(results: ResultsFile, path: str, column: str) -> bool:
    table = results.table(path)
    return table is not None and column in table and len(table.index) > 0


def _time_unit(values) -> tuple[float, str]:
    finite = [np.nanmax(v) for v in values if v.size and np.isfinite(v).any()]
    return (1000.0, "ms") if finite and max(finite) < 1.0 else (1.0, "s")


def _bucket_s(starts: np.ndarray) -> float:
    return float(starts[1] - starts[0]) if starts.size >= 2 else float("nan")


def _duration_text(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "bucket"
    for unit, size in (("h", 3600), ("min", 60), ("s", 1)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)} {unit}"
    return f"{seconds:g} s"
