"""Rules on the report as a whole: the dataset, coverage of the golden tasks, cohorts and
dimensions that appeared or vanished, tasks that never passed."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from taskgate.aggregate.cohorts import ALL, BUDGET_DIMENSION, MISSING_VALUE
from taskgate.config.model import Config
from taskgate.gate.evidence import Evidence
from taskgate.gate.findings import (
    finding,
    label,
    runs_text,
)
from taskgate.model.messages import listed
from taskgate.model.report import CohortSummary, Dataset, Finding


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
                f"{label(cohort)}: new cohort ({runs_text(cohort.n)}), not in the baseline",
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
            f"{gone.dimension}={gone.value}: in the baseline ({runs_text(gone.n)}), "
            "gone from this run",
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
    # A task's trials are its judged ones: an unjudged trial neither passed nor failed.
    broken = sorted(
        t.task_id for t in report.tasks if t.trials >= rule.min_trials and t.passed == 0
    )
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
