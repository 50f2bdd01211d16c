from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from taskgate.cli import app
from taskgate.config.load import default_config
from taskgate.scoring.breakdown import breaking_step, explain_run
from tests.conftest import FIXTURES, make_context, write_jsonl

runner = CliRunner()
GOLDEN = str(FIXTURES / "golden.jsonl")


def test_explain_text_marks_failed_calls_and_the_breaking_step() -> None:
    result = runner.invoke(app, ["explain", GOLDEN, "r-00013"])
    assert result.exit_code == 0
    out = result.output
    header = "run r-00013 (task address-001) FAILED  shape: early_stop  broke at: function_calls"
    assert header in out
    assert "✗ get_customer" in out and "429 rate limited by CRM API" in out
    assert "#1  ← went wrong here" in out
    assert "✗ address_updated" in out and "✓ Status completed" in out
    first = "✗ Result does not match expected (contains): expected 83180 not found  ← first failed"
    assert first in out
    assert "get_customer: no call to it succeeded" in out
    for metric in ("task_completion", "goal_progress", "tool_selection", "step_efficiency"):
        assert metric in out


def test_explain_json_is_for_machines() -> None:
    result = runner.invoke(app, ["explain", GOLDEN, "r-00045", "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["first_failed"] == "No final step"
    assert data["checks"][:2] == [
        {"check": "status", "holds": True, "message": "Status completed"},
        {"check": "final_step", "holds": False, "message": "No final step"},
    ]
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
        "grounding",
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


def test_the_breaking_step_is_never_a_user_turn() -> None:
    # A conversation that ends on the user's reply: the agent's last step is where it broke.
    steps = [
        {"role": "user", "message": "Cancel order 7"},
        {"message": "Done, order 8 is cancelled.", "is_final": True},
        {"role": "user", "message": "Thanks, bye"},
    ]
    assert breaking_step(make_context(steps=steps), "wrong_task_drift") == 1
    only_user = make_context(steps=[{"role": "user", "message": "Hello?"}])
    assert breaking_step(only_user, "early_stop") is None


REFUND = {"name": "issue_refund", "arguments": {"order_id": "1182", "amount": 20.5}}
CONVERSATION = {
    "run_id": "c",
    "task_id": "t",
    "task": {"expected_calls": [{**REFUND, "turn": 1}], "write_tools": ["issue_refund"]},
    "steps": [
        {"role": "user", "message": "Please refund order 1182"},
        {"tool_calls": [{"name": "issue_refund", "arguments": {"order_id": "1182", "amount": 25}}]},
        {"role": "user", "message": "Thanks"},
        {"message": "Refunded.", "is_final": True},
    ],
}


def test_explain_shows_user_turns_and_the_arguments_key_by_key(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "runs.jsonl", [CONVERSATION])
    result = runner.invoke(app, ["explain", str(path), "c"], env={"COLUMNS": "120"})
    assert result.exit_code == 0
    out = result.output
    assert "#1 user (turn 1): Please refund order 1182" in out
    assert "#3 user (turn 2): Thanks" in out
    assert "Expected call issue_refund in turn 1 not made with the expected arguments" in out
    assert "issue_refund (turn 1) against call #1 in turn 1 (50% of arguments agree)" in out
    lines = [" ".join(line.split()) for line in out.splitlines()]
    assert "✗ amount exact 20.5 25" in lines
    assert "✓ order_id exact 1182 1182" in lines


def test_explain_json_has_the_expected_calls_key_by_key(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "runs.jsonl", [CONVERSATION])
    data = json.loads(runner.invoke(app, ["explain", str(path), "c", "--format", "json"]).output)
    assert data["expected_calls"] == [
        {
            "expected": 0,
            "name": "issue_refund",
            "turn": 1,
            "made": 0,
            "made_turn": 1,
            "credit": 0.5,
            "arguments": [
                {"key": "amount", "mode": "exact", "expected": 20.5, "actual": 25, "agrees": False},
                {
                    "key": "order_id",
                    "mode": "exact",
                    "expected": "1182",
                    "actual": "1182",
                    "agrees": True,
                },
            ],
        }
    ]
    assert data["breaking_step"] == 4  # no final-step fault: the last step


def test_an_unjudged_run_says_so(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "runs.jsonl",
        [{"run_id": "u", "task_id": "t", "steps": [{"message": "hi", "is_final": True}]}],
    )
    out = runner.invoke(app, ["explain", str(path), "u"]).output
    assert "run u (task t) UNJUDGED" in out
    assert "unjudged: the task states nothing to check beyond a final step" in out


def test_explain_run_without_steps(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "runs.jsonl", [{"run_id": "a", "task_id": "t"}])
    result = runner.invoke(app, ["explain", str(path), "a"])
    assert result.exit_code == 0
    assert "(no steps)" in result.output


def test_a_loop_breaks_at_the_first_call_repeated_by_value() -> None:
    """{"n": 5} and {"n": 5.0} are one call, as step_efficiency counts repeats; by their
    text they were two, and the breaking step landed later."""
    steps = [
        {"tool_calls": [{"name": "search", "arguments": {"n": 5}}]},
        {"tool_calls": [{"name": "search", "arguments": {"n": 5.0}}]},
        {"tool_calls": [{"name": "search", "arguments": {"n": 5}}]},
    ]
    ctx = make_context(task={"step_budget": 3}, steps=steps, step_budget_exceeded=True)
    assert breaking_step(ctx, "loop_exhaustion") == 1
    other = make_context(task={"step_budget": 2}, steps=[*steps[:1], {"message": "x"}])
    assert breaking_step(other, "loop_exhaustion") == 1  # no repeat: the agent's last step
