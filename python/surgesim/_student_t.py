"""Student's t distribution, Welch's and the paired t-test, without scipy.

The CDF goes through the regularized incomplete beta function,
F(t; v) = 1 - I_x(v/2, 1/2) / 2 for t >= 0 with x = v / (v + t^2), evaluated by its
continued fraction (modified Lentz; Numerical Recipes 3rd ed., section 6.4), for any
real v > 0. Absolute error against scipy: below 1e-13 up to v = 1000 (Welch's v never
exceeds the replications on both sides), 1e-9 at v = 1e7 where lgamma differences of
huge numbers cancel. The quantile inverts the CDF by bisection.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

_EPSILON = 1e-15
_TINY = 1e-300
_MAX_TERMS = 10_000


def cdf(t: float, df: float) -> float:
    """P(T <= t) for Student's t with ``df`` > 0 degrees of freedom (df = inf: normal)."""
    if not df > 0:
        raise ValueError(f"degrees of freedom must be > 0, got {df}")
    if math.isnan(t):
        return math.nan
    if math.isinf(df):
        return 0.5 * math.erfc(-t / math.sqrt(2.0))
    if math.isinf(t):
        return 1.0 if t > 0 else 0.0
    tail = 0.5 * regularized_incomplete_beta(df / (df + t * t), df / 2.0, 0.5)
    return 1.0 - tail if t > 0 else tail


def regularized_incomplete_beta(x: float, a: float, b: float) -> float:
    """I_x(a, b) for 0 <= x <= 1 and a, b > 0."""
    if not 0.0 <= x <= 1.0:
        raise ValueError(f"x must be in [0, 1], got {x}")
    if x == 0.0 or x == 1.0:
        return x
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
        + a * math.log(x) + b * math.log1p(-x)
    )
    # The continued fraction converges fast for x < (a + 1) / (a + b + 2); beyond it,
    # use the symmetry I_x(a, b) = 1 - I_{1-x}(b, a).
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _beta_continued_fraction(x, a, b) / a
    return 1.0 - math.exp(log_front) * _beta_continued_fraction(1.0 - x, b, a) / b


def _beta_continued_fraction(x: float, a: float, b: float) -> float:
    c = 1.0
    d = 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    h = d
    for m in range(1, _MAX_TERMS):
        two_m = 2 * m
        # Even step.
        aa = m * (b - m) * x / ((a + two_m - 1.0) * (a + two_m))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > _TINY else _TINY)
        c = 1.0 + aa / c
        c = c if abs(c) > _TINY else _TINY
        h *= d * c
        # Odd step.
        aa = -(a + m) * (a + b + m) * x / ((a + two_m) * (a + two_m + 1.0))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > _TINY else _TINY)
        c = 1.0 + aa / c
        c = c if abs(c) > _TINY else _TINY
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < _EPSILON:
            return h
    raise ArithmeticError(f"incomplete beta did not converge for x={x}, a={a}, b={b}")


@functools.lru_cache(maxsize=256)  # a comparison asks for the same few again and again
def quantile(p: float, df: float) -> float:
    """t with P(T <= t) = ``p`` for 0 < p < 1 and ``df`` > 0 (df = inf: normal)."""
    if not 0.0 < p < 1.0:
        raise ValueError(f"p must be in (0, 1), got {p}")
    if p < 0.5:
        return -quantile(1.0 - p, df)
    low, high = 0.0, 1.0
    while cdf(high, df) < p:
        low, high = high, 2.0 * high
    # The CDF is monotone: halve [low, high] until it is as narrow as doubles allow.
    while high - low > 4.0 * math.ulp(high):
        middle = 0.5 * (low + high)
        if cdf(middle, df) < p:
            low = middle
        else:
            high = middle
    return 0.5 * (low + high)


@dataclass(frozen=True)
class TTestResult:
    difference: float  # mean(a) - mean(b); for the paired test, the mean of a[i] - b[i]
    half_width: float  # 95% half-width of the difference (Student t with df below)
    t: float  # difference / standard error; +-inf when the standard error is 0
    df: float  # degrees of freedom: Welch-Satterthwaite, or pairs - 1
    p_value: float  # two-sided


def welch_test(a: Sequence[float], b: Sequence[float]) -> TTestResult:
    """Welch's unequal-variance t-test of mean(a) == mean(b); each needs >= 2 values."""
    if len(a) < 2 or len(b) < 2:
        raise ValueError("Welch's t-test needs at least 2 values on each side")
    mean_a, var_a = _mean_variance(a)
    mean_b, var_b = _mean_variance(b)
    se2_a, se2_b = var_a / len(a), var_b / len(b)
    se2 = se2_a + se2_b
    if se2 == 0.0:  # every replication gave the same number on both sides
        return _exact(mean_a - mean_b, math.inf)
    df = se2 * se2 / (se2_a * se2_a / (len(a) - 1) + se2_b * se2_b / (len(b) - 1))
    return _t_test(mean_a - mean_b, math.sqrt(se2), df)


def paired_test(a: Sequence[float], b: Sequence[float]) -> TTestResult:
    """Paired t-test of mean(a[i] - b[i]) == 0 on >= 2 pairs, with pairs - 1 degrees of
    freedom: for replications that share their random numbers (the same seed), whose
    common noise cancels in the differences."""
    if len(a) != len(b):
        raise ValueError(f"the paired t-test needs pairs, got {len(a)} and {len(b)} values")
    if len(a) < 2:
        raise ValueError("the paired t-test needs at least 2 pairs")
    mean, variance = _mean_variance([x - y for x, y in zip(a, b)])
    df = float(len(a) - 1)
    if variance == 0.0:  # every pair differs by the same amount
        return _exact(mean, df)
    return _t_test(mean, math.sqrt(variance / len(a)), df)


def _t_test(difference: float, standard_error: float, df: float) -> TTestResult:
    t = difference / standard_error
    half_width = quantile(0.975, df) * standard_error
    return TTestResult(difference, half_width, t, df, min(1.0, 2.0 * cdf(-abs(t), df)))


def _exact(difference: float, df: float) -> TTestResult:
    # No spread: the difference is known exactly, zero or not.
    if difference == 0.0:
        return TTestResult(0.0, 0.0, 0.0, df, 1.0)
    return TTestResult(difference, 0.0, math.copysign(math.inf, difference), df, 0.0)


def _mean_variance(values: Sequence[float]) -> tuple[float, float]:
    n = len(values)
    mean = math.fsum(values) / n
    return mean, math.fsum((v - mean) ** 2 for v in values) / (n - 1)
