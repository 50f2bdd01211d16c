"""The gate's rules, one entry each: its level as configured and what judges it.

The registry is this dict; its order is the order rules are judged in and findings are
listed in (failures first). A few rules are judged in one pass with the rule before them
(``tail_regression`` with ``regression``, say): their ``judge`` is None.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from taskgate.config.gate_settings import GateSettings
from taskgate.config.model import Config
from taskgate.gate import cohort_rules, power_rules, regression_rules, report_rules, task_rules
from taskgate.gate.evidence import Evidence
from taskgate.model.names import RuleLevel
from taskgate.model.report import Finding

Judge = Callable[[Evidence, Config], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    level: Callable[[GateSettings], RuleLevel]
    """The rule's level under a config's gate settings; ``off``: not checked."""
    judge: Judge | None
    """The rule's findings; None when the rule before it judges both."""


def _cohort_status(evidence: Evidence, config: Config) -> Iterator[Finding]:
    yield from cohort_rules.cohort_status(evidence.cohorts, config)
    yield from cohort_rules.unjudged_metrics(evidence.cohorts, config)


def _underpowered(gate: GateSettings) -> RuleLevel:
    return "off" if gate.regression.level == "off" else gate.underpowered.level


RULES: dict[str, Rule] = {
    "cohort_status": Rule(lambda gate: "fail", _cohort_status),
    "regression": Rule(
        lambda gate: gate.regression.level, lambda e, c: regression_rules.regressions(e.cohorts, c)
    ),
    "tail_regression": Rule(lambda gate: gate.regression.level, None),
    "underpowered": Rule(_underpowered, lambda e, c: power_rules.underpowered(e.cohorts, c)),
    "tail_gap": Rule(
        lambda gate: gate.tail.level, lambda e, c: cohort_rules.tail_gaps(e.cohorts, c)
    ),
    "worst_cohort": Rule(
        lambda gate: gate.worst_cohort.level,
        lambda e, c: cohort_rules.worst_cohorts(e.dimensions, c),
    ),
    "pass_k": Rule(
        lambda gate: gate.pass_k.level if gate.pass_k.min > 0 else "off",
        lambda e, c: cohort_rules.pass_k_floor(e.cohorts, c),
    ),
    "never_passed": Rule(lambda gate: gate.never_passed.level, report_rules.never_passed),
    "newly_failing": Rule(lambda gate: gate.newly_failing.level, task_rules.newly_failing),
    "must_pass": Rule(lambda gate: gate.must_pass.level, task_rules.must_pass),
    "task_definitions": Rule(lambda gate: gate.task_definitions.level, task_rules.task_definitions),
    "step_drift": Rule(
        lambda gate: gate.step_drift.level, lambda e, c: cohort_rules.drifts(e.cohorts, c)
    ),
    "cost_per_pass": Rule(lambda gate: gate.cost_per_pass.level, None),
    "behaviour": Rule(
        lambda gate: gate.behaviour.level, lambda e, c: power_rules.behaviour_changes(e.cohorts, c)
    ),
    "cohort_added": Rule(
        lambda gate: "warn", lambda e, c: report_rules.cohort_changes(e.cohorts, e)
    ),
    "cohort_removed": Rule(lambda gate: "warn", None),
    "dimension_vanished": Rule(
        lambda gate: "fail", lambda e, c: report_rules.dimensions_vanished(e)
    ),
    "cohort_values": Rule(lambda gate: gate.cohort_values.level, report_rules.wide_dimensions),
    "coverage": Rule(lambda gate: gate.coverage.level, report_rules.coverage),
    "infrastructure": Rule(
        lambda gate: gate.infrastructure.level,
        lambda e, c: report_rules.infrastructure(e.dataset, c),
    ),
    "small_cohort": Rule(
        lambda gate: gate.small_cohort.level, lambda e, c: cohort_rules.small_cohorts(e.cohorts, c)
    ),
    "invalid_runs": Rule(
        lambda gate: "warn", lambda e, c: report_rules.dataset_rules(e.dataset, c)
    ),
    "underspecified": Rule(lambda gate: gate.underspecified.level, None),
}
