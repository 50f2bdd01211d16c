"""The bootstrap comparison of per-task scores: intervals, p-values, pairing, determinism."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taskgate.bootstrap import (
    Interval,
    compare_tasks,
    mean_of_rows,
    resample_indices,
    seed_for,
    tail_of_rows,
    task_means,
)

SEED = seed_for("segment=smb:task_completion")
few = settings(max_examples=10, deadline=None)
score_lists = st.lists(st.floats(0, 1), min_size=2, max_size=30)


def tasks(scores: list[float], prefix: str = "t") -> dict[str, float]:
    return {f"{prefix}{i:03}": s for i, s in enumerate(scores)}


def spread(n: int, low: float, step: float) -> dict[str, float]:
    return tasks([low + step * i for i in range(n)])


def test_identical_inputs_show_no_change() -> None:
    base = spread(40, 0.5, 0.01)
    compared = compare_tasks(base, dict(base), SEED)
    unchanged = Interval(delta=0.0, ci=(0.0, 0.0), p_value=1.0, paired=True)
    assert compared == (unchanged, unchanged)


def test_a_clear_drop_is_significant_and_its_interval_lies_below_zero() -> None:
    rng = random.Random(7)
    base = tasks([rng.uniform(0.7, 1.0) for _ in range(40)])
    cand = {task: score - rng.uniform(0.2, 0.4) for task, score in base.items()}
    compared = compare_tasks(base, cand, SEED)
    assert compared is not None
    for change in compared:
        assert change.paired
        assert change.p_value <= 0.01
        assert change.ci[1] < 0
        assert change.ci[0] <= change.delta <= change.ci[1]


def test_a_clear_drop_between_different_tasks_is_significant_too() -> None:
    base = spread(30, 0.7, 0.01)
    cand = tasks([0.3 + 0.01 * i for i in range(25)], prefix="u")
    mean, tail = compare_tasks(base, cand, SEED)  # type: ignore[misc]
    assert (mean.paired, tail.paired) == (False, False)
    assert mean.delta == pytest.approx(0.3 + 0.12 - (0.7 + 0.145), abs=1e-6)
    assert mean.p_value <= 0.01 and mean.ci[1] < 0
    assert tail.delta == pytest.approx(0.31 - 0.71, abs=1e-6)  # worst 3 of 25, worst 3 of 30
    assert tail.p_value <= 0.01 and tail.ci[1] < 0


def test_an_improvement_is_not_a_significant_drop() -> None:
    base = spread(30, 0.5, 0.01)
    better = {task: score + 0.1 for task, score in base.items()}
    for change in compare_tasks(base, better, SEED) or ():
        assert change.delta == pytest.approx(0.1, abs=1e-6)
        assert change.p_value > 0.5


def test_one_task_is_no_evidence_of_a_drop() -> None:
    # Swapping the sides of a single task is as likely as not: p is about one half.
    mean, tail = compare_tasks({"a": 1.0}, {"a": 0.0}, SEED)  # type: ignore[misc]
    assert (mean.delta, mean.ci, tail.delta) == (-1.0, (-1.0, -1.0), -1.0)
    assert 0.4 < mean.p_value < 0.6 and 0.4 < tail.p_value < 0.6


def test_pairing_follows_the_task_sets_not_their_order() -> None:
    base = {"a": 0.9, "b": 0.5, "c": 0.7}
    backwards = {"c": 0.6, "b": 0.5, "a": 0.9}
    assert all(c.paired for c in compare_tasks(base, backwards, SEED) or ())
    other = {"a": 0.9, "b": 0.5, "d": 0.7}
    assert not any(c.paired for c in compare_tasks(base, other, SEED) or ())
    fewer = {"a": 0.9, "b": 0.5}
    assert not any(c.paired for c in compare_tasks(base, fewer, SEED) or ())


def test_an_empty_side_cannot_be_compared() -> None:
    assert compare_tasks({}, {"a": 1.0}, SEED) is None
    assert compare_tasks({"a": 1.0}, {}, SEED) is None


def test_two_calls_give_the_same_bytes() -> None:
    rng = random.Random(3)
    base = tasks([rng.random() for _ in range(50)])
    cand = tasks([rng.random() for _ in range(45)])
    paired = {task: rng.random() for task in base}
    assert repr(compare_tasks(base, cand, SEED)) == repr(compare_tasks(base, cand, SEED))
    assert repr(compare_tasks(base, paired, SEED)) == repr(compare_tasks(base, paired, SEED))


def test_the_seed_is_the_labels_crc32() -> None:
    assert seed_for("all=all:task_completion") == seed_for("all=all:task_completion")
    assert seed_for("") == 0
    assert seed_for("a") == 0xE8B7BE43


@few
@given(score_lists, score_lists, st.randoms(use_true_random=False), st.booleans())
def test_insertion_order_does_not_matter(
    before: list[float], after: list[float], rng: random.Random, same_tasks: bool
) -> None:
    base = tasks(before)
    if same_tasks:
        cand = tasks([after[i % len(after)] for i in range(len(before))])
    else:
        cand = tasks(after, prefix="u")
    shuffled_base, shuffled_cand = list(base.items()), list(cand.items())
    rng.shuffle(shuffled_base)
    rng.shuffle(shuffled_cand)
    first = compare_tasks(base, cand, SEED)
    second = compare_tasks(dict(shuffled_base), dict(shuffled_cand), SEED)
    assert first == second
    assert first is not None and first[0].paired == same_tasks


@few
@given(score_lists, score_lists, st.booleans())
def test_p_values_lie_in_zero_one_and_the_interval_holds_the_mean_change(
    before: list[float], after: list[float], same_tasks: bool
) -> None:
    base = tasks(before)
    cand = tasks(after, prefix="t" if same_tasks and len(after) == len(before) else "u")
    compared = compare_tasks(base, cand, SEED)
    assert compared is not None
    mean = compared[0]
    for change in compared:
        assert 0 < change.p_value <= 1
        assert change.ci[0] <= change.ci[1]
    assert mean.ci[0] - 1e-6 <= mean.delta <= mean.ci[1] + 1e-6
    expected = math.fsum(after) / len(after) - math.fsum(before) / len(before)
    assert mean.delta == pytest.approx(expected, abs=1e-6)


def test_resample_indices_are_in_range_and_reproducible() -> None:
    drawn = resample_indices(SEED, 0, 200, 7)
    assert drawn.shape == (200, 7)
    assert drawn.min() >= 0 and drawn.max() <= 6
    assert set(drawn.ravel().tolist()) == set(range(7))
    assert np.array_equal(drawn, resample_indices(SEED, 0, 200, 7))
    assert not np.array_equal(drawn, resample_indices(SEED + 1, 0, 200, 7))


def test_resample_rows_do_not_depend_on_the_chunks_they_are_drawn_in() -> None:
    whole = resample_indices(SEED, 0, 10, 5)
    assert np.array_equal(whole[3:5], resample_indices(SEED, 3, 2, 5))
    assert np.array_equal(
        whole, np.vstack([resample_indices(SEED, s, 2, 5) for s in (0, 2, 4, 6, 8)])
    )


def test_a_single_task_can_only_resample_itself() -> None:
    assert resample_indices(SEED, 0, 4, 1).tolist() == [[0], [0], [0], [0]]


def test_mean_and_tail_of_rows_on_a_hand_worked_matrix() -> None:
    rows = np.array([[0.9, 0.1, 0.5], [1.0, 1.0, 1.0], [0.4, 0.2, 0.6]])
    assert mean_of_rows(rows).tolist() == pytest.approx([0.5, 1.0, 0.4])
    # Three values: the worst decile is the single lowest value.
    assert tail_of_rows(rows).tolist() == [0.1, 1.0, 0.2]
    # Eleven values: the worst decile is the lowest two, 0.0 and 0.1.
    eleven = np.array([[i / 10 for i in (10, 3, 0, 7, 1, 9, 2, 8, 4, 6, 5)]])
    assert tail_of_rows(eleven).tolist() == pytest.approx([0.05])
    assert mean_of_rows(eleven).tolist() == pytest.approx([0.5])


def test_task_means_average_the_trials_of_each_task() -> None:
    scores = [("a", 1.0), ("b", 0.5), ("a", 0.0), ("a", 0.5), ("c", 0.1), ("c", 0.2)]
    assert task_means(scores) == {"a": 0.5, "b": 0.5, "c": pytest.approx(0.15)}
    assert task_means([]) == {}
