"""What a comparison can detect: the normal model of power.py checked against the real
test by simulation, on the noise of the bundled golden set's own trials."""

from __future__ import annotations

import math
import random

import pytest

from taskgate.compare.baseline import load_report
from taskgate.stats.bootstrap import compare_trials, trials_by_task
from taskgate.stats.power import (
    Design,
    comparison_design,
    min_detectable_drop,
    needed,
    power_at,
    unpaired_design,
    variance,
)
from taskgate.stats.randomness import seed_for
from tests.conftest import FIXTURES

ALPHA = 0.05


def golden_trials() -> dict[str, list[float]]:
    report = load_report(FIXTURES / "baseline.json")
    trials = trials_by_task(
        [(r.task_id, s) for r in report.runs if (s := r.scores["task_completion"]) is not None]
    )
    return {task: scores for task, scores in sorted(trials.items()) if len(scores) >= 2}


def inflated(scores: list[float]) -> list[float]:
    """Values whose resampling has the task's unbiased variance."""
    centre, k = math.fsum(scores) / len(scores), len(scores)
    return [centre + (s - centre) * math.sqrt(k / (k - 1)) for s in scores]


def simulated_power(tasks: dict[str, list[float]], trials: int, drop: float, rounds: int) -> float:
    rng = random.Random(f"power:{trials}:{drop}")
    pools = {task: inflated(scores) for task, scores in tasks.items()}
    caught = 0
    for round_ in range(rounds):
        base = {t: [rng.choice(p) for _ in range(trials)] for t, p in pools.items()}
        cand = {t: [rng.choice(p) - drop for _ in range(trials)] for t, p in pools.items()}
        result = compare_trials(base, cand, seed_for(f"sim:{round_}"), resamples=500)
        assert result is not None
        caught += result.mean.p_value < ALPHA
    return caught / rounds


@pytest.mark.parametrize("drop", [0.04, 0.07, 0.10])
def test_the_modelled_power_is_within_a_few_points_of_the_real_tests(drop: float) -> None:
    tasks = dict(list(golden_trials().items())[:60])
    noise = math.fsum(variance(s) for s in tasks.values()) / len(tasks)
    se = math.sqrt(noise * (1 / 2 + 1 / 2) / len(tasks))
    modelled = power_at(drop, se, ALPHA)
    # 300 rounds: the simulated figure has a standard error of at most 0.029.
    assert simulated_power(tasks, 2, drop, 300) == pytest.approx(modelled, abs=0.05)


def test_the_design_of_a_hand_worked_comparison() -> None:
    base = {"a": [1.0, 0.0], "b": [1.0, 1.0]}
    cand = {"a": [0.0, 0.0], "b": [1.0], "c": [0.5]}
    design = comparison_design(base, cand)
    # a: 4 runs [1,0,0,0], variance 0.25, x (1/2 + 1/2); b: 3 runs all 1, variance 0.
    assert design is not None
    assert (design.tasks, design.trials, design.se) == (2, 1.75, math.sqrt(0.25) / 2)
    assert design.smallest_p == pytest.approx(1 / (6 * 3), rel=1e-12)
    # 18 arrangements: no p-value below 1/18, so nothing is detectable at 0.05; at 0.1 it is.
    assert min_detectable_drop(design, ALPHA, 0.8) is None
    assert min_detectable_drop(design, 0.1, 0.8) == pytest.approx(2.123172 * 0.25, abs=1e-6)


def test_four_tasks_of_one_trial_cannot_detect_any_drop() -> None:
    base = {t: [0.9] for t in "abcd"}
    cand = {t: [0.1] for t in "abcd"}
    design = comparison_design(base, cand)
    assert design is not None and design.smallest_p == 1 / 16
    assert min_detectable_drop(design, ALPHA, 0.8) is None
    # 5 tasks have 32 arrangements: 1/32 is below 0.05.
    assert needed(design, 0.03, ALPHA, 0.8).tasks >= 5


def test_more_tasks_or_trials_shrink_the_detectable_drop_as_one_over_the_root() -> None:
    design = Design(tasks=50, trials=2.0, se=0.04, smallest_p=1e-30)
    drop = min_detectable_drop(design, ALPHA, 0.8)
    assert drop == pytest.approx(0.04 * 2.486475, abs=1e-5)
    need = needed(design, drop / 2, ALPHA, 0.8)
    assert (need.tasks, need.trials) == (200, 8)


def test_unpaired_designs_use_the_spread_of_task_means() -> None:
    design = unpaired_design({"a": [1.0], "b": [0.0]}, {"c": [1.0], "d": [0.0, 1.0]})
    means = [1.0, 0.0, 1.0, 0.5]
    assert design == Design(
        tasks=2, trials=1.25, se=math.sqrt(variance(means) * (1 / 2 + 1 / 2)), smallest_p=1 / 6
    )
