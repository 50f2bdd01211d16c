"""Statistics of integer histograms, checked against the same statistics of the values
written out (stats.measures and the standard library are the oracles)."""

from __future__ import annotations

import math
import statistics
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taskgate.stats import measures
from taskgate.stats.histograms import (
    hist_mean,
    hist_percentile,
    hist_tail,
    hist_tail_variance,
    hist_variance,
    rank_shift_p,
)

values = st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=200)


def histogram(items: list[int]) -> dict[int, int]:
    return dict(Counter(items))


def test_statistics_of_an_empty_histogram_are_none() -> None:
    empty: dict[int, int] = {}
    assert (hist_mean(empty), hist_tail(empty), hist_percentile(empty, 0.5)) == (None,) * 3
    assert hist_variance({3: 1}) is None
    assert rank_shift_p({}, {1: 2}) is None


def test_a_small_histogram_by_hand() -> None:
    counts = {2: 3, 5: 1, 9: 1}  # 2 2 2 5 9
    assert hist_mean(counts) == 4.0
    assert hist_variance(counts) == 9.5  # (4+4+4+1+25) / 4
    assert [hist_percentile(counts, share) for share in (0.5, 0.6, 0.61, 0.9)] == [2, 2, 5, 9]
    assert hist_tail(counts) == 2.0


@given(values, st.floats(min_value=0.0, max_value=1.0))
def test_percentile_is_the_nearest_rank_of_the_values(items: list[int], share: float) -> None:
    assert hist_percentile(histogram(items), share) == measures.percentile(items, share)


@given(values)
def test_mean_variance_and_tail_are_those_of_the_values(items: list[int]) -> None:
    counts = histogram(items)
    assert hist_mean(counts) == pytest.approx(statistics.fmean(items))
    tail = hist_tail(counts)
    assert tail is not None and round(tail, 6) == measures.tail(items)
    if len(items) > 1:
        assert hist_variance(counts) == pytest.approx(statistics.variance(items), abs=1e-9)


def _rank_sum_p(later: list[int], earlier: list[int]) -> float | None:
    """The one-sided Mann-Whitney p-value from the values: midranks of the pooled sorted
    values, U, and the tie-corrected normal approximation."""
    pooled = sorted(later + earlier)
    first: dict[int, int] = {}
    for position, value in enumerate(pooled, start=1):
        first.setdefault(value, position)
    size = len(pooled)
    runs = Counter(pooled)
    midrank = {value: first[value] + (runs[value] - 1) / 2 for value in runs}
    u = sum(midrank[value] for value in later) - len(later) * (len(later) + 1) / 2
    ties = sum(t**3 - t for t in runs.values())
    n1, n2 = len(later), len(earlier)
    variance = n1 * n2 / 12 * ((size + 1) - ties / (size * (size - 1)))
    if variance <= 0:
        return None
    z = (u - n1 * n2 / 2) / math.sqrt(variance)
    return 1 - statistics.NormalDist().cdf(z)


@given(values, values)
def test_the_rank_test_is_mann_whitney_on_the_values(later: list[int], earlier: list[int]) -> None:
    found = rank_shift_p(histogram(later), histogram(earlier))
    expected = _rank_sum_p(later, earlier)
    if expected is None:
        assert found is None
    else:
        assert found == pytest.approx(expected, abs=1e-9)


@given(values, values)
def test_the_two_one_sided_tests_add_up_to_one(later: list[int], earlier: list[int]) -> None:
    one, other = (
        rank_shift_p(histogram(later), histogram(earlier)),
        rank_shift_p(histogram(earlier), histogram(later)),
    )
    if one is None or other is None:
        assert one is other is None
    else:
        assert one + other == pytest.approx(1.0)


def test_a_clear_shift_right_is_significant_and_none_is_not() -> None:
    before = {4: 40, 5: 40, 6: 20}
    assert rank_shift_p({6: 30, 7: 40, 8: 30}, before) == pytest.approx(0.0, abs=1e-12)
    assert rank_shift_p(before, before) == pytest.approx(0.5)
    assert rank_shift_p({5: 10}, {5: 30}) is None  # every value the same: no test


def test_the_tail_variance_by_hand() -> None:
    # 20 values: the worst decile is the two lowest, 100 and 300 (ES 200, decile 300).
    values = [100, 300] + [900] * 18
    within = ((100 - 200) ** 2 + (300 - 200) ** 2) / 2
    expected = (within + 0.9 * (300 - 200) ** 2) / (0.1 * 20)
    assert hist_tail_variance(histogram(values)) == pytest.approx(expected)
    assert hist_tail_variance({}) is None


def test_the_tail_variance_is_what_resampling_finds() -> None:
    # Scores the way task_completion has them: many at the top, a long lower tail.
    import random

    rng = random.Random(7)
    population = [1000] * 60 + [800] * 15 + [500] * 10 + [300] * 8 + [0] * 7
    size, rounds = 200, 3000
    means = []
    for _ in range(rounds):
        sample = rng.choices(population, k=size)
        found = hist_tail(histogram(sample))
        assert found is not None
        means.append(found)
    predicted = hist_tail_variance(histogram(population * 2))
    assert predicted is not None
    assert statistics.variance(means) == pytest.approx(predicted, rel=0.2)
