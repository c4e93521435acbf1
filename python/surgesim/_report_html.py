"""The self-contained HTML page of a report: headline figures, SLOs with the time ranges
they failed, lost revenue in full, and every panel embedded as a PNG.

Every value is written in its own unit: limits beside values (``≤ 5%`` beside
``1.12%``), money in the scenario's currency, short in headlines (``Rp 7.70 B``) and with
every digit in tables (``Rp 7,704,786,781``).
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Sequence

from ._money import money_compact, money_full, money_half_width_full
from ._numbers import is_number, lookup, significant
from ._panels import LATENCY_COLUMNS, Context, Panel

_CAUSES = ["abandoned", "slow", "rejected", "timeout", "pool_timeout", "error", "outage", "declined", "waiting"]
_STYLE = """
body { font-family: sans-serif; margin: 2em auto; max-width: 1050px; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { padding: 0.25em 0.8em; border-bottom: 1px solid #ddd; text-align: right; }
th:first-child, td:first-child { text-align: left; }
td.text { text-align: left; }
figure { margin: 1.5em 0; } img { max-width: 100%; }
figcaption .note { display: block; }
.meta, .note { color: #555; } .failed { color: #b00; font-weight: bold; }
.warning { border: 2px solid #b00; color: #b00; padding: 0.5em 1em; font-weight: bold; }
"""


def page(ctx: Context, panels: Sequence[Panel], skipped: Sequence[str]) -> str:
    results, summary = ctx.results, ctx.results.summary
    name = str(summary.get("scenario", results.path.stem if results.path else "run"))
    figures = "\n".join(_figure(p) for p in panels)
    notes = "".join(f'<p class="note">{html.escape(s)}</p>' for s in skipped)
    warning_html = "".join(f'<p class="warning">⚠ {html.escape(w)}</p>'
                           for w in (ctx.saturation(), ctx.warning()) if w)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>surgesim report: {html.escape(name)}</title>
<style>{_STYLE}</style>
</head>
<body>
<h1>surgesim report: {html.escape(name)}</h1>
<p class="meta">{html.escape(_run_description(ctx))}</p>
{warning_html}
<h2>Headline figures</h2>
{_headline_table(ctx)}
{_slo_table(ctx)}
{_lost_revenue_tables(summary)}
<h2>Over the {'zoomed span' if ctx.timeline.zoomed else 'run'}</h2>
{figures}
{notes}
</body>
</html>
"""


def notebook(ctx: Context) -> str:
    """A run as a notebook shows it: what was run, its warnings, the headline figures
    with their 95% half-widths and the SLOs (the failed ones in red)."""
    summary = ctx.results.summary
    warnings = "".join(f'<p style="color:#b00;font-weight:bold">⚠ {html.escape(w)}</p>'
                       for w in (ctx.saturation(), ctx.warning()) if w)
    slos = _slo_table(ctx).replace('<span class="failed">',
                                   '<span style="color:#b00;font-weight:bold">')
    return (f"<div><b>surgesim results: {html.escape(str(summary.get('scenario', 'run')))}</b>"
            f'<p style="color:#555">{html.escape(_run_description(ctx))}</p>{warnings}'
            f"{_headline_table(ctx)}{slos}</div>")


def _figure(panel: Panel) -> str:
    image = base64.b64encode(panel.png()).decode("ascii")
    notes = "".join(f'<span class="note">{html.escape(n)}</span>' for n in panel.notes)
    return (f'<figure id="{panel.name}"><img alt="{html.escape(panel.title)}" '
            f'src="data:image/png;base64,{image}">'
            f"<figcaption>{html.escape(panel.title)}{notes}</figcaption></figure>")


def _run_description(ctx: Context) -> str:
    results, s, t = ctx.results, ctx.results.summary, ctx.timeline
    parts = [f"file {results.path.name}"] if results.path else []
    n = ctx.replications
    parts.append(f"{n} replication{'s' if n != 1 else ''}")
    if "seed" in s:
        parts.append(f"seed {s['seed']}")
    if math.isfinite(t.end_s):
        parts.append(f"simulated {t.label(t.run_start_s)}–{t.label(t.end_s)}")
    if t.stats_start_s > t.run_start_s:
        parts.append(f"statistics from {t.label(t.stats_start_s, with_seconds=t.stats_start_s % 60 != 0)}")
    if t.zoomed:
        parts.append(f"pictures zoomed to {t.range_text(t.view_start_s, t.view_end_s)}")
    overrides = str(results.scenario_attributes.get("overrides") or "").strip()
    if overrides:
        parts.append("--set " + ", ".join(overrides.splitlines()))
    version = results.scenario_attributes.get("surgesim_version")
    if version:
        parts.append(f"surgesim {version}")
    if n >= 2:
        parts.append(f"± and bands: 95% confidence intervals over {n} replications")
    return " · ".join(parts)


def _headline_table(ctx: Context) -> str:
    summary = ctx.results.summary
    currency = str(summary.get("currency", ""))
    rows = [
        ("Sessions started", ("sessions", "started"), "count"),
        ("Sessions completed", ("sessions", "completed"), "count"),
        ("Sessions dropped", ("sessions", "dropped"), "count"),
        ("Sessions unfinished", ("sessions", "unfinished"), "count"),
        ("Drop rate", ("drop_rate",), "percent"),
        ("Orders", ("orders",), "count"),
        (f"Revenue ({currency})", ("revenue",), "money"),
        (f"Lost revenue ({currency})", ("lost_revenue", "total"), "money"),
        ("Page response mean", ("latency", "mean_s"), "seconds"),
        ("Page response p99", ("latency", "p99_s"), "quantile"),
    ]
    ci95 = summary.get("ci95") or {}
    cells = []
    for label, keys, kind in rows:
        value = lookup(summary, keys)
        if not is_number(value):
            continue
        half = lookup(ci95, keys)
        half = float(half) if is_number(half) else None
        if kind == "money":
            text = money_compact(value, currency, half)
        else:
            text = format_value(value, kind)
            if half == 0 and kind == "quantile" and ctx.replications >= 2:
                text += (f" ± 0: all {ctx.replications} replications fell in the same 0.5% "
                         "bucket of the quantile sketch")
            elif half is not None:
                text += f" ± {format_value(half, kind, digits=2)}"
        cells.append(f"<tr><td>{html.escape(label)}</td><td>{html.escape(text)}</td></tr>")
    return "<table>\n" + "\n".join(cells) + "\n</table>"


def _slo_table(ctx: Context) -> str:
    slos = ctx.results.summary.get("slo") or []
    if not slos:
        return ""
    rows = []
    for slo in slos:
        ok = bool(slo.get("ok"))
        kind = "seconds" if slo.get("metric") in LATENCY_COLUMNS else "percent"
        bound = "≥" if slo.get("bound") == "min" else "≤"
        cells = [
            html.escape(str(slo.get("name", ""))),
            html.escape(f"{slo.get('metric', '')} ({slo.get('scope', 'all')})"),
            html.escape(format_value(slo.get("value"), kind)),
            html.escape(f"{bound} {format_limit(slo.get('limit'), kind)}"),
            '<span class="ok">met</span>' if ok else '<span class="failed">failed</span>',
            html.escape(str(slo.get("failed_buckets", ""))),
            html.escape(", ".join(failing_ranges(slo, ctx)) or "—"),
        ]
        classes = ["text", "text", "", "", "text", "", "text"]
        rows.append("<tr>" + "".join(f'<td class="{c}">{v}</td>' if c else f"<td>{v}</td>"
                                     for c, v in zip(classes, cells)) + "</tr>")
    header = "".join(f"<th>{h}</th>" for h in
                     ("SLO", "metric (scope)", "whole run", "limit", "", "failed buckets",
                      "failed in"))
    return (f"<h2>Service-level objectives</h2>\n<table>\n<tr>{header}</tr>\n" + "\n".join(rows)
            + "\n</table>")


def failing_ranges(slo: dict, ctx: Context) -> list[str]:
    """The time ranges an SLO failed in, as clock times when the run has them."""
    clock = slo.get("failed_clock")
    if isinstance(clock, list) and all(isinstance(r, list) and len(r) == 2 for r in clock):
        return [f"{a}–{b}" for a, b in clock]
    ranges = [r for r in slo.get("failed_ranges") or [] if isinstance(r, list) and len(r) == 2]
    return [ctx.timeline.range_text(float(a), float(b)) for a, b in ranges]


def _lost_revenue_tables(summary: dict) -> str:
    lost = summary.get("lost_revenue")
    if not isinstance(lost, dict) or not is_number(lost.get("total")) or lost["total"] <= 0:
        return ""
    currency = str(summary.get("currency", ""))
    ci = ((summary.get("ci95") or {}).get("lost_revenue")) or {}
    services = summary.get("services") or {}
    by_cause = {c: lost.get("by_cause", {}).get(c) for c in _CAUSES if c in (lost.get("by_cause") or {})}
    tables = []
    for title, values, halves, extra in (
        ("cause", by_cause, ci.get("by_cause") or {}, None),
        ("service", lost.get("by_service") or {}, ci.get("by_service") or {}, "cost"),
    ):
        header = [title, "lost", "±", "share"] + (["instance cost"] if extra else [])
        rows = []
        for name, value in values.items():
            if not is_number(value) or (value == 0 and not extra):  # causes that lost nothing
                continue
            cells = [html.escape(name), money_full(value, currency),
                     money_half_width_full(halves[name], currency) if is_number(halves.get(name)) else "",
                     f"{100 * value / lost['total']:.2f}%"]
            if extra:
                cost = (services.get(name) or {}).get("cost")
                cells.append(money_full(cost, currency) if is_number(cost) else "—")
            rows.append("<tr>" + "".join(f"<td>{html.escape(c) if i else c}</td>"
                                         for i, c in enumerate(cells)) + "</tr>")
        tables.append(f"<h3>Lost revenue by {title}</h3>\n<table>\n<tr>"
                      + "".join(f"<th>{html.escape(h)}</th>" for h in header) + "</tr>\n"
                      + "\n".join(rows) + "\n</table>")
    return ("<h2>Lost revenue</h2>\n"
            f"<p>{html.escape(money_full(lost['total'], currency))} in all, by the cause that "
            "ended each session and by the service responsible.</p>\n" + "\n".join(tables))


def format_value(value, kind: str, *, digits: int | None = None) -> str:
    """A value in its kind's unit; ``digits`` significant digits (half-widths: 2)."""
    if not is_number(value):
        return "—"
    if kind == "count":
        if digits:
            return significant(value, digits)
        return f"{value:,.0f}" if abs(value) >= 100 else significant(value, 3)
    if kind == "percent":
        return significant(value * 100, digits or 3) + "%"
    if kind in ("seconds", "quantile"):
        if abs(value) < 1:
            return significant(value * 1000, digits or 3) + " ms"
        return significant(value, digits or 3) + " s"
    return significant(value, digits or 4)


def format_limit(value, kind: str) -> str:
    """A limit as written in the scenario, in the unit of its values: ``5%``, ``2 s``."""
    if not is_number(value):
        return "—"
    if kind == "percent":
        return f"{value * 100:g}%"
    return f"{value * 1000:g} ms" if abs(value) < 1 else f"{value:g} s"

