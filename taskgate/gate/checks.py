"""The checks the gate made, passed or not, so that reports can list them without
re-deriving the gate: every cohort and metric it judged against the bands and the
baseline, the coverage of the baseline's tasks, and every task whose state changed."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from taskgate.aggregate.cohorts import BUDGET_DIMENSION
from taskgate.config.model import Config
from taskgate.gate.evidence import Evidence
from taskgate.gate.findings import label, too_small
from taskgate.model.names import RuleLevel
from taskgate.model.report import Check, CohortSummary


def checks_made(evidence: Evidence, config: Config, levels: Mapping[str, RuleLevel]) -> list[Check]:
    """In the order reports list them: per cohort, then coverage, then changed tasks."""
    on = {rule for rule, level in levels.items() if level != "off"}
    made = [
        check
        for cohort in evidence.cohorts
        if cohort.dimension != BUDGET_DIMENSION  # derived, never judged
        for check in _cohort_checks(cohort, config)
        if check.rule in on
    ]
    if evidence.coverage is not None and "coverage" in on:
        made.append(Check(rule="coverage"))
    if "newly_failing" in on:
        # Newly passing tasks were checked too, and passed. Newly failing ones first.
        changed = sorted(
            (t for t in evidence.tasks if t.change is not None),
            key=lambda t: (t.change != "newly_failing", t.task_id),
        )
        made += [Check(rule="newly_failing", task=task.task_id) for task in changed]
    return made


def _cohort_checks(cohort: CohortSummary, config: Config) -> Iterator[Check]:
    where = {"dimension": cohort.dimension, "cohort": cohort.value}
    skipped = None
    if too_small(cohort, config):
        runs = f"{cohort.n} run{'s' if cohort.n != 1 else ''}"
        skipped = f"{label(cohort)}: {runs}, too small to judge"
    for metric, summary in cohort.metrics.items():
        if summary.status is not None:
            yield Check(rule="cohort_status", metric=metric, skipped=skipped, **where)
    for metric in cohort.delta or {}:
        yield Check(rule="regression", metric=metric, skipped=skipped, **where)
        yield Check(rule="tail_regression", metric=metric, skipped=skipped, **where)
