"""Rules -> findings -> verdict. No I/O: the report's summaries in, findings out."""

from __future__ import annotations

from taskgate.config.model import Config
from taskgate.gate import power_rules, rules, task_rules
from taskgate.model.report import Finding, Report, RuleLevel, Verdict


def evaluate_gate(report: Report, config: Config) -> list[Finding]:
    """Every rule's findings, failures first, otherwise in rule order."""
    cohorts = report.cohorts
    findings = [
        *rules.cohort_status(cohorts, config),
        *rules.unjudged_metrics(cohorts, config),
        *rules.regressions(cohorts, config),
        *power_rules.underpowered(cohorts, config),
        *rules.tail_gaps(cohorts, config),
        *rules.worst_cohorts(report.dimensions, config),
        *rules.pass_k_floor(cohorts, config),
        *rules.never_passed(report, config),
        *task_rules.newly_failing(report, config),
        *task_rules.must_pass(report, config),
        *task_rules.task_definitions(report, config),
        *rules.drifts(cohorts, config),
        *power_rules.behaviour_changes(cohorts, config),
        *rules.cohort_changes(cohorts, report),
        *rules.dimensions_vanished(report),
        *rules.wide_dimensions(report, config),
        *rules.coverage(report, config),
        *rules.infrastructure(report.dataset, config),
        *rules.small_cohorts(cohorts, config),
        *rules.dataset_rules(report.dataset, config),
    ]
    return sorted(findings, key=lambda f: f.level != "fail")


def rule_levels(config: Config) -> dict[str, RuleLevel]:
    """Each rule's level as configured, so that a report tells which checks were made.
    ``off``: the rule was not checked (but ``underspecified`` still fails a dataset with
    nothing to judge completion by, whatever its level)."""
    gate = config.gate
    return {
        "cohort_status": "fail",
        "regression": gate.regression.level,
        "tail_regression": gate.regression.level,
        "underpowered": "off" if gate.regression.level == "off" else gate.underpowered.level,
        "worst_cohort": gate.worst_cohort.level,
        "tail_gap": gate.tail.level,
        "pass_k": gate.pass_k.level if gate.pass_k.min > 0 else "off",
        "never_passed": gate.never_passed.level,
        "newly_failing": gate.newly_failing.level,
        "must_pass": gate.must_pass.level,
        "task_definitions": gate.task_definitions.level,
        "step_drift": gate.step_drift.level,
        "cost_per_pass": gate.cost_per_pass.level,
        "behaviour": gate.behaviour.level,
        "cohort_added": "warn",
        "cohort_removed": "warn",
        "dimension_vanished": "fail",
        "cohort_values": gate.cohort_values.level,
        "coverage": gate.coverage.level,
        "infrastructure": gate.infrastructure.level,
        "small_cohort": gate.small_cohort.level,
        "invalid_runs": "warn",
        "underspecified": gate.underspecified.level,
    }


def verdict(findings: list[Finding], rules: dict[str, RuleLevel] | None = None) -> Verdict:
    failed = any(f.level == "fail" for f in findings)
    short = [
        "all" if f.dimension == "all" else f"{f.dimension}={f.cohort}"
        for f in findings
        if f.rule == "underpowered"
    ]
    return Verdict(
        status="fail" if failed else "pass",
        exit_code=1 if failed else 0,
        findings=findings,
        inconclusive=list(dict.fromkeys(short)),
        rules=rules or {},
    )
