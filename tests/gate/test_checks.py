"""The checks the gate records: what it judged, what it could not, never what it did not."""

from __future__ import annotations

from taskgate.api import score
from taskgate.gate.checks import checks_made
from taskgate.gate.evidence import Summaries
from taskgate.gate.verdict import rule_levels
from taskgate.model.report import Check, CohortSummary, Dataset
from tests.conftest import FIXTURES
from tests.gate.test_rules import DEFAULT, cohort, config, smb

DATASET = Dataset(source="runs.jsonl", runs=20, invalid=0, underspecified=0, sha256="0" * 64)


def evidence(*cohorts: CohortSummary) -> Summaries:
    return Summaries(
        dataset=DATASET,
        dimensions=[],
        cohorts=cohorts,
        coverage=None,
        tasks=[],
        runs=[],
        baseline=None,
    )


def status_checks(made: list[Check]) -> list[tuple[str | None, str | None, str | None]]:
    return [(c.cohort, c.metric, c.skipped) for c in made if c.rule == "cohort_status"]


def test_every_cohort_and_metric_with_a_status_is_a_check() -> None:
    judged = [cohort(), smb(n=20)]  # green, by the default bands
    made = checks_made(evidence(*judged), DEFAULT, rule_levels(DEFAULT))
    assert status_checks(made) == [
        ("all", "task_completion", None),
        ("all", "trajectory_score", None),
        ("smb", "task_completion", None),
        ("smb", "trajectory_score", None),
    ]


def test_a_cohort_too_small_is_a_skipped_check_whatever_the_small_cohort_rule() -> None:
    # JUnit used to guess this from a red metric without a finding: a green cohort of 3 runs
    # read as judged when small_cohort was off.
    small = smb(n=3)
    quiet = config(small_cohort={"level": "off"})
    for settings in (DEFAULT, quiet):
        made = checks_made(evidence(small), settings, rule_levels(settings))
        reason = "segment=smb: 3 runs, too small to judge"
        assert status_checks(made) == [
            ("smb", "task_completion", reason),
            ("smb", "trajectory_score", reason),
        ]


def test_a_rule_turned_off_records_no_check() -> None:
    baseline = FIXTURES / "baseline.json"
    report = score(FIXTURES / "candidate.jsonl", baseline=baseline)
    on = report.verdict.checks
    counts = {rule: sum(c.rule == rule for c in on) for rule in dict.fromkeys(c.rule for c in on)}
    judged = [c for c in report.cohorts if c.dimension != "step_budget_exceeded"]
    changed = [t for t in report.tasks if t.change is not None]
    assert (len(judged), len(changed)) == (12, 12)
    # Each judged cohort x its 2 banded metrics, against bands and baseline; coverage; tasks.
    assert counts == {
        "cohort_status": 24,
        "regression": 24,
        "tail_regression": 24,
        "newly_failing": 12,
        "coverage": 1,
    }
    off_config = config(regression={"level": "off"}, newly_failing={"level": "off"})
    off = score(FIXTURES / "candidate.jsonl", baseline=baseline, config=off_config)
    assert {c.rule for c in off.verdict.checks} == {"cohort_status", "coverage"}
