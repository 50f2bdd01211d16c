"""What a comparison can detect: the minimum detectable drop of a task-averaged mean, and
the tasks or trials a golden set needs to catch a given drop.

The test (bootstrap.py) deals each task's runs out between the sides at random. Under that
null the change of the task-averaged mean has the exact variance

    sum over tasks of S_t^2 (1/m_t + 1/n_t), divided by T^2,

with S_t^2 the variance (n - 1 in the denominator) of all of task t's runs, m_t and n_t its
trials a side, T the tasks. A drop d is caught with power P at one-sided level alpha when
d >= (z(1 - alpha) + z(P)) * SE: the normal approximation, which tests/test_power.py checks
against the real test by simulation. More tasks or more trials both shrink SE as 1/sqrt;
new tasks are assumed as noisy as today's on average.

A test that deals runs out has a finite number of arrangements: 4 tasks with one trial a
side have 16 (counted from the design, as if every score differed), so no p-value goes
below 1/16 and nothing is ever detected at alpha 0.05, however large the drop. That is
said as "no drop is detectable", never as a small number.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist

Trials = Mapping[str, Sequence[float]]
_NORMAL = NormalDist()


@dataclass(frozen=True)
class Design:
    """The shape and noise of a comparison."""

    tasks: int
    trials: float
    """Trials a task a side, averaged over tasks and sides."""
    se: float
    """Standard error of the change of the task-averaged mean under the null."""
    smallest_p: float
    """The smallest p-value the test can reach with these tasks and trials (the chance of
    its most extreme arrangement). Ties in today's scores make it larger, but a real drop
    breaks them, so the design's figure is the one that says what could be detected."""


def variance(values: Sequence[float]) -> float:
    """Sample variance with n - 1 in the denominator; 0 for fewer than two values."""
    if len(values) < 2:
        return 0.0
    centre = math.fsum(values) / len(values)
    return math.fsum((v - centre) ** 2 for v in values) / (len(values) - 1)


def comparison_design(base: Trials, cand: Trials) -> Design | None:
    """The design of a comparison over the tasks both sides ran; None if they share none."""
    shared = sorted(t for t in base.keys() & cand.keys() if base[t] and cand[t])
    if not shared:
        return None
    spread = math.fsum(
        variance([*base[t], *cand[t]]) * (1 / len(base[t]) + 1 / len(cand[t])) for t in shared
    )
    log_ways = math.fsum(
        math.log(math.comb(len(base[t]) + len(cand[t]), len(cand[t]))) for t in shared
    )
    trials = math.fsum(len(base[t]) + len(cand[t]) for t in shared) / (2 * len(shared))
    return Design(len(shared), trials, math.sqrt(spread) / len(shared), math.exp(-log_ways))


def unpaired_design(base: Trials, cand: Trials) -> Design | None:
    """Sides with no task in common: two independent samples of task means."""
    before = [math.fsum(v) / len(v) for v in base.values() if v]
    after = [math.fsum(v) / len(v) for v in cand.values() if v]
    if not before or not after:
        return None
    spread = variance([*before, *after]) * (1 / len(before) + 1 / len(after))
    trials = math.fsum(len(v) for v in [*base.values(), *cand.values()] if v) / (
        len(before) + len(after)
    )
    ways = math.comb(len(before) + len(after), len(after))
    return Design(len(after), trials, math.sqrt(spread), 1 / ways)


def z_sum(alpha: float, power: float) -> float:
    return _NORMAL.inv_cdf(1 - alpha) + _NORMAL.inv_cdf(power)


def min_detectable_drop(design: Design, alpha: float, power: float) -> float | None:
    """The smallest drop of the mean caught with ``power``; None when the test cannot reach
    ``alpha`` at all, or when no run differs from another of its task: the noise a drop must
    beat is then unknown, and a drop of a few tasks would not show."""
    if design.smallest_p >= alpha or design.se == 0:
        return None
    return round(z_sum(alpha, power) * design.se, 6)


def power_at(drop: float, se: float, alpha: float) -> float:
    """The chance of catching a drop of ``drop`` when the change has standard error ``se``."""
    if se <= 0:
        return 1.0 if drop > 0 else 0.0
    return _NORMAL.cdf(drop / se - _NORMAL.inv_cdf(1 - alpha))


@dataclass(frozen=True)
class Needed:
    """What a design needs to catch a drop: more tasks at today's trials, or more trials
    at today's tasks (each alone)."""

    tasks: int
    trials: int


def needed(design: Design, drop: float, alpha: float, power: float) -> Needed:
    """Tasks (at today's trials) or trials a task (at today's tasks) that bring the
    minimum detectable drop down to ``drop``, and lift the test's resolution below alpha."""
    factor = (z_sum(alpha, power) * design.se / drop) ** 2 if design.se > 0 else 1.0
    scale = max(factor, _resolution_factor(design, alpha))
    return Needed(
        tasks=max(design.tasks, math.ceil(design.tasks * scale - 1e-9)),
        trials=max(math.ceil(design.trials - 1e-9), math.ceil(design.trials * scale - 1e-9)),
    )


def _resolution_factor(design: Design, alpha: float) -> float:
    """How many times today's tasks the test needs before its smallest p-value is below
    alpha: the arrangements multiply with every task."""
    if design.smallest_p < alpha:
        return 1.0
    log_ways = -math.log(design.smallest_p) if design.smallest_p > 0 else math.inf
    return (-math.log(alpha) + 1e-9) / log_ways * 1.0001
