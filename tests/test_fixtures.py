"""The bundled fixtures do what the README says they do."""

from __future__ import annotations

from pathlib import Path

import pytest

from taskgate.api import score
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
    assert ("tool_surface", "mcp-identity") in {(f.dimension, f.cohort) for f in failed}
    assert sorted({f.rule for f in failed}) == ["cohort_status", "regression", "tail_regression"]
    # Other cohorts fail only on their worst decile, which holds the broken surface's tasks
    # (every segment and variant has some): a true drop, which the test conditioned on tasks
    # sees.
    others = {(f.rule, f.dimension, f.cohort) for f in failed if f.cohort != "mcp-identity"}
    assert others == {
        ("tail_regression", "segment", "consumer"),
        ("tail_regression", "variant", "react-baseline"),
    }


def test_without_the_broken_surface_nothing_regresses(tmp_path: Path) -> None:
    """The oracle for the test above: the same runs with the broken surface's runs left out
    of both sides show no regression anywhere."""
    kept = tmp_path / "candidate.jsonl"
    base = tmp_path / "golden.jsonl"
    for source, target in (("fixtures/candidate.jsonl", kept), ("fixtures/golden.jsonl", base)):
        lines = Path(source).read_text(encoding="utf-8").splitlines(keepends=True)
        target.write_text("".join(line for line in lines if "mcp-identity" not in line))
    baseline = tmp_path / "baseline.json"
    baseline.write_bytes(render_json(score(base)))
    report = score(kept, baseline=baseline)
    assert [f for f in report.verdict.findings if "regression" in f.rule] == []


def test_baseline_is_the_report_of_golden() -> None:
    # Regenerate with: taskgate score fixtures/golden.jsonl -o fixtures/baseline.json
    current = render_json(score("fixtures/golden.jsonl"))
    assert (FIXTURES / "baseline.json").read_bytes() == current
