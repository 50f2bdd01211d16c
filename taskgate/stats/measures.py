"""Small, exact statistics: every function is defined on empty input."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from itertools import chain, repeat
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
    eligible = Counter((n, c) for n, c in trials if n >= k)
    if not eligible:
        return None
    # Few tasks differ in (n, c): each ratio is worked out once. fsum is exact whatever the
    # order of its values, so the result is the same as summing task by task.
    ratios = (repeat(comb(c, k) / comb(n, k), count) for (n, c), count in eligible.items())
    return rounded(math.fsum(chain.from_iterable(ratios)) / eligible.total())


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """Benjamini-Hochberg adjusted p-values (q-values), in the order given.

    Comparing them with alpha keeps the expected share of false alarms among the
    findings at or below alpha; when nothing changed at all, that is the chance of
    any false alarm. Related comparisons (mean and tail, both metrics, nested
    cohorts) that all move back each other up, which Bonferroni-style corrections
    ignore.
    """
    count = len(p_values)
    order = sorted(range(count), key=lambda i: (p_values[i], i))
    adjusted = [0.0] * count
    running = 1.0
    for rank in range(count, 0, -1):
        index = order[rank - 1]
        running = min(running, p_values[index] * count / rank)
        adjusted[index] = rounded(min(1.0, running))
    return adjusted


def auroc(scores: Sequence[float], successes: Sequence[bool]) -> float | None:
    """Chance that a random success outscores a random failure (ties count half).

    None unless there are both successes and failures. Computed from ranks, so it is
    exact and takes n log n.
    """
    positives = sum(successes)
    negatives = len(successes) - positives
    if positives == 0 or negatives == 0:
        return None
    order = sorted(range(len(scores)), key=lambda i: scores[i])
    ranks = [0.0] * len(scores)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and scores[order[end + 1]] == scores[order[start]]:
            end += 1
        for position in range(start, end + 1):
            ranks[order[position]] = (start + end) / 2 + 1  # tied scores share their mean rank
        start = end + 1
    rank_sum = math.fsum(rank for rank, ok in zip(ranks, successes, strict=True) if ok)
    return rounded((rank_sum - positives * (positives + 1) / 2) / (positives * negatives))
