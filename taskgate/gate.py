"""Rules -> findings -> verdict. No I/O: the report's summaries in, findings out."""

from __future__ import annotations

from taskgate import rules
from taskgate.config import Config
from taskgate.results import Finding, Report, Verdict


def evaluate_gate(report: Report, config: Config) -> list[Finding]:
    """Every rule's findings, failures first, otherwise in rule order."""
    cohorts = report.cohorts
    findings = [
        *rules.cohort_status(cohorts, config),
        *rules.regressions(cohorts, config),
        *rules.tail_gaps(cohorts, config),
        *rules.worst_cohorts(report.dimensions, config),
        *rules.pass_k_floor(cohorts, config),
        *rules.never_passed(report, config),
        *rules.drifts(cohorts, config),
        *rules.cohort_changes(cohorts, report),
        *rules.small_cohorts(cohorts, config),
        *rules.dataset_rules(report.dataset, config),
    ]
    return sorted(findings, key=lambda f: f.level != "fail")


def verdict(findings: list[Finding]) -> Verdict:
    failed = any(f.level == "fail" for f in findings)
    return Verdict(
        status="fail" if failed else "pass", exit_code=1 if failed else 0, findings=findings
    )
