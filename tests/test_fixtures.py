"""The bundled fixtures do what the README says they do."""

from __future__ import annotations

import pytest

from taskgate.pipeline import score
from taskgate.report.json import render_json
from tests.conftest import FIXTURES


@pytest.fixture(autouse=True)
def _from_the_repository_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(FIXTURES.parent)


def test_golden_passes_and_candidate_fails_on_one_red_cohort() -> None:
    assert score("fixtures/golden.jsonl").verdict.exit_code == 0
    failed = [f for f in score("fixtures/candidate.jsonl").verdict.findings if f.level == "fail"]
    assert [(f.rule, f.dimension, f.cohort, f.metric) for f in failed] == [
        ("cohort_status", "tool_surface", "mcp-identity", "task_completion"),
        ("worst_cohort", "tool_surface", None, "task_completion"),
        ("worst_cohort", "tool_surface", None, "trajectory_score"),
    ]


def test_candidate_against_the_baseline_fails_only_on_the_broken_surface() -> None:
    report = score("fixtures/candidate.jsonl", baseline="fixtures/baseline.json")
    failed = [f for f in report.verdict.findings if f.level == "fail" and f.cohort is not None]
    assert {(f.dimension, f.cohort) for f in failed} == {("tool_surface", "mcp-identity")}
    assert sorted({f.rule for f in failed}) == ["cohort_status", "regression", "tail_regression"]


def test_golden_against_its_own_baseline_passes_with_no_change() -> None:
    report = score("fixtures/golden.jsonl", baseline="fixtures/baseline.json")
    assert report.verdict.exit_code == 0
    for cohort in report.cohorts:
        assert cohort.delta is not None
        assert {(d.mean, d.tail, d.p_value) for d in cohort.delta.values()} == {(0.0, 0.0, 1.0)}


def test_baseline_is_the_report_of_golden() -> None:
    # Regenerate with: taskgate score fixtures/golden.jsonl -o fixtures/baseline.json
    current = render_json(score("fixtures/golden.jsonl"))
    assert (FIXTURES / "baseline.json").read_bytes() == current
