"""The comparison of trials: a permutation test within tasks, intervals, determinism.

The oracles are exact: for a single task with pass/fail trials, the permutation p-value of
a drop is Fisher's hypergeometric tail; for one trial a side it is the share of the 2^T
sign flips at or below the observed change, enumerated here.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taskgate.stats.bootstrap import (
    Comparison,
    compare_trials,
    mean_of_rows,
    tail_of_rows,
    trials_by_task,
)
from taskgate.stats.power import comparison_design
from taskgate.stats.randomness import resample_indices, seed_for

SEED = seed_for("segment=smb:task_completion")
few = settings(max_examples=10, deadline=None)
# The Monte Carlo p-value over 5000 arrangements is within about 0.007 of the exact one
# near 0.05 (one standard error 0.003): 4 standard errors of room.
MC = 0.013


def single(scores: list[float], prefix: str = "t") -> dict[str, list[float]]:
    return {f"{prefix}{i:03}": [s] for i, s in enumerate(scores)}


def compared(base: dict[str, list[float]], cand: dict[str, list[float]]) -> Comparison:
    result = compare_trials(base, cand, SEED)
    assert result is not None
    return result


def fisher(base: list[float], cand: list[float]) -> float:
    """Exact chance that dealing the pooled runs out gives the candidate as few passes."""
    pooled, n = [*base, *cand], len(cand)
    ways = list(itertools.combinations(range(len(pooled)), n))
    low = sum(sum(pooled[i] for i in way) <= sum(cand) + 1e-12 for way in ways)
    return low / len(ways)


def sign_flips(base: list[float], cand: list[float]) -> float:
    diffs = [c - b for b, c in zip(base, cand, strict=True)]
    observed = sum(diffs)
    flips = list(itertools.product((1, -1), repeat=len(diffs)))
    low = sum(sum(s * d for s, d in zip(f, diffs, strict=True)) <= observed + 1e-12 for f in flips)
    return low / len(flips)


def test_identical_single_trials_show_no_change_and_no_evidence() -> None:
    base = single([0.5 + 0.01 * i for i in range(40)])
    result = compared(base, dict(base))
    assert (result.mean.delta, result.mean.ci, result.mean.p_value) == (0.0, (0.0, 0.0), 1.0)
    assert (result.method, result.tasks) == ("tasks", 40)


def test_identical_trials_of_several_a_task_sit_in_the_middle_of_the_null() -> None:
    rng = random.Random(5)
    base = {f"t{i}": [rng.random() for _ in range(3)] for i in range(30)}
    result = compared(base, {task: list(reversed(s)) for task, s in base.items()})
    assert (result.mean.delta, result.tail.delta, result.method) == (0.0, 0.0, "trials")
    assert 0.4 < result.mean.p_value < 0.65


@pytest.mark.parametrize(
    ("base", "cand"),
    [
        ([1, 1], [0, 0]),  # 1/6: with 2 trials a side one task flipping is noise
        ([1, 1, 1, 1], [0, 0, 0, 0]),  # 1/70
        ([1, 1, 1, 0], [1, 0, 0, 0]),
        ([1, 0, 1, 1, 1], [0, 0, 1]),
        ([1, 1, 1, 1, 1, 1, 1], [1, 1, 0, 0, 0, 0, 0]),  # 3432 ways: the general path
    ],
)
def test_one_task_p_value_is_fishers(base: list[float], cand: list[float]) -> None:
    result = compared({"a": base}, {"a": cand})
    assert result.mean.p_value == pytest.approx(fisher(base, cand), abs=MC)


def test_one_trial_a_side_is_the_paired_sign_flip() -> None:
    base, cand = [0.9, 0.8, 1.0, 0.7, 0.95, 0.6], [0.5, 0.85, 0.4, 0.7, 0.55, 0.65]
    result = compared(single(base), single(cand))
    assert result.mean.p_value == pytest.approx(sign_flips(base, cand), abs=MC)
    assert result.method == "tasks"


def test_four_tasks_of_four_trials_can_show_a_drop_the_sign_flip_never_could() -> None:
    """16 sign flips of 4 task means cannot go below 1/16 = 0.0625; 70^4 arrangements of
    the 32 trials can."""
    base = {"a": [1, 1, 1, 0], "b": [1, 1, 0, 1], "c": [1, 0, 1, 1], "d": [1, 1, 1, 1]}
    cand = {"a": [0, 0, 0, 0], "b": [0, 0, 1, 0], "c": [0, 0, 0, 0], "d": [0, 1, 0, 0]}
    result = compared(base, cand)
    assert result.mean.delta == pytest.approx(-0.6875)
    assert result.mean.p_value < 0.001
    assert result.mean.ci[1] < 0
    means_only = (
        {t: [sum(s) / 4] for t, s in base.items()},
        {t: [sum(s) / 4] for t, s in cand.items()},
    )
    assert compared(*means_only).mean.p_value == pytest.approx(1 / 16, abs=MC)


def test_a_clear_drop_between_different_tasks_is_significant_too() -> None:
    base = single([0.7 + 0.01 * i for i in range(30)])
    cand = single([0.3 + 0.01 * i for i in range(25)], prefix="u")
    result = compared(base, cand)
    assert (result.method, result.tasks) == ("unpaired", 25)
    assert result.mean.delta == pytest.approx(0.3 + 0.12 - (0.7 + 0.145), abs=1e-6)
    assert result.mean.p_value <= 0.01 and result.mean.ci[1] < 0
    assert result.tail.delta == pytest.approx(0.31 - 0.71, abs=1e-6)


def test_only_shared_tasks_are_compared() -> None:
    base = {"a": [0.9], "b": [0.5], "c": [0.7]}
    cand = {"a": [0.8], "b": [0.5], "d": [0.1]}
    result = compared(base, cand)
    assert (result.method, result.tasks) == ("tasks", 2)
    assert result.mean.delta == pytest.approx(-0.05)


def test_the_interval_resamples_trials_only_when_every_task_has_two_a_side() -> None:
    assert compared({"a": [1, 0, 1]}, {"a": [0, 1]}).method == "trials"
    assert compared({"a": [1, 0, 1], "b": [1, 1]}, {"a": [0, 1], "b": [1]}).method == "tasks"


def test_an_improvement_is_not_a_significant_drop() -> None:
    base = {f"t{i}": [0.5 + 0.01 * i, 0.4 + 0.01 * i] for i in range(30)}
    better = {task: [s + 0.1 for s in scores] for task, scores in base.items()}
    result = compared(base, better)
    assert result.mean.delta == pytest.approx(0.1, abs=1e-6)
    assert result.mean.p_value > 0.5


def test_an_empty_side_cannot_be_compared() -> None:
    assert compare_trials({}, {"a": [1.0]}, SEED) is None
    assert compare_trials({"a": [1.0]}, {}, SEED) is None
    assert compare_trials({"a": []}, {"a": [1.0]}, SEED) is None


def test_the_trial_bootstrap_has_the_spread_the_power_model_assumes() -> None:
    """Resampling trials within tasks, deviations scaled by sqrt(k/(k-1)), gives the mean
    change the standard error power.py computes: the interval and the minimum detectable
    drop describe the same noise."""
    rng = random.Random(11)
    base = {f"t{i}": [float(rng.random() < 0.6) for _ in range(3)] for i in range(80)}
    cand = {f"t{i}": [float(rng.random() < 0.6) for _ in range(3)] for i in range(80)}
    result = compared(base, cand)
    design = comparison_design(base, cand)
    assert design is not None
    width = (result.mean.ci[1] - result.mean.ci[0]) / (2 * 1.96)
    # power.py uses the pooled spread of both sides; the bootstrap each side's own.
    assert width == pytest.approx(design.se, rel=0.15)


def test_two_calls_give_the_same_bytes() -> None:
    rng = random.Random(3)
    base = {f"t{i}": [rng.random() for _ in range(rng.randint(1, 4))] for i in range(50)}
    cand = {f"t{i}": [rng.random() for _ in range(rng.randint(1, 4))] for i in range(45)}
    assert repr(compare_trials(base, cand, SEED)) == repr(compare_trials(base, cand, SEED))


def test_the_seed_is_the_labels_crc32() -> None:
    assert seed_for("") == 0
    assert seed_for("a") == 0xE8B7BE43


trial_lists = st.lists(st.floats(0, 1), min_size=1, max_size=5)
task_sets = st.dictionaries(st.sampled_from([f"t{i}" for i in range(12)]), trial_lists, min_size=1)


@few
@given(task_sets, task_sets, st.randoms(use_true_random=False))
def test_shuffling_tasks_or_the_trials_within_a_task_changes_nothing(
    base: dict[str, list[float]], cand: dict[str, list[float]], rng: random.Random
) -> None:
    def shuffled(trials: dict[str, list[float]]) -> dict[str, list[float]]:
        items = [(task, rng.sample(scores, len(scores))) for task, scores in trials.items()]
        rng.shuffle(items)
        return dict(items)

    assert compare_trials(base, cand, SEED) == compare_trials(shuffled(base), shuffled(cand), SEED)


@few
@given(task_sets, task_sets)
def test_p_values_lie_in_zero_one_and_the_delta_is_the_change_of_task_means(
    base: dict[str, list[float]], cand: dict[str, list[float]]
) -> None:
    result = compared(base, cand)
    for change in (result.mean, result.tail):
        assert 0 < change.p_value <= 1
        assert change.ci[0] <= change.ci[1]
    shared = sorted(base.keys() & cand.keys())
    before = [math.fsum(base[t]) / len(base[t]) for t in (shared or base)]
    after = [math.fsum(cand[t]) / len(cand[t]) for t in (shared or cand)]
    expected = math.fsum(after) / len(after) - math.fsum(before) / len(before)
    assert result.mean.delta == pytest.approx(expected, abs=1e-6)


def _null_share(rounds: int, draw: Callable[[random.Random, float], float]) -> float:
    """Share of ``rounds`` A/A comparisons (20 tasks x 2 trials a side) with p < 0.2."""
    rng = random.Random(2)
    below = 0
    for round_ in range(rounds):
        rates = [rng.random() for _ in range(20)]
        base = {f"t{i}": [draw(rng, r) for _ in range(2)] for i, r in enumerate(rates)}
        cand = {f"t{i}": [draw(rng, r) for _ in range(2)] for i, r in enumerate(rates)}
        result = compare_trials(base, cand, seed_for(f"null:{round_}"), resamples=400)
        assert result is not None
        below += result.mean.p_value < 0.2
    return below / rounds


def test_p_values_are_about_uniform_when_nothing_changed() -> None:
    """A coarse check over many seeds: with graded scores, p < 0.2 about 20% of the time."""
    share = _null_share(200, lambda rng, rate: min(1.0, max(0.0, rng.gauss(rate, 0.2))))
    assert 0.12 <= share <= 0.28


def test_pass_fail_scores_never_make_the_test_fire_more_often_than_its_level() -> None:
    """Ties of 0/1 scores make the test conservative, never the other way."""
    share = _null_share(200, lambda rng, rate: float(rng.random() < rate))
    assert share <= 0.25


def test_resample_indices_are_in_range_and_reproducible() -> None:
    drawn = resample_indices(SEED, 0, 200, 7)
    assert drawn.shape == (200, 7)
    assert set(drawn.ravel().tolist()) == set(range(7))
    assert np.array_equal(drawn, resample_indices(SEED, 0, 200, 7))
    assert not np.array_equal(drawn, resample_indices(SEED + 1, 0, 200, 7))
    whole = resample_indices(SEED, 0, 10, 5)
    assert np.array_equal(whole[3:5], resample_indices(SEED, 3, 2, 5))


def test_mean_and_tail_of_rows_on_a_hand_worked_matrix() -> None:
    rows = np.array([[0.9, 0.1, 0.5], [1.0, 1.0, 1.0], [0.4, 0.2, 0.6]])
    assert mean_of_rows(rows).tolist() == pytest.approx([0.5, 1.0, 0.4])
    assert tail_of_rows(rows).tolist() == [0.1, 1.0, 0.2]
    eleven = np.array([[i / 10 for i in (10, 3, 0, 7, 1, 9, 2, 8, 4, 6, 5)]])
    assert tail_of_rows(eleven).tolist() == pytest.approx([0.05])


def test_trials_are_grouped_by_task_in_the_order_given() -> None:
    scores = [("a", 1.0), ("b", 0.5), ("a", 0.0), ("c", 0.1)]
    assert trials_by_task(scores) == {"a": [1.0, 0.0], "b": [0.5], "c": [0.1]}
    assert trials_by_task([]) == {}
