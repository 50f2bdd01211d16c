"""Per-cohort statistics: mean, tail (worst decile), gap, pass rate, status.

Pure functions of scored runs. Every statistic is defined on empty input
(None), so a cohort with nothing to judge is never given a made-up number.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from taskgate.results import CohortSummary, MetricSummary, RunResult, Status

ALL = "all"
BUDGET_DIMENSION = "step_budget_exceeded"
MISSING_VALUE = "(none)"
_STATUS_RANK: dict[Status, int] = {"green": 0, "yellow": 1, "red": 2}


class Bands(Protocol):
    @property
    def green(self) -> float: ...
    @property
    def yellow(self) -> float: ...


def rounded(value: float) -> float:
    return round(value, 6)


def mean(values: Sequence[float]) -> float | None:
    return rounded(math.fsum(values) / len(values)) if values else None


def tail(values: Sequence[float]) -> float | None:
    """Mean of the lowest ceil(n/10) values: the worst decile, at least one run."""
    if not values:
        return None
    worst = sorted(values)[: math.ceil(len(values) / 10)]
    return rounded(math.fsum(worst) / len(worst))


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
        name: summarize_metric(
            [s for r in runs if (s := r.scores.get(name)) is not None], thresholds.get(name)
        )
        for name in metrics
    }
    return CohortSummary(
        dimension=dimension,
        value=value,
        n=len(runs),
        pass_rate=rounded(sum(r.passed for r in runs) / len(runs)) if runs else 0.0,
        status=worst_status(m.status for m in summaries.values()),
        metrics=summaries,
        underspecified=sum(r.underspecified for r in runs),
    )


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
