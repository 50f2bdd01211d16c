"""Per-cohort statistics: mean, tail (worst decile), gap, pass rate, status.

Pure functions of scored runs. Every statistic is defined on empty input
(None), so a cohort with nothing to judge is never given a made-up number.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from taskgate.aggregate.tasks import task_states
from taskgate.model.names import PASS_RATE
from taskgate.model.report import (
    CohortSummary,
    DimensionSummary,
    LabelAgreement,
    MetricSummary,
    RunResult,
    Status,
)
from taskgate.stats.measures import auroc, mean, pass_hat_k, percentile, rounded, tail

ALL = "all"
BUDGET_DIMENSION = "step_budget_exceeded"
MISSING_VALUE = "(none)"
_STATUS_RANK: dict[Status, int] = {"green": 0, "yellow": 1, "red": 2}


class Bands(Protocol):
    @property
    def green(self) -> float: ...
    @property
    def yellow(self) -> float: ...


def status_of(value: float | None, bands: Bands | None) -> Status | None:
    if value is None or bands is None:
        return None
    return "green" if value >= bands.green else "yellow" if value >= bands.yellow else "red"


def worst_status(statuses: Iterable[Status | None]) -> Status | None:
    ranked: list[Status] = [s for s in statuses if s is not None]
    if not ranked:
        return None
    return max(ranked, key=lambda status: _STATUS_RANK[status])


def summarize_metric(values: Sequence[float], bands: Bands | None) -> MetricSummary:
    average, worst = mean(values), tail(values)
    passing = None
    if bands is not None and values:
        passing = rounded(sum(v >= bands.green for v in values) / len(values))
    return MetricSummary(
        n=len(values),
        mean=average,
        tail=worst,
        gap=None if average is None or worst is None else rounded(average - worst),
        pass_rate=passing,
        status=status_of(average, bands),
    )


def summarize_cohort(
    dimension: str,
    value: str,
    runs: Sequence[RunResult],
    metrics: Sequence[str],
    thresholds: Mapping[Any, Bands],
) -> CohortSummary:
    summaries = {
        name: summarize_metric(values, thresholds.get(name))
        for name, values in metric_columns(runs, metrics).items()
    }
    passing = pass_rate(runs)
    pass_status = status_of(passing, thresholds.get(PASS_RATE))
    return CohortSummary(
        dimension=dimension,
        value=value,
        n=len(runs),
        pass_rate=passing,
        pass_status=pass_status,
        unjudged=sum(r.passed is None for r in runs),
        status=worst_status([*(m.status for m in summaries.values()), pass_status]),
        metrics=summaries,
        underspecified=sum(r.underspecified for r in runs),
        failure_shapes=_counts(r.failure_shape for r in runs),
        diagnoses=_counts(r.diagnosis for r in runs if r.passed is False),
        steps=step_stats(runs),
        cost=cost_stats(runs),
        pass_k=pass_k(runs),
        task_states=task_states(runs),
    )


def pass_rate(runs: Sequence[RunResult]) -> float | None:
    """Share of the judged runs that passed; None when no run could be judged. An unjudged
    run is neither a pass nor a failure: it is counted apart."""
    judged = [r.passed for r in runs if r.passed is not None]
    return rounded(sum(judged) / len(judged)) if judged else None


def metric_columns(runs: Sequence[RunResult], metrics: Sequence[str]) -> dict[str, list[float]]:
    """Each metric's judged values over ``runs`` (None left out), in run order.

    Every metric of a run is read at once and the rows turned into columns in C: a pass
    per metric and cohort was most of aggregating a large file."""
    if not metrics:
        return {}
    scores = [run.scores for run in runs]
    try:
        rows = [tuple(map(score.__getitem__, metrics)) for score in scores]
    except KeyError:  # a saved report scored with fewer metrics
        rows = [tuple(map(score.get, metrics)) for score in scores]
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in metrics]
    return {
        name: [value for value in column if value is not None]
        for name, column in zip(metrics, columns, strict=True)
    }


def _counts(labels: Iterable[str | None]) -> dict[str, int]:
    found: dict[str, int] = {}
    for label in labels:
        if label is not None:
            found[label] = found.get(label, 0) + 1
    return dict(sorted(found.items()))


def step_stats(runs: Sequence[RunResult]) -> dict[str, float | None]:
    steps = [float(r.steps) for r in runs]
    return {"mean": mean(steps), "p50": percentile(steps, 0.5), "p90": percentile(steps, 0.9)}


def cost_stats(runs: Sequence[RunResult]) -> dict[str, float | None]:
    """What one success costs: the spend of all runs, failed ones too, per passed run."""
    passes = sum(r.passed is True for r in runs)
    costs = [r.cost_usd for r in runs if r.cost_usd is not None]
    tokens = [float(r.tokens) for r in runs if r.tokens is not None]
    return {
        "total_usd": rounded(math.fsum(costs)) if costs else None,
        "per_pass_usd": rounded(math.fsum(costs) / passes) if costs and passes else None,
        "tokens_per_pass": rounded(math.fsum(tokens) / passes) if tokens and passes else None,
    }


def pass_k(runs: Sequence[RunResult]) -> dict[str, float]:
    """pass^k for k = 1 .. the most judged trials any task has, keyed by k; unjudged trials
    are left out, as they are neither passes nor failures."""
    per_task: dict[str, list[bool]] = {}
    for run in runs:
        if run.passed is not None:
            per_task.setdefault(run.task_id, []).append(run.passed)
    trials = [(len(results), sum(results)) for results in per_task.values()]
    most = max((n for n, _ in trials), default=0)
    values = {str(k): pass_hat_k(trials, k) for k in range(1, most + 1)}
    return {k: v for k, v in values.items() if v is not None}


def cohort_value(run: RunResult, dimension: str) -> str:
    if dimension == ALL:
        return ALL
    if dimension == BUDGET_DIMENSION:
        return "true" if run.step_budget_exceeded else "false"
    return run.cohort.get(dimension, MISSING_VALUE)


def group_by_cohort(
    runs: Sequence[RunResult], dimensions: Sequence[str]
) -> list[tuple[str, str, list[RunResult]]]:
    """``(dimension, value, runs)`` for ``all``, each dimension, and the budget dimension."""
    groups: list[tuple[str, str, list[RunResult]]] = []
    for dimension in [ALL, *dimensions, BUDGET_DIMENSION]:
        members: dict[str, list[RunResult]] = {}
        for run in runs:
            members.setdefault(cohort_value(run, dimension), []).append(run)
        groups += [(dimension, value, members[value]) for value in sorted(members)]
    return groups


def discover_dimensions(runs: Iterable[RunResult]) -> list[str]:
    """Every cohort key seen in the runs, sorted; used when the config names none."""
    return sorted({key for run in runs for key in run.cohort} - {ALL, BUDGET_DIMENSION})


def worst_cohort_gap(overall: float | None, cohort_means: Sequence[float | None]) -> float | None:
    """Overall mean minus the mean of the worst decile of cohorts (at least one)."""
    means = [m for m in cohort_means if m is not None]
    worst = tail(means)
    return None if overall is None or worst is None else rounded(overall - worst)


def summarize_dimensions(
    cohorts: Sequence[CohortSummary], metrics: Sequence[str], min_size: int
) -> list[DimensionSummary]:
    """Per dimension, the worst-cohort gap of each metric over cohorts large enough to judge."""
    overall = next(c for c in cohorts if c.dimension == ALL)
    by_dimension: dict[str, list[CohortSummary]] = {}
    for cohort in cohorts:
        if cohort.dimension not in (ALL, BUDGET_DIMENSION):
            by_dimension.setdefault(cohort.dimension, []).append(cohort)
    return [
        DimensionSummary(
            name=name,
            cohorts=len(members),
            worst_cohort_gap={
                metric: worst_cohort_gap(
                    overall.metrics[metric].mean,
                    [c.metrics[metric].mean for c in members if c.n >= min_size],
                )
                for metric in metrics
            },
        )
        for name, members in by_dimension.items()
    ]


SUCCESS_REWARD = 0.5


def label_agreement(runs: Sequence[RunResult], metrics: Sequence[str]) -> LabelAgreement | None:
    """How the scores agree with labels.reward (a reward of 0.5 or more is a success)."""
    labelled = [r for r in runs if r.reward is not None]
    if not labelled:
        return None
    success = [r.reward is not None and r.reward >= SUCCESS_REWARD for r in labelled]
    curves = {}
    for metric in metrics:
        judged = [
            (s, ok)
            for r, ok in zip(labelled, success, strict=True)
            if (s := r.scores.get(metric)) is not None
        ]
        curves[metric] = auroc([s for s, _ in judged], [ok for _, ok in judged])
    outcomes = [(r.passed, ok) for r, ok in zip(labelled, success, strict=True)]
    return LabelAgreement(
        runs=len(labelled),
        successes=sum(success),
        auroc=curves,
        passed_and_succeeded=outcomes.count((True, True)),
        passed_but_failed=outcomes.count((True, False)),
        failed_but_succeeded=outcomes.count((False, True)),
        failed_and_failed=outcomes.count((False, False)),
        unjudged_succeeded=outcomes.count((None, True)),
        unjudged_failed=outcomes.count((None, False)),
    )
