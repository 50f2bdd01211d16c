from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from taskgate.cli import app
from taskgate.config import default_config
from taskgate.explain import breaking_step, explain_run
from tests.conftest import FIXTURES, make_context, write_jsonl

runner = CliRunner()
GOLDEN = str(FIXTURES / "golden.jsonl")


def test_explain_text_marks_failed_calls_and_the_breaking_step() -> None:
    result = runner.invoke(app, ["explain", GOLDEN, "r-00036"])
    assert result.exit_code == 0
    out = result.output
    header = "run r-00036 (task cancel-002) FAILED  shape: early_stop  broke at: function_calls"
    assert header in out
    assert "✗ get_booking" in out and "503 Service Unavailable" in out
    assert "#1  ← went wrong here" in out
    assert "✗ booking_cancelled" not in out and "✗ 'cancellation confirmation sent'" in out
    for metric in ("task_completion", "goal_progress", "tool_selection", "step_efficiency"):
        assert metric in out


def test_explain_json_is_for_machines() -> None:
    result = runner.invoke(app, ["explain", GOLDEN, "r-00045", "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["run"]["failure_shape"] == "loop_exhaustion"
    assert data["run"]["diagnosis"] == "function_calls"
    assert data["breaking_step"] == 2  # counted from 1, as the text timeline shows it
    assert set(data["scores"]) == {
        "task_completion",
        "goal_progress",
        "tool_selection",
        "function_calls",
        "step_efficiency",
        "trajectory_score",
    }
    assert len(data["steps"]) == 30


def test_explain_agrees_with_score() -> None:
    explanation = explain_run(GOLDEN, "r-00142", default_config())
    assert explanation.result.failure_shape == "tool_misuse"
    assert explanation.result.scores["task_completion"] == 0.241351


def test_unknown_run_id_suggests_close_ones(tmp_path: Path) -> None:
    result = runner.invoke(app, ["explain", GOLDEN, "r-0045"])
    assert result.exit_code == 2
    assert result.output == (
        f"error: {GOLDEN}: run_id: no run with run_id 'r-0045' among 597 runs; "
        "did you mean 'r-00045', 'r-00145', 'r-00245'?\n"
    )


def test_breaking_step_of_a_passed_or_empty_run() -> None:
    assert breaking_step(make_context(steps=[]), "other") is None
    ctx = make_context(steps=[{"message": "a"}, {"message": "b", "is_final": True}])
    assert breaking_step(ctx, "wrong_task_drift") == 1


def test_explain_run_without_steps(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "runs.jsonl", [{"run_id": "a", "task_id": "t"}])
    result = runner.invoke(app, ["explain", str(path), "a"])
    assert result.exit_code == 0
    assert "(no steps)" in result.output
