"""surgesim report: pictures of a results file (`surgesim run -o results.h5`).

    surgesim report results.h5                  # results-report.html beside the file
    surgesim report results.h5 -o day.html      # one self-contained HTML page
    surgesim report results.h5 -o day.png       # day-traffic.png, day-latency.png, ...
    surgesim report results.h5 --from 23:50 --to 00:30    # zoomed to that span

From Python: ``surgesim.report.render("results.h5", "day.html", zoom=("23:50", "00:30"))``,
and for a run in memory ``results.plot.latency()`` (a matplotlib Figure) or
``results.report("day.html")``.

Panels: traffic (lambda(t)), latency (page p99 over time with the SLO limits and the
time ranges they failed in), drops (drop-offs by cause, stacked), services (utilisation
and instances), lost-revenue (by cause and by service) and, with a waiting room,
waiting-room (sessions waiting and active, the wait's p95). The statistics window fills
the axes, the warm-up is a thin grey strip before it; each cause and each service keeps
its colour in every panel and every report. A panel whose data the run did not produce
is left out, and a line a panel cannot draw is named with the reason. Bands are 95%
confidence intervals, labelled with the number of replications they come from; fewer
than three replications are flagged on every figure and on the page.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Optional

from ._requirements import exit_for_missing_module, missing_module

try:
    import numpy as np

    from . import _panels, _report_html
    from ._h5 import NotAResultsFile, PathLike, ResultsFile, read
    from ._panels import Panel
    from ._timeline import timeline
except ImportError as error:
    if __name__ == "__main__":
        exit_for_missing_module(error, "surgesim report")
    raise missing_module(error, "surgesim.report") from error

__all__ = ["render", "write", "figure", "build_panels", "output_path", "main", "PANELS", "Panel"]

PANELS = list(_panels.BUILDERS)
Zoom = Optional[tuple[object, object]]  # (from, to) time points; None: the run's own


def render(path: PathLike, out: PathLike | None = None, *, zoom: Zoom = None) -> list[Path]:
    """Write the report of the results file ``path``; return the files written.

    ``out`` ending in ``.html`` gives one page with every panel embedded; ending in
    ``.png`` gives one PNG per panel, named ``<out stem>-<panel>.png``. Default:
    ``<results stem>-report.html`` beside the results file. ``zoom`` = (from, to) shows
    only that span: each a time point (seconds, a duration such as ``"1h50m"``, or
    ``"HH:MM"``, a clock time when the run has a ``start``), or None for the run's own
    end. Raises NotAResultsFile (a ValueError) when ``path`` is not a surgesim results
    file, and ValueError for a zoom outside the run.
    """
    return write(read(path), output_path(path, out), zoom=zoom)


def write(results: ResultsFile, out: Path, *, zoom: Zoom = None) -> list[Path]:
    """Write the report of ``results`` to ``out`` (.html or .png, as ``render``)."""
    ctx = _context(results, zoom)
    panels, skipped = _build(ctx)
    if out.suffix.lower() == ".png":
        written = []
        for panel in panels:
            target = out.with_name(f"{out.stem}-{panel.name}.png")
            target.write_bytes(panel.png())
            written.append(target)
        return written
    out.write_text(_report_html.page(ctx, panels, skipped), encoding="utf-8")
    return [out]


def figure(results: ResultsFile, name: str, *, zoom: Zoom = None):
    """One panel (a name of PANELS) as a matplotlib Figure; ValueError when the run has
    no data for it (the message says why)."""
    if name not in _panels.BUILDERS:
        raise ValueError(f"no panel '{name}'; panels: {', '.join(PANELS)}")
    made = _panels.BUILDERS[name](_context(results, zoom))
    if made is None:
        raise ValueError(f"the run has no data for the panel '{name}'")
    if isinstance(made, str):
        raise ValueError(made)
    return made.figure


def build_panels(results: ResultsFile, *, zoom: Zoom = None) -> tuple[list[Panel], list[str]]:
    """The panels this run has data for, and a sentence for each one left out."""
    return _build(_context(results, zoom))


def output_path(results: PathLike | None, out: PathLike | None) -> Path:
    """Where the report goes; raises ValueError for a suffix other than .html/.png."""
    if out is None:
        if results is None:
            raise ValueError("say where the report goes: a .html or .png path")
        results = Path(results)
        return results.with_name(results.stem + "-report.html")
    out = Path(out)
    if out.suffix.lower() not in (".html", ".htm", ".png"):
        raise ValueError(f"{out}: a report is written as .html or .png, not '{out.suffix}'")
    return out


def _build(ctx: _panels.Context) -> tuple[list[Panel], list[str]]:
    panels, skipped = [], []
    for build in _panels.BUILDERS.values():
        made = build(ctx)
        if made is None:  # a panel for something this run does not have (a waiting room)
            continue
        (panels if isinstance(made, Panel) else skipped).append(made)
    return panels, skipped


def _context(results: ResultsFile, zoom: Zoom) -> _panels.Context:
    summary = results.summary
    if "duration_s" not in summary:  # an older file: the tables say how long the run was
        ends = [t.index[-1] + (t.index[1] - t.index[0] if len(t.index) > 1 else 0.0)
                for t in (kinds["mean"] for kinds in results.tables.values()) if len(t.index)]
        summary = {**summary, "duration_s": float(max(ends, default=np.nan))}
        results = dataclasses.replace(results, summary=summary)
    return _panels.context(results, timeline(summary, zoom))


# --- command line ---------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="surgesim report", description="Render a report of a surgesim results file.")
    parser.add_argument("results", help="results file written by `surgesim run -o`")
    parser.add_argument("-o", "--output",
                        help="report.html (one page) or report.png (one PNG per panel); "
                             "default: <results>-report.html beside the results file")
    parser.add_argument("--from", dest="zoom_from", metavar="TIME",
                        help="show the run from this time point on: seconds, a duration "
                             "(1h50m) or HH:MM (a clock time when the run has a start)")
    parser.add_argument("--to", dest="zoom_to", metavar="TIME",
                        help="show the run up to this time point")
    args = parser.parse_args(argv)
    zoom = None if args.zoom_from is None and args.zoom_to is None else (args.zoom_from, args.zoom_to)
    try:
        out = output_path(args.results, args.output)
        results = read(args.results)
        ctx = _context(results, zoom)
    except (NotAResultsFile, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    try:
        written = write(ctx.results, out, zoom=zoom)
    except OSError as e:
        print(f"error: cannot write the report: {e}", file=sys.stderr)
        return 1
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
