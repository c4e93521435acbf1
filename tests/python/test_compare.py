"""surgesim compare: the Student-t CDF and Welch's test behind it, the comparison of two
results files (results_files.py), and the CLI's output and exit statuses."""

from __future__ import annotations

import json
import math
import random
import subprocess
from pathlib import Path

import pytest

from results_files import ShopLevels, levels_with, write_results
from surgesim import compare as compare_module
from surgesim._h5 import NotAResultsFile
from surgesim._student_t import cdf, regularized_incomplete_beta, welch_test

# --- Student-t CDF ---------------------------------------------------------------------

# (quantile t_{p, df}, p): printed tables (Abramowitz & Stegun 26.10) to 10 digits, and
# for fractional df scipy.stats.t.ppf.
KNOWN_QUANTILES = [
    (2.228138852, 10, 0.975),
    (12.70620474, 1, 0.975),
    (4.302652730, 2, 0.975),
    (2.015048373, 5, 0.95),
    (2.749995654, 30, 0.995),
    (1.959963985, math.inf, 0.975),
    (3.5746548420118773, 2.5, 0.975),
    (1.8829300179371542, 7.3, 0.95),
    (10.214531852405331, 3, 0.999),
]


@pytest.mark.parametrize("quantile, df, p", KNOWN_QUANTILES)
def test_cdf_at_known_quantiles(quantile: float, df: float, p: float) -> None:
    assert cdf(quantile, df) == pytest.approx(p, abs=1e-9)
    assert cdf(-quantile, df) == pytest.approx(1.0 - p, abs=1e-9)


def test_cdf_matches_the_closed_forms_for_one_and_two_degrees_of_freedom() -> None:
    # df = 1 is Cauchy: 1/2 + atan(t)/pi; df = 2: 1/2 + t / (2 sqrt(2 + t^2)).
    for step in range(-400, 401):
        t = step / 8.0
        assert cdf(t, 1) == pytest.approx(0.5 + math.atan(t) / math.pi, abs=1e-13)
        assert cdf(t, 2) == pytest.approx(0.5 + t / (2.0 * math.sqrt(2.0 + t * t)), abs=1e-13)


def test_incomplete_beta_edges_and_symmetry() -> None:
    assert regularized_incomplete_beta(0.0, 2.0, 3.0) == 0.0
    assert regularized_incomplete_beta(1.0, 2.0, 3.0) == 1.0
    # I_x(1, 1) = x, and I_x(a, b) = 1 - I_{1-x}(b, a).
    assert regularized_incomplete_beta(0.3, 1.0, 1.0) == pytest.approx(0.3, abs=1e-15)
    assert regularized_incomplete_beta(0.3, 2.5, 4.0) == pytest.approx(
        1.0 - regularized_incomplete_beta(0.7, 4.0, 2.5), abs=1e-14)
    with pytest.raises(ValueError):
        regularized_incomplete_beta(1.5, 1.0, 1.0)
    with pytest.raises(ValueError):
        cdf(1.0, 0.0)


# --- Welch's t-test --------------------------------------------------------------------


def test_welch_matches_scipy_reference_values() -> None:
    # scipy.stats.ttest_ind(a, b, equal_var=False), scipy 1.10.1.
    a, b = [1.0, 2.1, 2.9, 4.2, 5.0, 5.5], [2.0, 3.1, 4.5, 3.9]
    result = welch_test(a, b)
    assert result.t == pytest.approx(0.0837414038627104, rel=1e-12)
    assert result.p_value == pytest.approx(0.9353205639080242, rel=1e-10)
    a, b = [0.9, 0.91, 0.89, 0.905, 0.895], [0.6, 0.62, 0.61, 0.58, 0.60]
    result = welch_test(a, b)
    assert result.t == pytest.approx(39.64533027216922, rel=1e-12)
    assert result.p_value == pytest.approx(1.3498128280768013e-08, rel=1e-8)


def test_welch_with_constant_samples() -> None:
    assert welch_test([2.0, 2.0, 2.0], [2.0, 2.0]).p_value == 1.0
    assert welch_test([2.0, 2.0, 2.0], [3.0, 3.0]).p_value == 0.0
    with pytest.raises(ValueError):
        welch_test([1.0], [1.0, 2.0])


def test_welch_rejects_five_percent_of_true_nulls() -> None:
    # 4,000 pairs of normal samples with equal means (fixed seed: deterministic). The
    # rejection rate must lie in the 99.9% binomial interval around 0.05:
    # 0.05 +- 3.29 * sqrt(0.05 * 0.95 / 4000) = [0.0386, 0.0614].
    rng = random.Random(20241111)
    trials = 4000
    rejections = sum(
        welch_test([rng.gauss(0, 1) for _ in range(10)], [rng.gauss(0, 2) for _ in range(8)]).p_value < 0.05
        for _ in range(trials)
    )
    assert 0.0386 <= rejections / trials <= 0.0614


# --- compare ---------------------------------------------------------------------------


