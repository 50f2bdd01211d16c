"""The gate's rules: each reads summaries and the config and returns findings.

No I/O and no state. A cohort too small to judge is never judged by a
cohort rule (the small_cohort rule says so instead); the whole dataset,
``all``, is always judged.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from taskgate.aggregate.cohorts import ALL, BUDGET_DIMENSION, MISSING_VALUE
from taskgate.config.model import Config
from taskgate.gate.evidence import Evidence
from taskgate.model.messages import listed
from taskgate.model.names import PASS_RATE
from taskgate.model.report import CohortSummary, Dataset, DimensionSummary, Finding
from taskgate.stats.measures import benjamini_hochberg

# The derived budget dimension is shown but never judged: its "true" cohort
# holds only runs that ran out of steps, red by construction.
_UNJUDGED = frozenset({BUDGET_DIMENSION})


def _runs(count: int) -> str:
    return f"{count} run{'s' if count != 1 else ''}"


def label(cohort: CohortSummary) -> str:
    return ALL if cohort.dimension == ALL else f"{cohort.dimension}={cohort.value}"


def too_small(cohort: CohortSummary, config: Config) -> bool:
    return cohort.dimension != ALL and cohort.n < config.gate.min_cohort_size


def judged(cohorts: Sequence[CohortSummary], config: Config) -> Iterator[CohortSummary]:
    return (c for c in cohorts if c.dimension not in _UNJUDGED and not too_small(c, config))


def finding(
    rule: str,
    level: str,
    message: str,
    *,
    cohort: CohortSummary | None = None,
    metric: str | None = None,
    observed: float | None = None,
    limit: float | None = None,
    dimension: str | None = None,
) -> Finding:
    return Finding.model_validate(
        {
            "rule": rule,
            "level": level,
            "dimension": cohort.dimension if cohort else dimension,
            "cohort": cohort.value if cohort else None,
            "metric": metric,
            "observed": observed,
            "limit": limit,
            "message": message,
        }
    )


def gated_metrics(config: Config) -> list[str]:
    """Metrics with thresholds: the ones status, tail and worst-cohort rules judge."""
    return [name for name in config.thresholds if name != PASS_RATE]


def cohort_status(cohorts: Sequence[CohortSummary], config: Config) -> Iterator[Finding]:
    failing = {"red"} if config.gate.fail_on == "red" else {"red", "yellow"}
    for cohort in judged(cohorts, config):
        yield from _pass_status(cohort, config, failing)
        for metric, summary in cohort.metrics.items():
            if summary.status in failing and summary.mean is not None:
                bands = config.thresholds[metric]  # type: ignore[index]
                limit = bands.yellow if summary.status == "red" else bands.green
                yield finding(
                    "cohort_status",
                    "fail",
                    f"{label(cohort)}: {metric} mean {summary.mean:.3f} is {summary.status} "
                    f"(below {limit:.2f}) over {_runs(summary.n)}",
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
        if cohort.dimension not in _UNJUDGED and too_small(cohort, config):
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


def cohort_changes(report_cohorts: Sequence[CohortSummary], report: Evidence) -> Iterator[Finding]:
    """Cohorts that appear in the candidate or vanish from it."""
    if report.baseline is None:
        return
    # Reports written before BaselineRef.dimensions existed: the dimensions that matched.
    compared = set(report.baseline.dimensions) or {
        c.dimension for c in report_cohorts if c.baseline is not None
    }
    compared -= {ALL, BUDGET_DIMENSION}  # all always matches; the budget dimension comes and goes
    for cohort in report_cohorts:
        if cohort.baseline is None and cohort.dimension in compared:
            yield finding(
                "cohort_added",
                "warn",
                f"{label(cohort)}: new cohort ({_runs(cohort.n)}), not in the baseline",
                cohort=cohort,
                metric=None,
                observed=cohort.n,
                limit=None,
            )
    for gone in report.baseline.vanished:
        if gone.dimension == BUDGET_DIMENSION:
            continue
        yield finding(
            "cohort_removed",
            "warn",
            f"{gone.dimension}={gone.value}: in the baseline ({_runs(gone.n)}), gone from this run",
            cohort=None,
            metric=None,
            observed=gone.n,
            limit=None,
            dimension=gone.dimension,
        )


def dataset_rules(dataset: Dataset, config: Config) -> Iterator[Finding]:
    if dataset.invalid:
        yield finding(
            "invalid_runs",
            "warn",
            f"{dataset.invalid} invalid line{'s' if dataset.invalid != 1 else ''} skipped "
            f"(gate.invalid_runs.max allows {config.gate.invalid_runs.max}); "
            "see dataset.skipped in the JSON report",
            observed=dataset.invalid,
            limit=config.gate.invalid_runs.max,
        )
    yield from _underspecified(dataset, config)


def _underspecified(dataset: Dataset, config: Config) -> Iterator[Finding]:
    """Unjudged runs: their task states nothing to check beyond a final step, so they are
    neither passes nor failures. When no run at all can be judged the gate fails, whatever
    the configured level: a gate that cannot judge does not pass."""
    rule = config.gate.underspecified
    share = dataset.unjudged / dataset.runs if dataset.runs else 0.0
    everything = dataset.runs > 0 and dataset.unjudged == dataset.runs
    if not everything and (rule.level == "off" or share <= rule.max_share):
        return
    tasks = dataset.unjudged_tasks
    shown = listed(tasks)
    which = f"tasks {shown}" if tasks else "their tasks"
    fix = (
        "give no expected_result, success_criteria, expected_calls, required_tools or "
        "write_tools; add them to the tasks (or pass --tasks)"
    )
    message = (
        f"no run can be judged: {which} {fix}"
        if everything
        else f"{dataset.unjudged} of {dataset.runs} runs are unjudged: {which} {fix}"
    )
    yield finding(
        "underspecified",
        "fail" if everything else rule.level,
        message,
        observed=round(share, 6),
        limit=rule.max_share,
    )


def never_passed(report: Evidence, config: Config) -> Iterator[Finding]:
    """Tasks with several trials that failed every one of them, named."""
    rule = config.gate.never_passed
    if rule.level == "off":
        return
    trials: dict[str, list[bool]] = {}
    for run in report.runs:
        if run.passed is not None:  # an unjudged trial neither passed nor failed
            trials.setdefault(run.task_id, []).append(run.passed)
    broken = sorted(t for t, ok in trials.items() if len(ok) >= rule.min_trials and not any(ok))
    if not broken:
        return
    shown = listed(broken, 8)
    yield finding(
        "never_passed",
        rule.level,
        f"{len(broken)} task{'s' if len(broken) != 1 else ''} failed every one of their trials "
        f"(at least {rule.min_trials} each): {shown}",
        observed=len(broken),
        limit=0,
    )


def coverage(report: Evidence, config: Config) -> Iterator[Finding]:
    """Golden tasks with no run fail the gate (beyond max_missing); new tasks are said."""
    cover, rule = report.coverage, config.gate.coverage
    if cover is None or rule.level == "off":
        return
    if cover.missing:
        count = len(cover.missing)
        against = " and ".join(cover.against)
        worst = cover.missing_by_cohort[0] if cover.missing_by_cohort else None
        where = (
            f"; most from {worst.dimension}={worst.value} ({worst.missing} of its "
            f"{worst.tasks} tasks)"
            if worst is not None
            else ""
        )
        allowed = rule.allows(count, cover.expected)
        yield finding(
            "coverage",
            "warn" if allowed else rule.level,
            f"{count} of the {cover.expected} golden tasks of the {against} have no run: "
            f"{listed(cover.missing)}{where}; their cohorts are judged without them. Did the "
            "harness stop early? Run every golden task (gate.coverage.max_missing allows "
            f"{rule.max_missing})",
            observed=count,
            limit=rule.max_missing,
        )
    if cover.new:
        yield finding(
            "coverage",
            "warn",
            f"{len(cover.new)} task{'s' if len(cover.new) != 1 else ''} not in the baseline: "
            f"{listed(cover.new)}; scored, not compared",
            observed=len(cover.new),
        )


def dimensions_vanished(report: Evidence) -> Iterator[Finding]:
    """A cohort dimension the baseline judged that the candidate lost: no run has the key,
    some runs lost it, or none of the baseline's values is left. Its cohorts were then not
    compared, which must not read as a pass. One the runs have but the gate was told not to
    slice by (--cohort, cohorts:) is said as a warning."""
    if report.baseline is None:
        return
    keys = sorted({key for run in report.runs for key in run.cohort})
    found = ", ".join(keys) if keys else "none"
    hint = "did the writer drop it from `cohort`?" if keys else "did the writer drop `cohort`?"
    again = "If the dimension was changed on purpose, score the baseline again"
    sliced = {c.dimension for c in report.cohorts}
    wide = {d.name for d in report.dimensions if not d.broken_down}  # cohort_values says so
    for name in report.baseline.vanished_dimensions:
        yield finding(
            "dimension_vanished",
            "fail",
            f"{name}: the baseline judged this dimension, but no run has the cohort key "
            f"{name!r} (keys found: {found}); {hint} {again}",
            dimension=name,
        )
    for name in report.baseline.dimensions:
        if name in report.baseline.vanished_dimensions or name in (ALL, BUDGET_DIMENSION, *wide):
            continue
        if name not in sliced:
            yield finding(
                "dimension_vanished",
                "warn",
                f"{name}: the baseline judged this dimension, but it was not compared: it is "
                "not among the dimensions asked for (--cohort, cohorts:)",
                dimension=name,
            )
            continue
        message = _lost_values(name, [c for c in report.cohorts if c.dimension == name])
        if message is not None:
            yield finding("dimension_vanished", "fail", f"{message}. {again}", dimension=name)


def _lost_values(name: str, cohorts: Sequence[CohortSummary]) -> str | None:
    lacking = next((c for c in cohorts if c.value == MISSING_VALUE), None)
    total = sum(c.n for c in cohorts)
    if lacking is not None and lacking.baseline is None:
        return (
            f"{name}: {lacking.n} of {total} runs have no cohort key {name!r}, which every "
            "baseline run had; their cohorts could not be compared (did the writer drop it from "
            "some runs?)"
        )
    if not any(c.baseline is not None for c in cohorts if c.value != MISSING_VALUE):
        now = ", ".join(sorted(c.value for c in cohorts))
        return (
            f"{name}: none of the baseline's values is left (the runs have {now}); nothing of "
            "this dimension could be compared"
        )
    return None


def infrastructure(dataset: Dataset, config: Config) -> Iterator[Finding]:
    """Runs that failed because the model API or the harness did: failures all the same, but
    above max_share the runs say more about the infrastructure than about the agent."""
    rule, count = config.gate.infrastructure, dataset.infrastructure
    if rule.level == "off" or count == 0:
        return
    share = count / dataset.runs
    over = share > rule.max_share
    verdict = (
        "the gate cannot judge the agent on this input: fix the harness or the API quota and "
        "run again"
        if over
        else "counted as failures"
    )
    yield finding(
        "infrastructure",
        rule.level if over else "warn",
        f"{count} of {dataset.runs} runs ({share:.1%}) failed for infrastructure reasons "
        f"(error_kind: infrastructure; max_share {rule.max_share:.0%}); {verdict}",
        observed=round(share, 6),
        limit=rule.max_share,
    )


def wide_dimensions(report: Evidence, config: Config) -> Iterator[Finding]:
    """Dimensions not broken down: too many values, or values too long to be labels."""
    rule = config.gate.cohort_values
    if rule.level == "off":
        return
    for dimension in report.dimensions:
        if dimension.broken_down:
            continue
        longest = dimension.longest_value or 0
        why = (
            f"{dimension.cohorts:,} distinct values, more than "
            f"gate.cohort_values.max_values {rule.max_values}"
            if dimension.cohorts > rule.max_values
            else f"a value of {longest:,} characters, longer than "
            f"gate.cohort_values.max_length {rule.max_length}"
        )
        yield finding(
            "cohort_values",
            rule.level,
            f"{dimension.name}: {why}; its cohorts were not judged. Is it an id or a free "
            "text? Leave it out of cohorts: (or --cohort), or raise the limit",
            metric=None,
            observed=dimension.cohorts if dimension.cohorts > rule.max_values else longest,
            limit=rule.max_values if dimension.cohorts > rule.max_values else rule.max_length,
            dimension=dimension.name,
        )
