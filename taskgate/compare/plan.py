"""taskgate plan: from a baseline's own noise, what today's gate can detect and what a golden
set needs to catch a given drop (power.py has the model and its assumptions).

The noise is each task's spread over its baseline trials. With no task run twice the
spread within a task cannot be seen; the spread between tasks stands in for it, which
overstates the noise (the plan then asks for more than is needed) and is said so.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from taskgate.errors import BaselineError, Problem, TaskgateError
from taskgate.model.names import METRIC_NAMES
from taskgate.model.report import Report
from taskgate.stats.bootstrap import trials_by_task
from taskgate.stats.measures import rounded
from taskgate.stats.power import power_at, variance, z_sum

DROPS = (0.01, 0.02, 0.03, 0.05, 0.10, 0.20)
TRIALS = (1, 2, 4, 8)


@dataclass(frozen=True)
class PowerRow:
    drop: float
    power: float


@dataclass(frozen=True)
class DesignRow:
    trials: int
    """Trials a task a side."""
    tasks: int
    """Tasks needed at that many trials."""


@dataclass(frozen=True)
class Plan:
    metric: str
    tasks: int
    trials: float
    """Trials a task in the baseline, averaged."""
    noise_tasks: int
    """Tasks with two or more trials, whose spread measured the noise; 0: the spread
    between tasks stood in for it."""
    sd: float
    """The noise: root mean square of the tasks' standard deviations over trials."""
    drop: float
    alpha: float
    power: float
    detects: float | None
    """The smallest drop today's design catches with ``power``; None: none at all."""
    powers: list[PowerRow]
    designs: list[DesignRow]
    trials_needed: int
    """Trials a task that catch ``drop`` at today's number of tasks."""

    def to_json(self) -> dict[str, object]:
        return {
            "metric": self.metric,
            "tasks": self.tasks,
            "trials": self.trials,
            "noise_tasks": self.noise_tasks,
            "sd": self.sd,
            "drop": self.drop,
            "alpha": self.alpha,
            "power": self.power,
            "min_detectable_drop": self.detects,
            "power_by_drop": [{"drop": r.drop, "power": r.power} for r in self.powers],
            "tasks_needed": [{"trials": d.trials, "tasks": d.tasks} for d in self.designs],
            "trials_needed": self.trials_needed,
        }


def _noise(trials: dict[str, list[float]]) -> tuple[float, int]:
    """(mean within-task variance, tasks behind it)."""
    repeated = [scores for scores in trials.values() if len(scores) >= 2]
    if repeated:
        spreads = [variance(scores) for scores in repeated]
        return math.fsum(spreads) / len(spreads), len(repeated)
    means = [math.fsum(s) / len(s) for s in trials.values()]
    return variance(means), 0


def _se(var: float, tasks: int, trials: float) -> float:
    return math.sqrt(var * 2 / trials / tasks) if tasks and trials else math.inf


def _resolves(tasks: int, trials: int, alpha: float) -> bool:
    """Whether the test's most extreme arrangement is rarer than alpha."""
    ways = (math.lgamma(2 * trials + 1) - 2 * math.lgamma(trials + 1)) * tasks
    return ways > -math.log(alpha)


def _tasks_for(var: float, trials: int, drop: float, z: float, alpha: float) -> int:
    tasks = max(1, math.ceil(z * z * var * 2 / trials / (drop * drop) - 1e-9))
    while not _resolves(tasks, trials, alpha):
        tasks += 1
    return tasks


