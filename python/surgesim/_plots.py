"""``Results.plot``: the report's panels for a run held in memory, as matplotlib Figures.

    results = surgesim.run("configs/harbolnas-1111.yaml", replications=4)
    results.plot.latency()                       # the latency panel of `surgesim report`
    results.plot.drops(zoom=("23:50", "00:30"))  # zoomed, as `--from 23:50 --to 00:30`
    results.report("night.html")                 # the whole report page

The figures are the ones `surgesim report` draws from a result file, so a notebook and
the command line show the same pictures. matplotlib is imported only when one is drawn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ._h5 import ResultsFile
    from ._results import Results


class Plots:
    """The panels of a run; each method returns a matplotlib Figure.

    ``zoom`` = (from, to) shows only that span: time points as seconds, durations
    (``"1h50m"``) or ``"HH:MM"`` (a clock time when the run has a ``start``), None for the
    run's own start or end. A panel the run has no data for raises ValueError saying why.
    """

    def __init__(self, results: Results):
        self._results = results

    def traffic(self, *, zoom: Any = None) -> Figure:
        """Arrival rate lambda(t) and the sessions that arrived."""
        return self._figure("traffic", zoom)

    def latency(self, *, zoom: Any = None) -> Figure:
        """Page response time (p99 of all pages, of each journey) with the latency SLOs."""
        return self._figure("latency", zoom)

    def drops(self, *, zoom: Any = None) -> Figure:
        """Drop-offs by cause, stacked."""
        return self._figure("drops", zoom)

    def services(self, *, zoom: Any = None) -> Figure:
        """Utilisation and serving instances per service."""
        return self._figure("services", zoom)

    def lost_revenue(self, *, zoom: Any = None) -> Figure:
        """Lost revenue by cause and by service."""
        return self._figure("lost-revenue", zoom)

    def waiting_room(self, *, zoom: Any = None) -> Figure:
        """Sessions waiting and active, and the wait in the room (a run with a waiting room)."""
        return self._figure("waiting-room", zoom)

    def _figure(self, name: str, zoom: Any) -> Figure:
        from . import report

        return report.figure(results_source(self._results), name, zoom=zoom)


def results_source(results: Results) -> ResultsFile:
    """A run in memory in the shape the report reads from result files."""
    import pandas as pd

    from ._h5 import ResultsFile

    tables = {}
    for path, series in results.series.items():
        t = series.columns.index("t_s")
        index = pd.Index(series.mean[t], name="t_s")
        kinds = {"mean": _frame(series.columns, series.mean, index, t)}
        if series.ci95 is not None:
            kinds["ci95"] = _frame(series.columns, series.ci95, index, t)
        tables[path] = kinds
    return ResultsFile(path=None, summary=results.summary, replications=results.replications,
                       attributes={}, scenario_attributes={}, tables=tables)


def _frame(columns, values, index, time_column: int):
    import pandas as pd

    return pd.DataFrame({name: values[c] for c, name in enumerate(columns) if c != time_column},
                        index=index)
