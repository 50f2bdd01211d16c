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
    assert [(f.rule, f.dimension, f.cohort) for f in failed] == [
        ("cohort_status", "tool_surface", "mcp-identity")
    ]


def test_baseline_is_the_report_of_golden() -> None:
    # Regenerate with: taskgate score fixtures/golden.jsonl -o fixtures/baseline.json
    current = render_json(score("fixtures/golden.jsonl"))
    assert (FIXTURES / "baseline.json").read_bytes() == current