def plan(
    report: Report,
    metric: str,
    drop: float,
    alpha: float,
    power: float,
    drops: Sequence[float] = DROPS,
    source: str = "baseline",
) -> Plan:
    trials = trials_by_task(
        [(r.task_id, s) for r in report.runs if (s := r.scores.get(metric)) is not None]
    )
    if not trials:
        message = (
            f"no run has a {metric} score, so there is no noise to plan from; give a baseline "
            "whose runs were judged on it, or choose another --metric"
        )
        raise BaselineError([Problem(source, None, "runs", message)])
    var, measured = _noise(trials)
    if var == 0:
        message = (
            f"every run scored the same on {metric} as the others of its task"
            + ("" if measured else " (and every task alike)")
            + ", so the noise a drop must beat is unknown and so is the size a golden set "
            "needs; plan from a baseline whose runs vary"
        )
        raise BaselineError([Problem(source, None, "runs", message)])
    tasks = len(trials)
    per_task = math.fsum(len(s) for s in trials.values()) / tasks if tasks else 0.0
    k = max(1, round(per_task))
    se = _se(var, tasks, per_task)
    resolves = tasks > 0 and _resolves(tasks, k, alpha)
    z = z_sum(alpha, power)
    trials_needed = max(k, math.ceil(z * z * var * 2 / (tasks * drop * drop) - 1e-9))
    while not _resolves(tasks, trials_needed, alpha):
        trials_needed += 1
    return Plan(
        metric=metric,
        tasks=tasks,
        trials=rounded(per_task),
        noise_tasks=measured,
        sd=rounded(math.sqrt(var)),
        drop=drop,
        alpha=alpha,
        power=power,
        detects=rounded(z * se) if resolves else None,
        powers=[
            PowerRow(d, rounded(power_at(d, se, alpha)) if resolves else 0.0)
            for d in sorted({*drops, drop})
        ],
        designs=[DesignRow(t, _tasks_for(var, t, drop, z, alpha)) for t in TRIALS],
        trials_needed=trials_needed,
    )


def check_plan_options(
    drop: float, power: float, alpha: float, metric: str, plugins: Sequence[str] = ()
) -> tuple[str, float, float, float]:
    """(metric, drop, alpha, power), or a usage error naming the option and what it takes;
    ``plugins``: the config's plugin metrics, which may be planned for too."""
    problems = []
    if not 0.001 <= drop <= 1:
        problems.append(f"--drop {drop:g}: give a drop of the mean from 0.001 to 1, such as 0.03")
    if not 0.5 <= power < 1:
        problems.append(
            f"--power {power:g}: give a power from 0.5 up to (not including) 1, such as 0.8"
        )
    if not 0 < alpha < 0.5:
        problems.append(
            f"--alpha {alpha:g}: give a one-sided level between 0 and 0.5, such as 0.05"
        )
    metrics = [*METRIC_NAMES[:-1], *plugins, METRIC_NAMES[-1]]
    if metric not in metrics:
        problems.append(f"--metric {metric!r}: not a metric; choose one of {', '.join(metrics)}")
    if problems:
        raise TaskgateError("; ".join(problems))
    return metric, drop, alpha, power


def _count(value: float, word: str) -> str:
    shown = f"{value:.1f}".removesuffix(".0")
    return f"{shown} {word}{'' if shown == '1' else 's'}"


def render_plan(result: Plan, source: str) -> str:
    basis = (
        f"the spread over trials of {result.noise_tasks} tasks run two or more times"
        if result.noise_tasks
        else "the spread between tasks (no task was run twice: this overstates the noise; "
        "run two trials a task once to measure it)"
    )
    lines = [
        f"Plan from {source}: {_count(result.tasks, 'task')}, {_count(result.trials, 'trial')} "
        "a task; "
        f"{result.metric} noise sd {result.sd:.3f}, from {basis}.",
        "",
        f"Today's gate ({_count(result.tasks, 'task')} x {_count(result.trials, 'trial')} a "
        "side, alpha "
        f"{result.alpha:g}, one-sided) catches a drop with power:",
        "",
        "  drop    power",
        *(f"  {row.drop:<6.2f}  {row.power:>5.0%}" for row in result.powers),
        "",
    ]
    if result.detects is None:
        lines.append("It cannot detect any drop: too few arrangements of trials to reach alpha.")
    else:
        lines.append(f"It catches a drop of {result.detects:.3f} with power {result.power:g}.")
    lines += [
        "",
        f"To catch a drop of {result.drop:g} with power {result.power:g}:",
        "",
        "  trials a task   tasks needed",
        *(f"  {row.trials:<14}  {row.tasks}" for row in result.designs),
        "",
        f"or, keeping {_count(result.tasks, 'task')}, {_count(result.trials_needed, 'trial')} "
        "a task.",
        "Assumes the new tasks are as noisy as today's, and the drop a shift of every trial.",
    ]
    return "\n".join(lines) + "\n"
