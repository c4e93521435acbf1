"""surgesim compare: the Student-t CDF and quantile, Welch's and the paired t-test behind
it, the comparison of two results files (results_files.py) and the choice between the two
tests, and the CLI's output and exit statuses."""

from __future__ import annotations

import json
import math
import random
import subprocess
from pathlib import Path

import h5py
import pytest

from results_files import T975, ShopLevels, levels_with, write_results
from surgesim import compare as compare_module
from surgesim._h5 import NotAResultsFile
from surgesim._student_t import cdf, paired_test, quantile, regularized_incomplete_beta, welch_test

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


@pytest.mark.parametrize("known, df, p", KNOWN_QUANTILES)
def test_quantile_inverts_the_cdf(known: float, df: float, p: float) -> None:
    assert quantile(p, df) == pytest.approx(known, rel=1e-9)
    assert quantile(1.0 - p, df) == pytest.approx(-known, rel=1e-9)
    with pytest.raises(ValueError):
        quantile(1.0, df)


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


# --- the paired t-test ----------------------------------------------------------------


def two_sided_p_df2(t: float) -> float:
    # df = 2: F(t) = 1/2 + t / (2 sqrt(2 + t^2)), so p = 1 - |t| / sqrt(2 + t^2).
    return 1.0 - abs(t) / math.sqrt(2.0 + t * t)


def two_sided_p_df4(t: float) -> float:
    # df = 4: F(t) = 1/2 + u (3 - u^2) / 4 with u = t / sqrt(4 + t^2), so
    # p = (1 - u)^2 (2 + u) / 2, and 1 - u = 4 / (s (s + |t|)) with s = sqrt(4 + t^2)
    # keeps the digits of a tiny p.
    s = math.sqrt(4.0 + t * t)
    u, one_minus_u = abs(t) / s, 4.0 / (s * (s + abs(t)))
    return one_minus_u * one_minus_u * (2.0 + u) / 2.0


def test_paired_p_value_by_hand() -> None:
    # Differences b - a = 1, 2, 3: mean 2, sd 1, standard error 1/sqrt(3), t = 2 sqrt(3)
    # on 2 degrees of freedom: p = 1 - sqrt(12 / 14).
    result = paired_test([11.0, 22.0, 33.0], [10.0, 20.0, 30.0])
    assert result.difference == 2.0 and result.df == 2.0
    assert result.t == pytest.approx(2.0 * math.sqrt(3.0), rel=1e-14)
    assert result.p_value == pytest.approx(1.0 - math.sqrt(12.0 / 14.0), rel=1e-12)
    assert result.p_value == pytest.approx(two_sided_p_df2(result.t), rel=1e-12)
    assert result.half_width == pytest.approx(T975[3] / math.sqrt(3.0), rel=1e-9)
    # Five differences c + (-2, -1, 0, 1, 2): sd sqrt(2.5), standard error sqrt(0.5);
    # c = t_{0.975, 4} sqrt(0.5) puts t on the 0.975 quantile, so p = 0.05 and the 95%
    # interval just touches zero.
    c = T975[5] * math.sqrt(0.5)
    a = [100.0, 90.0, 120.0, 80.0, 110.0]
    result = paired_test([x + c + e for x, e in zip(a, (-2.0, -1.0, 0.0, 1.0, 2.0))], a)
    assert result.df == 4.0 and result.t == pytest.approx(T975[5], rel=1e-12)
    assert two_sided_p_df4(T975[5]) == pytest.approx(0.05, abs=1e-9)
    assert result.p_value == pytest.approx(0.05, abs=1e-9)
    assert result.half_width == pytest.approx(c, rel=1e-9)
    # The sign of the difference is a - b, like Welch's.
    assert paired_test(a, [x + 1.0 + 0.1 * i for i, x in enumerate(a)]).difference == pytest.approx(-1.2)


