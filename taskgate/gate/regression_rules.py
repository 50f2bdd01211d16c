"""Rules against the baseline: drops of mean and tail beyond the allowed, significant after
the multiplicity correction."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from taskgate.aggregate.cohorts import ALL
from taskgate.config.model import Config
from taskgate.gate.findings import (
    finding,
    judged,
    label,
)
from taskgate.model.report import CohortSummary, Finding
from taskgate.stats.measures import benjamini_hochberg


@dataclass(frozen=True)
class _Drop:
    cohort: CohortSummary
    metric: str
    tail: bool
    change: float
    ci: tuple[float, float]
    p_value: float


def _drops(cohorts: Sequence[CohortSummary], config: Config) -> list[_Drop]:
    return [
        _Drop(cohort, metric, tail, *values)
        for cohort in judged(cohorts, config)
        for metric, d in (cohort.delta or {}).items()
        for tail, values in (
            (False, (d.mean, d.ci, d.p_value)),
            (True, (d.tail, d.tail_ci, d.tail_p_value)),
        )
    ]


def regressions(cohorts: Sequence[CohortSummary], config: Config) -> Iterator[Finding]:
    """Drops beyond the allowed drop that stay significant after the Benjamini-Hochberg
    correction over every comparison the gate makes: when nothing changed, adding cohorts
    does not raise the chance of a false alarm above alpha."""
    rule = config.gate.regression
    drops = _drops(cohorts, config)
    if rule.level == "off":
        return
    yield from _uncompared(cohorts, config)
    if not drops:
        return
    adjusted = benjamini_hochberg([d.p_value for d in drops])
    for drop, p_adjusted in zip(drops, adjusted, strict=True):
        limit = rule.tail_max_drop if drop.tail else rule.max_drop
        if -drop.change > limit and p_adjusted < rule.alpha:
            what = "worst decile" if drop.tail else "mean"
            yield finding(
                "tail_regression" if drop.tail else "regression",
                rule.level,
                f"{label(drop.cohort)}: {drop.metric} {what} dropped {-drop.change:.3f} "
                f"(95% CI {drop.ci[0]:+.3f} to {drop.ci[1]:+.3f}; p={drop.p_value:.4f}, "
                f"q={p_adjusted:.4f} over {len(drops)} comparisons) against the "
                f"baseline; allowed drop {limit:.2f}",
                cohort=drop.cohort,
                metric=drop.metric,
                observed=drop.change,
                limit=-limit,
            )


def _uncompared(cohorts: Sequence[CohortSummary], config: Config) -> Iterator[Finding]:
    """A regression metric the whole dataset could not be compared on, against a baseline
    that has the cohort: one side has no score on it, and a drop would pass unseen."""
    overall = next((c for c in cohorts if c.dimension == ALL and c.baseline is not None), None)
    if overall is None or overall.unjudged == overall.n:
        return  # no run can be judged: underspecified fails the gate and says why
    for metric in config.gate.regression.metrics:
        if metric in (overall.delta or {}):
            continue
        now = overall.metrics.get(metric)
        side = "the runs have" if now is None or now.n == 0 else "the baseline has"
        yield finding(
            "regression",
            config.gate.regression.level,
            f"all: {metric} could not be compared with the baseline: {side} no score on "
            f"{metric}; score the baseline again with this config, or leave the metric out of "
            "gate.regression.metrics",
            cohort=overall,
            metric=metric,
        )
