"""Statistics of integer histograms: ``{value: count}``, the form window summaries keep.

A histogram of whole numbers merges exactly (counts add), so every statistic below is the
same whether the runs were summarised on one machine or in parts and merged.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

Histogram = Mapping[int, int]


def total(histogram: Histogram) -> int:
    return sum(histogram.values())


def hist_mean(histogram: Histogram) -> float | None:
    count = total(histogram)
    return sum(value * n for value, n in histogram.items()) / count if count else None


def hist_variance(histogram: Histogram) -> float | None:
    """The sample variance (n - 1 in the denominator); None below two values."""
    count = total(histogram)
    if count < 2:
        return None
    middle = sum(value * n for value, n in histogram.items()) / count
    return sum(n * (value - middle) ** 2 for value, n in histogram.items()) / (count - 1)


def hist_percentile(histogram: Histogram, share: float) -> int | None:
    """Nearest-rank percentile, as ``stats.measures.percentile`` takes it of the values."""
    count = total(histogram)
    if not count:
        return None
    rank = max(1, math.ceil(share * count))
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    raise AssertionError("unreachable: the ranks add up to the count")


def hist_tail(histogram: Histogram) -> float | None:
    """Mean of the lowest ceil(n/10) values, as ``stats.measures.tail``."""
    if not total(histogram):
        return None
    lowest = _lowest(histogram)
    return sum(value * n for value, n in lowest) / sum(n for _, n in lowest)


def _lowest(histogram: Histogram) -> list[tuple[int, int]]:
    """The lowest ceil(n/10) values as (value, count) pairs: the tail ``hist_tail`` means."""
    wanted = math.ceil(total(histogram) / 10)
    taken, pairs = 0, []
    for value in sorted(histogram):
        take = min(histogram[value], wanted - taken)
        if take:
            pairs.append((value, take))
            taken += take
        if taken == wanted:
            break
    return pairs


def hist_tail_variance(histogram: Histogram) -> float | None:
    """The sampling variance of ``hist_tail``: the worst decile's mean is an expected
    shortfall, whose estimate varies by (Var(X | X <= q) + (1 - a)(q - ES)^2) / (a n) with
    a = 1/10 and q the decile (the asymptotic variance of the estimator). None when empty."""
    count = total(histogram)
    if not count:
        return None
    lowest = _lowest(histogram)
    wanted = sum(n for _, n in lowest)
    shortfall = sum(value * n for value, n in lowest) / wanted
    within = sum(n * (value - shortfall) ** 2 for value, n in lowest) / wanted
    decile = lowest[-1][0]
    share = 0.1
    return (within + (1 - share) * (decile - shortfall) ** 2) / (share * count)


def rank_shift_p(later: Histogram, earlier: Histogram) -> float | None:
    """One-sided p-value that ``later``'s values run larger than ``earlier``'s: the
    Mann-Whitney rank-sum test, normal approximation with the tie correction (step
    counts tie a lot). None when either side is empty or every value is the same."""
    n1, n2 = total(later), total(earlier)
    if not n1 or not n2:
        return None
    size = n1 + n2
    below = 0
    rank_sum = 0.0
    ties = 0
    for value in sorted(set(later) | set(earlier)):
        here = later.get(value, 0) + earlier.get(value, 0)
        rank_sum += later.get(value, 0) * (below + (here + 1) / 2)
        ties += here**3 - here
        below += here
    variance = n1 * n2 / 12 * ((size + 1) - ties / (size * (size - 1)))
    if variance <= 0:
        return None
    u = rank_sum - n1 * (n1 + 1) / 2
    z = (u - n1 * n2 / 2) / math.sqrt(variance)
    return 0.5 * math.erfc(z / math.sqrt(2))