def test_paired_with_constant_differences_and_bad_input() -> None:
    same = paired_test([1.0, 5.0, 9.0], [1.0, 5.0, 9.0])
    assert (same.difference, same.half_width, same.t, same.p_value) == (0.0, 0.0, 0.0, 1.0)
    shifted = paired_test([2.5, 6.5, 10.5], [1.0, 5.0, 9.0])
    assert shifted.difference == 1.5 and shifted.t == math.inf and shifted.p_value == 0.0
    with pytest.raises(ValueError):
        paired_test([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError):
        paired_test([1.0], [2.0])


def test_paired_rejects_five_percent_of_true_nulls_despite_shared_noise() -> None:
    # Pairs share a large common term (like two runs on the same random streams) and
    # differ by small independent noise with equal means. 4,000 trials of 6 pairs; the
    # rejection rate must lie in [0.0386, 0.0614], the 99.9% binomial interval around 0.05.
    rng = random.Random(20241112)
    trials = 4000
    rejections = 0
    for _ in range(trials):
        shared = [rng.gauss(0, 10) for _ in range(6)]
        a = [s + rng.gauss(0, 1) for s in shared]
        b = [s + rng.gauss(0, 1) for s in shared]
        rejections += paired_test(a, b).p_value < 0.05
    assert 0.0386 <= rejections / trials <= 0.0614


def test_welch_half_width_uses_the_welch_satterthwaite_degrees_of_freedom() -> None:
    a, b = [1.0, 2.1, 2.9, 4.2, 5.0, 5.5], [2.0, 3.1, 4.5, 3.9]
    result = welch_test(a, b)
    standard_error = result.difference / result.t
    assert result.half_width == pytest.approx(quantile(0.975, result.df) * standard_error, rel=1e-14)
    # The interval excludes zero exactly when p < 0.05.
    assert (abs(result.difference) > result.half_width) == (result.p_value < 0.05)


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


def reseed(path: Path, seed: int) -> Path:
    # The fixture files all have seed 7: give one another, in the attribute and the JSON.
    with h5py.File(path, "r+") as h5:
        attributes = dict(h5["summary"].attrs)
        summary = json.loads(h5["summary"][()])
        del h5["summary"]
        summary["seed"] = attributes["seed"] = seed
        h5.create_dataset("summary", data=json.dumps(summary), dtype=h5py.string_dtype("utf-8"))
        h5["summary"].attrs.update(attributes)
    return path


def web_utilization_per_replication(path: Path) -> list[float]:
    with h5py.File(path, "r") as h5:
        return [tree["services"]["web"]["utilization"] for tree in json.loads(h5["summary_replications"][()])]


@pytest.fixture
def tiny_change(tmp_path: Path) -> tuple[Path, Path]:
    # Web utilisation a third of a percent higher in b. A replication's own noise (1% of
    # the level) is shared by both runs: every replication's difference is 0.002 +- 1%.
    a = write_results(tmp_path / "a.h5", ShopLevels(web_utilization=0.6), replications=5)
    b = write_results(tmp_path / "b.h5", ShopLevels(web_utilization=0.602), replications=5)
    return a, b


def test_compare_flags_the_clear_difference_only(two_runs: tuple[Path, Path]) -> None:
    frame = compare_module.compare(*two_runs)
    assert (frame["test"] == "paired").all()  # the same seed 7 and 5 replications
    web = frame.loc["services.web.utilization"]
    assert web["significant"] is True and web["p_value"] < 1e-6
    assert 0 < web["diff_ci95"] < web["difference"]
    assert web["difference"] == pytest.approx(web["b"] - web["a"], rel=1e-15)
    assert web["relative_difference"] == pytest.approx(0.5, rel=0.05)
    assert web["a_ci95"] > 0 and web["b_ci95"] > 0
    others = frame.drop(index="services.web.utilization")
    assert (others["significant"] == False).all()  # noqa: E712 (an object column)
    assert (others["p_value"] == 1.0).all() and (others["difference"] == 0.0).all()
    assert (others["diff_ci95"] == 0.0).all()  # identical replication by replication


def test_shared_seed_pairs_the_replications_and_sees_a_tiny_consistent_change(
        tiny_change: tuple[Path, Path]) -> None:
    web = compare_module.compare(*tiny_change).loc["services.web.utilization"]
    assert web["test"] == "paired" and web["significant"] is True
    # By hand: t on the five differences, its two-sided p on 4 degrees of freedom.
    a, b = (web_utilization_per_replication(path) for path in tiny_change)
    differences = [y - x for x, y in zip(a, b)]
    mean = sum(differences) / 5
    standard_error = math.sqrt(sum((d - mean) ** 2 for d in differences) / 4 / 5)
    assert web["p_value"] == pytest.approx(two_sided_p_df4(mean / standard_error), rel=1e-9)
    assert web["diff_ci95"] == pytest.approx(T975[5] * standard_error, rel=1e-9)
    assert web["difference"] == pytest.approx(mean, rel=1e-12)
    # Welch's test on the same values cannot tell the change from the replications' noise.
    assert welch_test(b, a).p_value > compare_module.SIGNIFICANCE_LEVEL


def test_different_seeds_fall_back_to_welch(tiny_change: tuple[Path, Path]) -> None:
    a, b = tiny_change[0], reseed(tiny_change[1], 8)
    frame = compare_module.compare(a, b)
    assert (frame["test"] == "welch").all()
    web = frame.loc["services.web.utilization"]
    a_values, b_values = web_utilization_per_replication(a), web_utilization_per_replication(b)
    welch = welch_test(b_values, a_values)
    assert web["p_value"] == welch.p_value and web["diff_ci95"] == welch.half_width
    assert web["significant"] is False and web["diff_ci95"] > web["difference"]
    text = compare_module.to_text(frame, compare_module.read(a), compare_module.read(b))
    assert "Welch's t-test on the per-replication values (seeds 7 and 8: independent runs)" in text


def test_different_replication_counts_fall_back_to_welch(tmp_path: Path) -> None:
    a = write_results(tmp_path / "a.h5", ShopLevels(web_utilization=0.6), replications=5)
    b = write_results(tmp_path / "b.h5", ShopLevels(web_utilization=0.602), replications=4)
    frame = compare_module.compare(a, b)
    assert (frame["test"] == "welch").all()
    web = frame.loc["services.web.utilization"]
    welch = welch_test(web_utilization_per_replication(b), web_utilization_per_replication(a))
    assert web["p_value"] == welch.p_value and web["significant"] is False
    text = compare_module.to_text(frame, compare_module.read(a), compare_module.read(b))
    assert "(5 and 4 replications cannot be paired one to one)" in text


def test_paired_leaves_out_replications_without_a_value(tiny_change: tuple[Path, Path]) -> None:
    # A number missing (null) in one replication of b: the other four pairs are tested.
    a, b = tiny_change
    with h5py.File(b, "r+") as h5:
        trees = json.loads(h5["summary_replications"][()])
        trees[2]["services"]["web"]["utilization"] = None
        del h5["summary_replications"]
        h5.create_dataset("summary_replications", data=json.dumps(trees), dtype=h5py.string_dtype("utf-8"))
    web = compare_module.compare(a, b).loc["services.web.utilization"]
    a_values, b_values = web_utilization_per_replication(a), web_utilization_per_replication(b)
    kept = [0, 1, 3, 4]
    expected = paired_test([b_values[i] for i in kept], [a_values[i] for i in kept])
    assert web["test"] == "paired"
    assert web["p_value"] == expected.p_value and web["diff_ci95"] == expected.half_width


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
    assert (frame["note"] == "n/a (1 replication)").all() and (frame["test"] == "n/a").all()
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
    assert "paired t-test on the per-replication differences (the same seed 7 and 5 replications" in lines[2]
    header = next(line for line in lines if line.startswith("metric"))
    rows = {line.split()[0]: line for line in lines[lines.index(header) + 1:]}
    assert rows["services.web.utilization"].endswith("yes")
    assert " ± " in rows["services.web.utilization"].split("+")[1]  # b - a with its half-width
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
    web = rows["services.web.utilization"]
    assert web["significant"] is True and web["test"] == "paired" and web["diff_ci95"] > 0
    assert rows["revenue"]["significant"] is False and rows["revenue"]["difference"] == 0.0
    assert all(list(row) == ["metric", *compare_module.COLUMNS] for row in rows.values())


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
