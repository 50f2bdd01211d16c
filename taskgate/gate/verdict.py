"""Rules -> findings -> verdict. No I/O: the report's summaries in, the verdict out."""

from __future__ import annotations

from collections.abc import Sequence

from taskgate.config.load import default_config
from taskgate.config.model import Config
from taskgate.gate.checks import checks_made
from taskgate.gate.evidence import Evidence
from taskgate.gate.registry import RULES
from taskgate.model.names import RuleLevel
from taskgate.model.report import Check, Finding, Verdict


def evaluate_gate(evidence: Evidence, config: Config) -> list[Finding]:
    """Every rule's findings, failures first, otherwise in rule order."""
    findings = [
        finding
        for rule in RULES.values()
        if rule.judge is not None
        for finding in rule.judge(evidence, config)
    ]
    return sorted(findings, key=lambda f: f.level != "fail")


def rule_levels(config: Config) -> dict[str, RuleLevel]:
    """Each rule's level as configured, so that a report tells which checks were made.
    ``off``: the rule was not checked (but ``underspecified`` still fails a dataset with
    nothing to judge completion by, whatever its level)."""
    return {name: rule.level(config.gate) for name, rule in RULES.items()}


def judge(evidence: Evidence, config: Config) -> Verdict:
    """The verdict on ``evidence``, with every check made and every rule turned off."""
    levels = rule_levels(config)
    defaults = rule_levels(default_config())
    return verdict(
        evaluate_gate(evidence, config),
        levels,
        checks_made(evidence, config, levels),
        [rule for rule, level in levels.items() if level == "off" and defaults[rule] != "off"],
    )


def verdict(
    findings: list[Finding],
    rules: dict[str, RuleLevel] | None = None,
    checks: Sequence[Check] = (),
    turned_off: Sequence[str] = (),
) -> Verdict:
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
        checks=list(checks),
        turned_off=list(turned_off),
    )
