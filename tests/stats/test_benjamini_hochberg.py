"""The correction of the regression rules' p-values for many comparisons.

It was Holm-Bonferroni (stats.holm) until commit e493be0 replaced it with
Benjamini-Hochberg (stats.benjamini_hochberg); these tests cover the latter.
"""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from taskgate.stats.measures import benjamini_hochberg

# p-values as the bootstrap writes them: six decimals.
p_values = st.lists(st.floats(0, 1).map(lambda p: round(p, 6)), max_size=30)


def reference(raw: list[float]) -> list[float]:
    """The textbook definition: q_i = min over p_j >= p_i of p_j * m / rank_j, capped at 1,
    where rank_j counts the p-values at or below p_j."""
    m = len(raw)
    rank = {p: sum(q <= p for q in raw) for p in raw}
    return [min([1.0, *(p * m / rank[p] for p in raw if p >= mine)]) for mine in raw]


def test_hand_worked_example() -> None:
    # Sorted: 0.005 (rank 1), 0.01 (2), 0.03 (3), 0.04 (4). From the top: 0.04 x 4/4 = 0.04;
    # 0.03 x 4/3 = 0.04; 0.01 x 4/2 = 0.02; 0.005 x 4/1 = 0.02. Returned in the order given.
    assert benjamini_hochberg([0.01, 0.04, 0.03, 0.005]) == [0.02, 0.04, 0.04, 0.02]


def test_a_larger_p_value_lowers_the_ones_below_it() -> None:
    # 0.01 x 4/1 = 0.04 and 0.02 x 4/2 = 0.04 are kept; 0.03 x 4/3 = 0.04 as well.
    assert benjamini_hochberg([0.01, 0.02, 0.03, 0.5]) == [0.04, 0.04, 0.04, 0.5]
    # 0.01 x 2 = 0.02, but 0.011 x 2/2 = 0.011 lies above it in rank and below it in value.
    assert benjamini_hochberg([0.01, 0.011]) == [0.011, 0.011]


def test_adjusted_values_are_capped_at_one() -> None:
    assert benjamini_hochberg([0.6, 0.9]) == [0.9, 0.9]
    assert benjamini_hochberg([0.6]) == [0.6]
    assert benjamini_hochberg([0.9, 1.0, 0.95]) == [1.0, 1.0, 1.0]


def test_small_families() -> None:
    assert benjamini_hochberg([]) == []
    assert benjamini_hochberg([0.0123]) == [0.0123]
    assert benjamini_hochberg([1.0]) == [1.0]
    assert benjamini_hochberg([0.02, 0.02]) == [0.02, 0.02]


def test_ties_share_one_adjusted_value() -> None:
    # Three ties at 0.01: the highest of their ranks, 3, gives 0.01 x 4/3.
    assert benjamini_hochberg([0.01, 0.2, 0.01, 0.01]) == [0.013333, 0.2, 0.013333, 0.013333]


@given(p_values)
def test_matches_the_textbook_definition(raw: list[float]) -> None:
    assert benjamini_hochberg(raw) == [round(q, 6) for q in reference(raw)]


@given(p_values)
def test_adjusted_values_lie_between_raw_and_one(raw: list[float]) -> None:
    for p, adjusted in zip(raw, benjamini_hochberg(raw), strict=True):
        assert p <= adjusted <= 1.0


@given(p_values)
def test_adjusted_values_never_exceed_bonferroni_and_the_largest_is_kept(
    raw: list[float],
) -> None:
    adjusted = benjamini_hochberg(raw)
    for p, q in zip(raw, adjusted, strict=True):
        assert q <= round(min(1.0, len(raw) * p), 6)
    if raw:
        assert max(adjusted) == max(raw)


@given(p_values)
def test_adjusted_values_keep_the_order_of_the_raw_ones(raw: list[float]) -> None:
    adjusted = benjamini_hochberg(raw)
    for i in range(len(raw)):
        for j in range(len(raw)):
            if raw[i] < raw[j]:
                assert adjusted[i] <= adjusted[j]
            elif raw[i] == raw[j]:
                assert adjusted[i] == adjusted[j]


@given(p_values, st.randoms(use_true_random=False))
def test_each_p_value_keeps_its_adjusted_value_under_permutation(
    raw: list[float], rng: random.Random
) -> None:
    order = list(range(len(raw)))
    rng.shuffle(order)
    adjusted = benjamini_hochberg(raw)
    assert benjamini_hochberg([raw[i] for i in order]) == [adjusted[i] for i in order]


@given(st.lists(st.floats(0, 1), max_size=30))
def test_unrounded_input_is_off_by_at_most_the_report_rounding(raw: list[float]) -> None:
    # Adjusted values carry six decimals, so one can sit below a finer raw p by < 5e-7.
    for p, adjusted in zip(raw, benjamini_hochberg(raw), strict=True):
        assert p - 5e-7 <= adjusted <= 1.0
