"""surgesim size: the cheapest whole-number sizing for which every SLO holds.

    web = ("services.web.autoscale.min", "services.web.instances")  # one value for both
    best = surgesim.size(sc, vary={web: (8, 40), "services.database.connections": (16, 128)})
    surgesim size configs/harbolnas-1111.yaml \
        --vary services.web.autoscale.min,services.web.instances=8..40 ...

A point (one value per varied key path) is **feasible** when, over the whole run, the
one-sided ``confidence`` bound of every SLO's metric across the replications (mean +
t(confidence, n-1) s/sqrt(n) for a ``max``, mean - ... for a ``min``) is within its
limit, no time bucket fails (buckets judged on the mean over replications, as in the
summary), and the run is not saturated. Its **cost** is what the instances cost over the
statistics window (``cost_per_instance_hour``), plus the mean lost revenue with
``objective="cost+lost_revenue"``. Ties go to the smallest values, in ``vary`` order.

The search never runs the whole grid. It assumes that more capacity does not hurt: when
the top of every range is infeasible nothing is, and the feasible points lie above a
frontier. From the analytic estimate's starting point it finds a frontier point by
bisecting each range in turn (several probes per round, one per core), walks along the
frontier by coordinate descent on the objective (raising one value and lowering the
others as far as they go, or the reverse), and for ``cost+lost_revenue`` also tries more
capacity than the frontier needs. Every point shares the seed (common random numbers).
Finally the chosen point and each neighbour one unit cheaper are run again with more
replications; a neighbour that then holds every SLO replaces it, and a chosen point
that no longer does gives way to its cheapest feasible neighbour one unit up.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ._errors import ScenarioError
from ._execute import Evaluation, local_cores, run_points
from ._scenario import Scenario, as_scenario
from ._student_t import quantile

__all__ = ["size", "SizeResult", "NoFeasiblePoint", "main"]

OBJECTIVES = ("cost", "cost+lost_revenue")


@dataclass(frozen=True)
class Judgement:
    """One point run with some replications, judged."""

    values: tuple[int, ...]
    replications: int
    feasible: bool
    why: tuple[str, ...]  # what fails (empty when feasible)
    cost: float
    cost_ci95: float
    lost_revenue: float
    lost_revenue_ci95: float
    objective: float
    slo: tuple[dict[str, Any], ...]  # the summary's SLO entries, with "confidence_bound"
    summary: dict[str, Any] = field(repr=False)


@dataclass
class SizeResult:
    """What ``surgesim.size`` found.

    ``values``: the chosen value of each varied key path; ``cost`` and ``lost_revenue``
    (means over the confirming run's replications, with ``cost_ci95`` and
    ``lost_revenue_ci95``); ``objective``; ``slo``: the summary's SLO entries, each with
    ``bound``, the one-sided confidence bound it was judged on; ``summary``: the whole
    summary of the confirming run; ``evaluated``: every point run, as a DataFrame (the
    varied values, replications, cost, lost_revenue, objective, ok, why, stage);
    ``replications`` and ``confirm_replications``; ``grid_size``: how many points the
    ranges hold (the search ran ``len(evaluated)`` of them).
    """

    values: dict[str, int]
    cost: float
    cost_ci95: float
    lost_revenue: float
    lost_revenue_ci95: float
    objective: float
    slo: list[dict[str, Any]]
    summary: dict[str, Any]
    evaluated: Any
    replications: int
    confirm_replications: int
    grid_size: int

    def to_json(self) -> dict[str, Any]:
        """The shape ``surgesim size --format json`` prints."""
        return {
            "values": self.values, "cost": self.cost, "lost_revenue": self.lost_revenue,
            "slo": self.slo,
            "evaluated": [{"values": _values_dict(row), "cost": _json_number(row["cost"]),
                           "ok": bool(row["ok"]), "replications": int(row["replications"]),
                           "stage": row["stage"]}
                          for _, row in self.evaluated.iterrows()],
            "objective": self.objective, "cost_ci95": _json_number(self.cost_ci95),
            "lost_revenue_ci95": _json_number(self.lost_revenue_ci95),
            "replications": self.replications, "confirm_replications": self.confirm_replications,
            "grid_size": self.grid_size,
        }

    def __repr__(self) -> str:
        values = ", ".join(f"{k}={v}" for k, v in self.values.items())
        return (f"<SizeResult {values}: cost {self.cost:,.6g} ± {self.cost_ci95:,.2g}, "
                f"{len(self.evaluated)} of {self.grid_size} points run>")


class NoFeasiblePoint(Exception):
    """Nothing in the ranges holds every SLO: even the top of every range fails.
    ``why`` says what fails there; ``evaluated`` holds the points run."""

    def __init__(self, message: str, why: Sequence[str], evaluated: Any):
        super().__init__(message)
        self.why = list(why)
        self.evaluated = evaluated


def size(scenario: Scenario | str, vary: Mapping[str | tuple[str, ...], tuple[int, int]], *,
         objective: str = "cost", confidence: float = 0.95, replications: int | None = None,
         confirm_replications: int | None = None, seed: int | None = None,
         executor: Any = None, progress: bool = True, force: bool = False) -> SizeResult:
    """The cheapest point of ``vary`` (``{key path: (lo, hi)}``, inclusive whole-number
    ranges) that holds every SLO; see the module docstring for what that means and how
    it is found. A key may be a tuple of key paths that take the same value, such as a
    pool's ``autoscale.min`` with its starting ``instances``.

    ``replications`` (default: the scenario's, at least 3) run every point of the search,
    ``confirm_replications`` (default: twice as many) the chosen point and its cheaper
    neighbours at the end. ``seed`` defaults to the scenario's. ``executor`` as for
    ``sweep`` (None: every local core; a ``dask.distributed.Client``: its cluster).
    Raises NoFeasiblePoint when nothing in the ranges holds the SLOs, ValueError for
    ranges or options that cannot be searched, and ScenarioError when a point's work
    estimate says it cannot finish (over an hour on one core) unless ``force=True``,
    which runs every point as ``run(force=True)`` would.
    """
    base = as_scenario(scenario)
    search = _Search(base, vary, objective=objective, confidence=confidence,
                     replications=replications, confirm_replications=confirm_replications,
                     seed=seed, executor=executor, progress=progress, force=force)
    return search.run()


class _Search:
    def __init__(self, base: Scenario, vary: Mapping[str, tuple[int, int]], *, objective: str,
                 confidence: float, replications: int | None, confirm_replications: int | None,
                 seed: int | None, executor: Any, progress: bool, words: str = "python",
                 origin=None, force: bool = False):
        if objective not in OBJECTIVES:
            raise ValueError(f"objective must be one of {', '.join(OBJECTIVES)}, found {objective!r}")
        if not 0.5 <= confidence < 1.0:
            raise ValueError(f"confidence must be in [0.5, 1), found {confidence!r}")
        if not vary:
            raise ValueError("vary must name at least one key path with its (lo, hi) range")
        self.base = base
        # A dimension is one key path, or several that take the same value (a pool's
        # autoscale.min with its starting instances).
        self.dims = [(key,) if isinstance(key, str) else tuple(key) for key in vary]
        self.names = [",".join(dim) for dim in self.dims]
        self.ranges = [_whole_range(name, bounds) for name, bounds in zip(self.names, vary.values())]
        self.objective_name = objective
        self.confidence = confidence
        default = max(int(base.info()["replications"]), 3)
        self.replications = default if replications is None else replications
        if self.replications < 2:
            raise ValueError(f"replications must be at least 2 for a confidence bound, "
                             f"found {self.replications}")
        self.confirm_replications = (2 * self.replications if confirm_replications is None
                                     else confirm_replications)
        if self.confirm_replications < self.replications:
            raise ValueError(f"confirm_replications must be at least replications "
                             f"({self.replications}), found {self.confirm_replications}")
        self.seed = seed
        self.executor = executor
        self.words = words
        self.force = force
        self.origin = origin or (lambda path, value: f"size(vary={{{path!r}: {value}}})")
        self.parallel = _parallelism(executor)
        self.judged: dict[tuple[tuple[int, ...], int], Judgement] = {}
        self.log: list[tuple[Judgement, str]] = []
        self.bar = _bar() if progress else None

    # --- the search ------------------------------------------------------------------------

    def run(self) -> SizeResult:
        try:
            top = tuple(hi for _, hi in self.ranges)
            start = self._estimate_start()
            first = self._judge([top, start] if start != top else [top], "top and estimate")
            if not first[0].feasible:
                raise NoFeasiblePoint(
                    f"no point in the ranges meets the SLOs: even the top of every range "
                    f"({self._describe(top)}) fails: {'; '.join(first[0].why)}",
                    first[0].why, self._evaluated())
            # Down from the estimate's point when it holds the SLOs, else from the top.
            origin = start if first[-1].feasible else top
            best = self._frontier_point(origin, hint=start)
            if len(best) > 1 or self.objective_name != "cost":
                best = self._descend(best)
            return self._confirm(best)
        finally:
            if self.bar is not None:
                self.bar.close()

    def _frontier_point(self, x: tuple[int, ...], hint: tuple[int, ...] | None = None,
                        dims: Sequence[int] | None = None) -> tuple[int, ...]:
        """From a feasible ``x``, lower each dimension in turn (in vary order) as far as it
        stays feasible with the others where they are."""
        x = list(x)
        for d in range(len(x)) if dims is None else dims:
            low = self.ranges[d][0]
            guess = None if hint is None else min(max(hint[d], low), x[d])
            x[d] = self._lowest(x, d, low, x[d], guess)
        return tuple(x)

    def _lowest(self, x: list[int], d: int, low: int, feasible_at: int,
                guess: int | None = None) -> int:
        """The smallest v in [low, feasible_at] with x[d] = v feasible (it is at
        ``feasible_at``), a probe per core each round. Next to a point already judged
        (the estimate's, or one run before), the first round gallops away from it (one,
        two, four units...), since the answer is usually close; then k-section."""
        bad, good = low - 1, feasible_at  # bad: known infeasible (or below the range)
        for (values, n), judged in self.judged.items():  # what earlier runs already tell
            if n == self.replications and list(values[:d]) == x[:d] and \
                    list(values[d + 1:]) == x[d + 1:] and low <= values[d] <= feasible_at:
                if judged.feasible:
                    good = min(good, values[d])
                elif bad < values[d] < good:
                    bad = values[d]
        gallop = None
        if guess is not None:
            gallop = +1 if bad == guess else -1 if good == guess else None
        while good - bad > 1:
            count = min(self.parallel, good - bad - 1)
            if gallop is not None:
                edge = bad if gallop > 0 else good
                probes = [edge + gallop * 2 ** k for k in range(count)]
                gallop = None
            else:
                spacing = (good - bad) / (count + 1)
                probes = [bad + round(spacing * (k + 1)) for k in range(count)]
            probes = sorted(set(v for v in probes if bad < v < good))
            points = [tuple(x[:d] + [v] + x[d + 1:]) for v in probes]
            judged = self._judge(points, f"bisect {self.names[d]}")
            good = min([good] + [v for v, j in zip(probes, judged) if j.feasible])
            # Monotone: the highest probe below it that fails bounds it from below.
            bad = max([bad] + [v for v, j in zip(probes, judged) if not j.feasible and v < good])
        return good

    def _descend(self, x: tuple[int, ...]) -> tuple[int, ...]:
        """Coordinate descent on the objective along the feasible frontier (and, for
        cost+lost_revenue, above it): per dimension, steps of 1, 2, 4, ... while the
        objective improves."""
        improved = True
        while improved:
            improved = False
            for d in range(len(x)):
                for direction in (+1, -1):
                    y = self._line(x, d, direction)
                    if y != x:
                        x, improved = y, True
        return x

    def _line(self, x: tuple[int, ...], d: int, direction: int) -> tuple[int, ...]:
        best = x
        step = 1
        while True:
            value = x[d] + direction * step
            low, high = self.ranges[d]
            if not low <= value <= high:
                return best
            y = self._neighbour_on_frontier(x, d, value)
            if y is None or not self._better(self._at(y), self._at(best)):
                return best
            best, step = y, 2 * step

    def _neighbour_on_frontier(self, x: tuple[int, ...], d: int, value: int) -> tuple[int, ...] | None:
        """The point with x[d] = value and the other values as low as they go (raised
        first when value is below x[d], lowered when above); None when none is feasible.
        For cost+lost_revenue, the point with only x[d] changed competes too."""
        others = [i for i in range(len(x)) if i != d]
        candidates = []
        if self.objective_name == "cost+lost_revenue":
            plain = x[:d] + (value,) + x[d + 1:]
            if self._judge([plain], f"step {self.names[d]}")[0].feasible:
                candidates.append(plain)
        if others:
            if value > x[d]:
                raised = x[:d] + (value,) + x[d + 1:]
            else:
                raised = tuple(value if i == d else self.ranges[i][1] for i in range(len(x)))
            if self._judge([raised], f"frontier {self.names[d]}")[0].feasible:
                candidates.append(self._frontier_point(raised, hint=x, dims=others))
        elif value > x[d] and not candidates:
            return None  # one dimension, cost: more is never cheaper
        elif not candidates and self._judge([(value,)], f"step {self.names[d]}")[0].feasible:
            candidates.append((value,))
        if not candidates:
            return None
        return min(candidates, key=lambda c: self._rank(self._at(c)))

    # --- confirmation ----------------------------------------------------------------------

    def _confirm(self, x: tuple[int, ...]) -> SizeResult:
        n = self.confirm_replications
        top = tuple(hi for _, hi in self.ranges)
        seen: set[tuple[int, ...]] = set()
        while x not in seen:
            seen.add(x)
            cheaper = [x[:d] + (x[d] - 1,) + x[d + 1:] for d in range(len(x))
                       if x[d] > self.ranges[d][0]]
            judged = self._judge([x] + cheaper, "confirm", replications=n)
            chosen, neighbours = judged[0], [j for j in judged[1:] if j.feasible]
            better = [j for j in neighbours if not chosen.feasible or self._better(j, chosen)]
            if chosen.feasible and not better:
                return self._result(chosen)
            if better:
                x = min(better, key=self._rank).values
                continue
            # It held the SLOs only by chance: one unit more of one value, the cheapest
            # that holds them, else one more of every value.
            up = [x[:d] + (x[d] + 1,) + x[d + 1:] for d in range(len(x))
                  if x[d] < self.ranges[d][1]]
            feasible_up = [j for j in self._judge(up, "confirm", replications=n) if j.feasible]
            if feasible_up:
                x = min(feasible_up, key=self._rank).values
            else:
                x = tuple(min(v + 1, hi) for v, (_, hi) in zip(x, self.ranges))
        raise NoFeasiblePoint(
            f"no point in the ranges holds the SLOs when run with {n} replications: "
            f"{'even the top of every range fails' if top in seen else 'the search went round'}",
            (), self._evaluated())

    # --- judging points --------------------------------------------------------------------

    def _at(self, x: tuple[int, ...]) -> Judgement:
        return self.judged[(x, self.replications)]

    def _rank(self, j: Judgement) -> tuple[float, tuple[int, ...]]:
        return (j.objective, j.values)

    def _better(self, a: Judgement, b: Judgement) -> bool:
        return self._rank(a) < self._rank(b)

    def _judge(self, points: Sequence[tuple[int, ...]], stage: str,
               replications: int | None = None) -> list[Judgement]:
        n = self.replications if replications is None else replications
        missing = list(dict.fromkeys(p for p in points if (p, n) not in self.judged))
        if missing:
            scenarios = [self._scenario(p) for p in missing]
            evaluations = run_points(scenarios, replications=n, seed=self.seed,
                                     executor=self.executor, progress=False, words=self.words,
                                     force=self.force)
            for p, e in zip(missing, evaluations):
                judged = self._judgement(p, n, e)
                self.judged[(p, n)] = judged
                self.log.append((judged, stage))
            if self.bar is not None:
                self.bar.update(len(missing))
        return [self.judged[(p, n)] for p in points]

    def _scenario(self, values: tuple[int, ...]) -> Scenario:
        return self.base._with([(path, str(v), self.origin(name, v))
                                for dim, name, v in zip(self.dims, self.names, values)
                                for path in dim])

    def _judgement(self, values: tuple[int, ...], n: int, e: Evaluation) -> Judgement:
        summary = e.summary
        why: list[str] = []
        if e.stopped is not None:
            why.append("overloaded: " + e.stopped)
        elif summary.get("saturated"):
            why.append("saturated: " + ", ".join(summary.get("saturated_services", [])))
        slos = []
        for i, slo in enumerate(summary.get("slo", [])):
            values_i = [r[i] for r in e.slo_replications if r[i] is not None]
            bound = _bound(values_i, slo["bound"] == "max", self.confidence, slo.get("value"))
            entry = dict(slo, confidence_bound=bound)
            slos.append(entry)
            if slo["failed_buckets"] > 0:
                why.append(f"{slo['name']}: {slo['failed_buckets']} failed buckets")
            if bound is not None and (bound > slo["limit"] if slo["bound"] == "max"
                                      else bound < slo["limit"]):
                sign = "above" if slo["bound"] == "max" else "below"
                why.append(f"{slo['name']}: {self.confidence:.0%} bound {bound:.6g} {sign} "
                           f"the limit {slo['limit']:.6g}")
        from ._sweep import mean_and_half_width

        cost, cost_ci = mean_and_half_width(e.cost_replications)
        lost, lost_ci = mean_and_half_width(e.lost_revenue_replications)
        objective = cost + (lost if self.objective_name == "cost+lost_revenue" else 0.0)
        return Judgement(values, n, not why, tuple(why), cost, cost_ci, lost, lost_ci, objective,
                         tuple(slos), summary)

    # --- results ---------------------------------------------------------------------------

    def _result(self, chosen: Judgement) -> SizeResult:
        return SizeResult(
            values=self._values(chosen.values), cost=chosen.cost,
            cost_ci95=chosen.cost_ci95, lost_revenue=chosen.lost_revenue,
            lost_revenue_ci95=chosen.lost_revenue_ci95, objective=chosen.objective,
            slo=list(chosen.slo), summary=chosen.summary, evaluated=self._evaluated(),
            replications=self.replications, confirm_replications=self.confirm_replications,
            grid_size=math.prod(hi - lo + 1 for lo, hi in self.ranges))

    def _evaluated(self):
        import pandas as pd

        rows = [{**self._values(j.values), "replications": j.replications,
                 "cost": j.cost, "lost_revenue": j.lost_revenue, "objective": j.objective,
                 "ok": j.feasible, "why": "; ".join(j.why), "stage": stage}
                for j, stage in self.log]
        paths = [path for dim in self.dims for path in dim]
        return pd.DataFrame(rows, columns=[*paths, "replications", "cost", "lost_revenue",
                                           "objective", "ok", "why", "stage"])

    def _describe(self, x: Sequence[int]) -> str:
        return ", ".join(f"{p}={v}" for p, v in zip(self.names, x))

    def _values(self, x: Sequence[int]) -> dict[str, int]:
        """Every key path with its value (the paths of one dimension share theirs)."""
        return {path: v for dim, v in zip(self.dims, x) for path in dim}

    def _estimate_start(self) -> tuple[int, ...]:
        """Where the analytic estimate says each range's answer lies: the most instances
        (connections, workers) any time bucket needs, for key paths that size a service
        by its own unit; the middle of the range otherwise."""
        from . import estimate

        needed: dict[str, float] = {}
        try:
            frame = estimate(self.base)
            needed = frame.groupby("service")["instances_needed"].max().to_dict()
        except ValueError:
            pass
        start = []
        for dim, (lo, hi) in zip(self.dims, self.ranges):
            guess = None
            for path in dim:
                parts = path.split(".")
                unit = parts[2:] in (["instances"], ["autoscale", "min"], ["connections"],
                                     ["workers"])
                if len(parts) >= 3 and parts[0] == "services" and unit:
                    guess = needed.get(parts[1])
            if guess is None or not math.isfinite(guess):
                guess = (lo + hi) // 2
            start.append(int(min(max(guess, lo), hi)))
        return tuple(start)


def _whole_range(path: str, bounds: Any) -> tuple[int, int]:
    try:
        lo, hi = bounds
    except (TypeError, ValueError):
        raise ValueError(f"vary[{path!r}] must be a (lo, hi) range, found {bounds!r}") from None
    for v in (lo, hi):
        if isinstance(v, bool) or not float(v).is_integer():
            raise ValueError(f"every value size varies must be a whole number (instances, "
                             f"workers, connections, concurrency, max_active): {path} has {v!r}")
    lo, hi = int(lo), int(hi)
    if lo > hi:
        raise ValueError(f"vary[{path!r}]: expected lo <= hi, found ({lo}, {hi})")
    return lo, hi


def _bound(values: Sequence[float], is_max: bool, confidence: float,
           summary_value: Any) -> float | None:
    """The one-sided confidence bound of the mean; with fewer than two observations,
    the value itself (None without one: no observation passes, as in the summary)."""
    n = len(values)
    if n == 0:
        return None if summary_value is None else float(summary_value)
    mean = math.fsum(values) / n
    if n < 2:
        return mean
    sd = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1))
    margin = quantile(confidence, n - 1) * sd / math.sqrt(n)
    return mean + margin if is_max else mean - margin


def _parallelism(executor: Any) -> int:
    if executor is None:
        return local_cores()
    if hasattr(executor, "nthreads"):  # a dask.distributed.Client
        try:
            return max(1, sum(executor.nthreads().values()))
        except Exception:  # noqa: BLE001 - a cluster that cannot say runs one at a time
            return 1
    return max(1, getattr(executor, "_max_workers", 1))


def _bar():
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm(desc="size", unit="run")


def _values_dict(row) -> dict[str, int]:
    return {k: int(v) for k, v in row.items()
            if k not in ("replications", "cost", "lost_revenue", "objective", "ok", "why", "stage")}


def _json_number(value: float) -> float | None:
    return value if math.isfinite(value) else None


# --- the command line ----------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    from ._sweep import cli_scenario

    parser = argparse.ArgumentParser(
        prog="surgesim size",
        description="The cheapest whole-number sizing in the --vary ranges for which every "
                    "SLO holds (exit 3 when none does).")
    parser.add_argument("file")
    parser.add_argument("--vary", action="append", default=[], required=True,
                        help="KEY.PATH[,KEY.PATH...]=LO..HI (inclusive, whole numbers; key "
                             "paths joined by commas take the same value; repeatable)")
    parser.add_argument("--set", action="append", default=[])
    parser.add_argument("--objective", choices=OBJECTIVES, default="cost")
    parser.add_argument("--confidence", type=float, default=0.95)
    parser.add_argument("-r", "--replications", type=int)
    parser.add_argument("--confirm-replications", type=int)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--format", choices=["text", "json"], default="text")
    parser.add_argument("-q", "--quiet", action="store_true")
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args(argv)
    try:
        vary = dict(_parse_range(option) for option in args.vary)
        vary = {tuple(key.split(",")) if "," in key else key: bounds for key, bounds in vary.items()}
        base = cli_scenario(args.file, args.set)
        search = _Search(base, vary, objective=args.objective, confidence=args.confidence,
                         replications=args.replications,
                         confirm_replications=args.confirm_replications, seed=args.seed,
                         executor=None, progress=not args.quiet and sys.stderr.isatty(),
                         words="command_line",
                         origin=lambda path, value: f"--vary {path}={value}", force=args.force)
        result = search.run()
    except NoFeasiblePoint as e:
        if args.format == "json":
            print(json.dumps({"values": None, "error": str(e), "why": e.why,
                              "evaluated": _evaluated_json(e.evaluated)}, indent=2))
        print(f"error: {e}", file=sys.stderr)
        return 3
    except (ScenarioError, ValueError, OSError) as e:
        print(f"error: {_flags(str(e))}", file=sys.stderr)
        return 2
    if args.format == "json":
        print(json.dumps(result.to_json(), indent=2))
    else:
        print(_text(result))
    return 0


def _parse_range(option: str) -> tuple[str, tuple[int, int]]:
    path, equals, text = option.partition("=")
    low, dots, high = text.partition("..")
    try:
        if not (equals and path and dots):
            raise ValueError
        return path, (int(low), int(high))
    except ValueError:
        raise ScenarioError(
            f"--vary {option}: expected KEY.PATH=LO..HI with whole numbers, found {option!r}",
            f"--vary {option}", path, f"expected KEY.PATH=LO..HI with whole numbers, found {option!r}"
        ) from None


def _flags(message: str) -> str:
    """Messages of _Search in the command line's words."""
    for word, flag in (("confirm_replications", "--confirm-replications"),
                       ("replications", "--replications"), ("confidence", "--confidence"),
                       ("objective", "--objective"), ("vary", "--vary")):
        message = message.replace(word + " must", flag + " must")
    return message


def _evaluated_json(frame) -> list[dict[str, Any]]:
    return [{"values": _values_dict(row), "cost": _json_number(row["cost"]), "ok": bool(row["ok"])}
            for _, row in frame.iterrows()]


def _text(result: SizeResult) -> str:
    lines = ["cheapest sizing that holds every SLO "
             f"(confirmed with {result.confirm_replications} replications):"]
    lines += [f"  {path} = {value}" for path, value in result.values.items()]
    lines.append(f"cost {result.cost:,.2f} ± {result.cost_ci95:,.2g}, lost revenue "
                 f"{result.lost_revenue:,.2f} ± {result.lost_revenue_ci95:,.2g}")
    for slo in result.slo:
        sign = "<=" if slo["bound"] == "max" else ">="
        bound = "—" if slo["confidence_bound"] is None else f"{slo['confidence_bound']:.6g}"
        lines.append(f"  {slo['name']}: {slo['metric']} bound {bound} {sign} {slo['limit']:.6g}, "
                     f"{slo['failed_buckets']} failed buckets")
    lines.append(f"{len(result.evaluated)} runs of {result.grid_size} points in the ranges")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
