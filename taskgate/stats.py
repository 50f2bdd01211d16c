"""Small, exact statistics: every function is defined on empty input."""

from __future__ import annotations

import math
from collections.abc import Sequence
from math import comb


def rounded(value: float) -> float:
    """Reports carry six decimals: enough to read, stable to compare."""
    return round(value, 6)


def mean(values: Sequence[float]) -> float | None:
    return rounded(math.fsum(values) / len(values)) if values else None


def tail(values: Sequence[float]) -> float | None:
    """Mean of the lowest ceil(n/10) values: the worst decile, at least one value."""
    if not values:
        return None
    worst = sorted(values)[: math.ceil(len(values) / 10)]
    return rounded(math.fsum(worst) / len(worst))


def percentile(values: Sequence[float], share: float) -> float | None:
    """Nearest-rank percentile: always a value that occurred, never an interpolation."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return float(ordered[rank - 1])


def pass_hat_k(trials: Sequence[tuple[int, int]], k: int) -> float | None:
    """Unbiased pass^k: mean over tasks of C(c, k) / C(n, k), for tasks with n >= k trials.

    ``trials`` holds ``(n, c)`` per task: runs and passed runs.
    """
    eligible = [(n, c) for n, c in trials if n >= k]
    if not eligible:
        return None
    return rounded(math.fsum(comb(c, k) / comb(n, k) for n, c in eligible) / len(eligible))


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm-Bonferroni adjusted p-values, in the order given.

    Comparing the adjusted values with alpha keeps the chance of any false alarm
    across the whole family at or below alpha.
    """
    order = sorted(range(len(p_values)), key=lambda i: (p_values[i], i))
    adjusted = [0.0] * len(p_values)
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (len(p_values) - rank) * p_values[index]))
        adjusted[index] = rounded(running)
    return adjusted
