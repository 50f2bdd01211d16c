"""Student's t distribution: its upper tail and the quantile that cuts one off.

A comparison whose spread is estimated from a handful of windows is less sure than the
normal curve says; the t distribution with the estimate's degrees of freedom says how much
less. The tail comes from the regularized incomplete beta function, evaluated by its
continued fraction (modified Lentz), which converges in a few dozen terms for every
argument used here.
"""

from __future__ import annotations

import math
from statistics import NormalDist

_NORMAL = NormalDist()
_TINY = 1e-300
_EPSILON = 1e-15
_TERMS = 500


def _beta_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of I_x(a, b), for x < (a + 1) / (a + b + 2)."""
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1)
    d = 1 / (d if abs(d) > _TINY else _TINY)
    result = d
    for m in range(1, _TERMS + 1):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1 + numerator * d
            d = 1 / (d if abs(d) > _TINY else _TINY)
            c = 1 + numerator / c
            c = c if abs(c) > _TINY else _TINY
            result *= c * d
        if abs(c * d - 1) < _EPSILON:
            return result
    raise ArithmeticError(f"incomplete beta did not converge for a={a}, b={b}, x={x}")


def incomplete_beta(a: float, b: float, x: float) -> float:
    """The regularized incomplete beta function I_x(a, b), for a, b > 0 and 0 <= x <= 1."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    front = math.exp(log_front)
    if x < (a + 1) / (a + b + 2):
        return front * _beta_fraction(a, b, x) / a
    return 1 - front * _beta_fraction(b, a, 1 - x) / b


def t_sf(t: float, df: float) -> float:
    """P(T > t) for Student's t with ``df`` degrees of freedom; ``math.inf`` is the normal."""
    if math.isinf(df):
        return 1 - _NORMAL.cdf(t)
    tail = 0.5 * incomplete_beta(df / 2, 0.5, df / (df + t * t))
    return tail if t >= 0 else 1 - tail


def t_isf(p: float, df: float) -> float:
    """The t with P(T > t) = p, for 0 < p < 1."""
    if not 0 < p < 1:
        raise ValueError(f"a tail probability is between 0 and 1, not {p}")
    if math.isinf(df):
        return _NORMAL.inv_cdf(1 - p)
    if p > 0.5:
        return -t_isf(1 - p, df)
    low, high = 0.0, 1.0
    while t_sf(high, df) > p:
        low, high = high, high * 2
    for _ in range(200):  # bisection to the last bit: t_sf falls monotonically
        middle = (low + high) / 2
        if middle in (low, high):
            break
        if t_sf(middle, df) > p:
            low = middle
        else:
            high = middle
    return (low + high) / 2
