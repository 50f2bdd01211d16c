"""Rules on each cohort's summaries: bands, tails, the worst cohort, pass^k, drift."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from taskgate.aggregate.cohorts import ALL
from taskgate.config.model import Config
from taskgate.gate.findings import (
    UNJUDGED,
    finding,
    gated_metrics,
    judged,
    label,
    runs_text,
    too_small,
)
from taskgate.model.names import PASS_RATE
from taskgate.model.report import CohortSummary, DimensionSummary, Finding


def cohort_status(cohorts: Sequence[CohortSummary], config: Config) -> Iterator[Finding]:
    failing = {"red"} if config.gate.fail_on == "red" else {"red", "yellow"}
    for cohort in judged(cohorts, config):
        yield from _pass_status(cohort, config, failing)
        for metric, summary in cohort.metrics.items():
            if summary.status in failing and summary.mean is not None:
                bands = config.thresholds[metric]
                limit = bands.yellow if summary.status == "red" else bands.green
                yield finding(
                    "cohort_status",
                    "fail",
                    f"{label(cohort)}: {metric} mean {summary.mean:.3f} is {summary.status} "
                    f"(below {limit:.2f}) over {runs_text(summary.n)}",
                    cohort=cohort,
                    metric=metric,
                    observed=summary.mean,
                    limit=limit,
                )


def _pass_status(cohort: CohortSummary, config: Config, failing: set[str]) -> Iterator[Finding]:
    if cohort.pass_status not in failing or cohort.pass_rate is None:
        return
    bands = config.thresholds[PASS_RATE]
    limit = bands.yellow if cohort.pass_status == "red" else bands.green
    judged_runs = cohort.n - cohort.unjudged
    yield finding(
        "cohort_status",
        "fail",
        f"{label(cohort)}: pass rate {cohort.pass_rate:.1%} is {cohort.pass_status} "
        f"(below {limit:.0%}) over {judged_runs} judged run{'s' if judged_runs != 1 else ''}",
        cohort=cohort,
        metric=PASS_RATE,
        observed=cohort.pass_rate,
        limit=limit,
    )


def unjudged_metrics(cohorts: Sequence[CohortSummary], config: Config) -> Iterator[Finding]:
    """A metric with thresholds that no run has a score on: its bands would pass silently.
    (When no run can be judged at all, underspecified says so instead.)"""
    overall = next((c for c in cohorts if c.dimension == ALL), None)
    if overall is None or overall.n == 0 or overall.unjudged == overall.n:
        return
    for metric in gated_metrics(config):
        summary = overall.metrics.get(metric)
        if summary is None or summary.n == 0:
            yield finding(
                "cohort_status",
                "fail",
                f"all: {metric} has thresholds, but no run has a score on {metric}, so they "
                f"cannot be judged; remove {metric} from thresholds, or give the evaluators it "
                "needs what to judge",
                cohort=overall,
                metric=metric,
                observed=0,
                limit=None,
            )


def small_cohorts(cohorts: Sequence[CohortSummary], config: Config) -> Iterator[Finding]:
    level, minimum = config.gate.small_cohort.level, config.gate.min_cohort_size
    if level == "off":
        return
    for cohort in cohorts:
        if cohort.dimension not in UNJUDGED and too_small(cohort, config):
            yield finding(
                "small_cohort",
                level,
                f"{label(cohort)}: {cohort.n} run{'s' if cohort.n != 1 else ''}, "
                f"fewer than min_cohort_size {minimum}; too small to judge",
                cohort=cohort,
                metric=None,
                observed=cohort.n,
                limit=minimum,
            )


def tail_gaps(cohorts: Sequence[CohortSummary], config: Config) -> Iterator[Finding]:
    rule = config.gate.tail
    if rule.level == "off":
        return
    for cohort in judged(cohorts, config):
        for metric in gated_metrics(config):
            summary = cohort.metrics.get(metric)
            if summary and summary.gap is not None and summary.gap > rule.max_gap:
                yield finding(
                    "tail_gap",
                    rule.level,
                    f"{label(cohort)}: {metric} worst decile {summary.tail:.3f} is "
                    f"{summary.gap:.3f} below the mean {summary.mean:.3f} "
                    f"(max_gap {rule.max_gap:.2f})",
                    cohort=cohort,
                    metric=metric,
                    observed=summary.gap,
                    limit=rule.max_gap,
                )


def worst_cohorts(dimensions: Sequence[DimensionSummary], config: Config) -> Iterator[Finding]:
    rule = config.gate.worst_cohort
    if rule.level == "off":
        return
    for dimension in dimensions:
        for metric, gap in dimension.worst_cohort_gap.items():
            if gap is not None and gap > rule.max_gap:
                yield finding(
                    "worst_cohort",
                    rule.level,
                    f"{dimension.name}: the worst cohorts' {metric} mean is {gap:.3f} below the "
                    f"overall mean (max_gap {rule.max_gap:.2f})",
                    cohort=None,
                    metric=metric,
                    observed=gap,
                    limit=rule.max_gap,
                    dimension=dimension.name,
                )


def pass_k_floor(cohorts: Sequence[CohortSummary], config: Config) -> Iterator[Finding]:
    rule = config.gate.pass_k
    if rule.level == "off" or rule.min <= 0:
        return
    key = str(rule.k)
    for cohort in judged(cohorts, config):
        value = cohort.pass_k.get(key)
        if value is None and cohort.dimension == ALL:
            yield finding(
                "pass_k",
                "warn",
                f"pass^{rule.k} cannot be judged: no task has {rule.k} trials",
                cohort=cohort,
                metric=None,
                observed=None,
                limit=rule.min,
            )
        elif value is not None and value < rule.min:
            yield finding(
                "pass_k",
                rule.level,
                f"{label(cohort)}: pass^{rule.k} is {value:.3f}, below the floor {rule.min:.2f}",
                cohort=cohort,
                metric=None,
                observed=value,
                limit=rule.min,
            )


def _relative_increase(before: float | None, after: float | None) -> float | None:
    if before is None or after is None or before <= 0:
        return None
    return round((after - before) / before, 6)


def drifts(cohorts: Sequence[CohortSummary], config: Config) -> Iterator[Finding]:
    """Steps per run and cost per passed run growing against the baseline."""
    step_rule, cost_rule = config.gate.step_drift, config.gate.cost_per_pass
    for cohort in judged(cohorts, config):
        if cohort.baseline is None:
            continue
        steps = _relative_increase(cohort.baseline.steps_mean, cohort.steps.get("mean"))
        if (
            step_rule.level != "off"
            and steps is not None
            and steps > step_rule.max_relative_increase
        ):
            yield finding(
                "step_drift",
                step_rule.level,
                f"{label(cohort)}: steps per run rose {steps:.0%} "
                f"({cohort.baseline.steps_mean:.1f} to {cohort.steps.get('mean'):.1f})",
                cohort=cohort,
                metric=None,
                observed=steps,
                limit=step_rule.max_relative_increase,
            )
        cost = _relative_increase(cohort.baseline.per_pass_usd, cohort.cost.get("per_pass_usd"))
        if cost_rule.level != "off" and cost is not None and cost > cost_rule.max_relative_increase:
            yield finding(
                "cost_per_pass",
                cost_rule.level,
                f"{label(cohort)}: cost per passed run rose {cost:.0%} "
                f"(${cohort.baseline.per_pass_usd:.4f} to ${cohort.cost.get('per_pass_usd'):.4f})",
                cohort=cohort,
                metric=None,
                observed=cost,
                limit=cost_rule.max_relative_increase,
            )