@pytest.fixture
def two_runs(tmp_path: Path) -> tuple[Path, Path]:
    # The same replications except for the web tier's utilisation: 60% against 90%.
    a = write_results(tmp_path / "a.h5", ShopLevels(web_utilization=0.6), replications=5)
    b = write_results(tmp_path / "b.h5", ShopLevels(web_utilization=0.9), replications=5,
                      overrides="services.web.instances=3")
    return a, b


@pytest.fixture
def cli(build_python_dir: Path) -> Path:
    path = build_python_dir.parent / "cli" / "surgesim"
    assert path.is_file(), f"the surgesim CLI is not built at {path}"
    return path


def test_compare_flags_the_clear_difference_only(two_runs: tuple[Path, Path]) -> None:
    frame = compare_module.compare(*two_runs)
    web = frame.loc["services.web.utilization"]
    assert web["significant"] is True and web["p_value"] < 1e-6
    assert web["difference"] == pytest.approx(web["b"] - web["a"], rel=1e-15)
    assert web["relative_difference"] == pytest.approx(0.5, rel=0.05)
    assert web["a_ci95"] > 0 and web["b_ci95"] > 0
    others = frame.drop(index="services.web.utilization")
    assert (others["significant"] == False).all()  # noqa: E712 (an object column)
    assert (others["p_value"] == 1.0).all() and (others["difference"] == 0.0).all()


def test_compare_lists_every_headline_page_and_service_number(two_runs: tuple[Path, Path]) -> None:
    frame = compare_module.compare(*two_runs)
    pages = [f"pages.{p}.p99_s" for p in ("browse.home", "browse.product", "buy.home", "buy.checkout")]
    services = [f"services.{s}.{f}" for s in ("web", "db") for f in ("utilization", "mean_response_s")]
    headline = ["sessions.started", "drop_rate", "orders", "revenue", "lost_revenue.total", "latency.p99_s"]
    assert list(frame.index) == headline + pages + services
    assert list(frame.columns) == compare_module.COLUMNS


def test_one_replication_cannot_be_tested(tmp_path: Path) -> None:
    a = write_results(tmp_path / "a.h5", replications=1)
    b = write_results(tmp_path / "b.h5", levels_with(web_utilization=0.9), replications=5)
    frame = compare_module.compare(a, b)
    assert (frame["note"] == "n/a (1 replication)").all()
    assert frame["significant"].isna().all() and frame["p_value"].isna().all()
    assert frame.loc["services.web.utilization", "difference"] > 0.25


def test_a_number_absent_on_one_side_is_said_so(tmp_path: Path) -> None:
    a = write_results(tmp_path / "a.h5", replications=3)
    b = write_results(tmp_path / "b.h5", levels_with(revenue=False), replications=3)
    frame = compare_module.compare(a, b)
    for metric in ("orders", "revenue", "lost_revenue.total"):
        assert frame.loc[metric, "note"] == "absent in b"
        assert math.isnan(frame.loc[metric, "b"])
    assert frame.loc["drop_rate", "note"] == ""


def test_not_results_files_raise(tmp_path: Path, two_runs: tuple[Path, Path]) -> None:
    text = tmp_path / "x.txt"
    text.write_text("{}")
    with pytest.raises(NotAResultsFile):
        compare_module.compare(two_runs[0], text)


def test_cli_text_table(cli: Path, two_runs: tuple[Path, Path]) -> None:
    done = subprocess.run([cli, "compare", *two_runs], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "services.web.instances=3" in lines[1]
    header = next(line for line in lines if line.startswith("metric"))
    rows = {line.split()[0]: line for line in lines[lines.index(header) + 1:]}
    assert rows["services.web.utilization"].endswith("yes")
    assert rows["drop_rate"].endswith("no")
    # Aligned: every row as wide as the header up to the verdict column.
    verdict_column = header.index("significant at 95%")
    assert all(len(row) > verdict_column and row[verdict_column - 2:verdict_column] == "  "
               for row in rows.values())


def test_cli_json_rows(cli: Path, two_runs: tuple[Path, Path]) -> None:
    done = subprocess.run([cli, "compare", *two_runs, "--format", "json"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    rows = {row["metric"]: row for row in json.loads(done.stdout)}
    assert rows["services.web.utilization"]["significant"] is True
    assert rows["revenue"]["significant"] is False and rows["revenue"]["difference"] == 0.0


@pytest.mark.parametrize("case", ["missing", "not-hdf5", "bad-format"])
def test_cli_exit_status_2_for_bad_input(case: str, cli: Path, two_runs: tuple[Path, Path], tmp_path: Path) -> None:
    notes = tmp_path / "notes.h5"
    notes.write_text("not hdf5")
    args = {
        "missing": [two_runs[0], tmp_path / "missing.h5"],
        "not-hdf5": [notes, two_runs[1]],
        "bad-format": [*two_runs, "--format", "xml"],
    }[case]
    done = subprocess.run([cli, "compare", *args], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr


def test_numbers_keep_their_significant_digits() -> None:
    from surgesim._numbers import significant

    assert significant(2052.0, 2) == "2,100"
    assert significant(0.0899, 2) == "0.090"
    assert significant(-0.0465312, 4, signed=True) == "-0.04653"
    assert significant(1619560.4, 5) == "1,619,600"
    assert significant(0.0, 3) == "0" and significant(math.nan, 3) == "—"
