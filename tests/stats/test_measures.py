from __future__ import annotations

import math
from itertools import combinations

from hypothesis import given
from hypothesis import strategies as st

from taskgate.stats.measures import auroc, mean, pass_hat_k, percentile, tail

scores = st.lists(st.floats(min_value=0, max_value=1), max_size=60)


def test_statistics_of_nothing_are_none() -> None:
    assert (mean([]), tail([]), percentile([], 0.5), pass_hat_k([], 1)) == (None,) * 4


def test_tail_is_the_worst_decile_at_least_one() -> None:
    assert tail([0.9, 0.2, 0.8]) == 0.2
    assert tail([float(i) / 20 for i in range(20)]) == 0.025  # mean of 0.0 and 0.05
    assert tail([0.5] * 11) == 0.5


def test_percentile_is_nearest_rank() -> None:
    steps = [3.0, 1.0, 2.0, 10.0, 4.0]
    assert (percentile(steps, 0.5), percentile(steps, 0.9)) == (3.0, 10.0)


def test_pass_hat_k_matches_the_combinatorial_definition() -> None:
    # 4 trials with 3 passes: pass^2 = C(3,2)/C(4,2) = 0.5; a 1-trial task sits out k = 2.
    assert pass_hat_k([(4, 3), (1, 1)], 1) == 0.875
    assert pass_hat_k([(4, 3), (1, 1)], 2) == 0.5


@given(scores)
def test_tail_never_exceeds_mean(values: list[float]) -> None:
    if values:
        assert tail(values) <= mean(values) + 1e-6  # type: ignore[operator]


@given(scores)
def test_statistics_ignore_order(values: list[float]) -> None:
    backwards = list(reversed(values))
    assert (mean(values), tail(values)) == (mean(backwards), tail(backwards))


@given(
    st.integers(1, 6).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n))), st.integers(1, 6)
)
def test_pass_hat_k_is_the_chance_that_k_drawn_trials_all_pass(
    task: tuple[int, int], k: int
) -> None:
    n, c = task
    if k > n:
        assert pass_hat_k([task], k) is None
        return
    outcomes = [True] * c + [False] * (n - c)
    draws = list(combinations(outcomes, k))
    expected = sum(all(d) for d in draws) / len(draws)
    assert math.isclose(pass_hat_k([task], k), expected, abs_tol=1e-6)  # type: ignore[arg-type]


def test_auroc_counts_ties_as_half() -> None:
    assert auroc([0.9, 0.8, 0.3, 0.1], [True, True, False, False]) == 1.0
    assert auroc([0.5, 0.5, 0.5], [True, False, False]) == 0.5
    assert auroc([0.2, 0.9, 0.4], [True, False, False]) == 0.0
    assert auroc([0.7, 0.3], [True, True]) is None


@given(st.lists(st.tuples(st.floats(0, 1), st.booleans()), min_size=1, max_size=30))
def test_auroc_is_the_share_of_success_failure_pairs_ordered_right(
    pairs: list[tuple[float, bool]],
) -> None:
    scores, labels = [s for s, _ in pairs], [ok for _, ok in pairs]
    wins = [
        1.0 if s > t else 0.5 if s == t else 0.0
        for s, ok in pairs
        if ok
        for t, bad in pairs
        if not bad
    ]
    got = auroc(scores, labels)
    if not wins:
        assert got is None
    else:
        assert math.isclose(got, sum(wins) / len(wins), abs_tol=1e-6)  # type: ignore[arg-type]
