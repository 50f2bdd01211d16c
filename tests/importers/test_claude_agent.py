"""claude-agent: Claude Agent SDK / Claude Code stream-json, a run per session."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from taskgate.errors import InputError
from taskgate.importers import detect_format, import_files
from taskgate.model.record import RunRecord
from tests.importers.helpers import (
    CLAUDE,
    assert_round_trips,
    clean_import,
    step_rows,
    write_lines,
)


def runs() -> list[RunRecord]:
    return clean_import("claude-agent", CLAUDE)


def steps(run: RunRecord) -> list[tuple[Any, ...]]:
    return step_rows(run, thought=True)


ASK = "Refund order 1182 after checking the receipt."


def test_a_session_that_succeeded_maps_exactly() -> None:
    run = runs()[0]
    assert (run.run_id, run.task_id, run.trial, run.cohort) == (
        "5e1a0c1e-0001",
        "refund-1182",
        0,
        {"model": "claude-sonnet-4-5"},
    )
    order = '{"order_id": "1182", "total": 20.5, "duplicate_charge": true}'
    assert steps(run) == [
        ("user", None, None, ASK, [], False),
        # One message streamed over two lines (the same message.id) is one step.
        (
            "agent",
            None,
            "I should look the order up first.",
            None,
            [("mcp__billing__get_order", {"order_id": "1182"}, order, None)],
            False,
        ),
        (
            "agent",
            None,
            None,
            "The receipt shows a duplicate charge; refunding it.",
            [
                (
                    "mcp__billing__issue_refund",
                    {"order_id": "1182", "amount": 20.5},
                    "refund rf_77 issued",
                    None,
                )
            ],
            False,
        ),
        ("agent", None, None, "Refund of $20.50 issued for order 1182.", [], True),
    ]
    assert (run.status, run.step_budget_exceeded, run.error_kind) == ("completed", False, None)
    assert run.final_result == "Refund of $20.50 issued for order 1182."
    # Input tokens count the cache reads and writes: 1200 + 3000 + 500.
    assert (run.usage.input_tokens, run.usage.output_tokens, run.usage.cost_usd) == (
        4700,
        610,
        0.0213,
    )
    assert run.model_extra is not None
    assert run.model_extra["claude_result"] == {
        "subtype": "success",
        "num_turns": 3,
        "duration_ms": 8400,
    }


def test_a_sub_agents_steps_stay_in_the_run_attributed_and_its_prompt_is_kept() -> None:
    run = runs()[1]
    assert [(step.agent, step.message) for step in run.steps] == [
        (None, ASK),
        (None, None),
        ("receipt-checker", None),
        ("receipt-checker", "I could not reach the billing service."),
        (None, None),
    ]
    calls = [c for step in run.steps for c in step.tool_calls]
    assert [(c.name, c.error) for c in calls] == [
        ("Task", None),
        ("mcp__billing__get_order", "billing service timed out"),
        ("Task", None),
    ]
    assert run.model_extra is not None
    assert run.model_extra["messages"] == [
        {
            "role": "subagent_prompt",
            "content": "Check order 1182's receipt for a duplicate charge.",
            "after_steps": 2,
        }
    ]
    # It ran out of turns: no final step, and the sub-agent's last word is not the result.
    assert (run.status, run.step_budget_exceeded) == ("completed", True)
    assert [step.is_final for step in run.steps] == [False] * 5
    assert run.final_result is None


def test_a_failed_model_api_is_an_infrastructure_error() -> None:
    run = runs()[2]
    assert (run.status, run.error_kind, run.final_result) == ("error", "infrastructure", None)
    assert steps(run) == [("user", None, None, ASK, [], False)]


def test_the_runs_round_trip() -> None:
    assert_round_trips(runs())


def event(kind: str, session: str = "s1", **fields: Any) -> dict[str, Any]:
    return {"type": kind, "session_id": session, **fields}


def test_a_session_without_a_result_never_finished_and_one_session_is_no_trial(
    tmp_path: Path,
) -> None:
    path = write_lines(
        tmp_path / "task-9.jsonl",
        [
            event("user", message={"role": "user", "content": "hi"}),
            event("assistant", message={"id": "m", "content": [{"type": "text", "text": "Hello"}]}),
        ],
    )
    [run] = import_files("claude-agent", [path]).records
    assert (run.run_id, run.task_id, run.trial, run.status) == ("s1", "task-9", None, "error")
    assert [step.is_final for step in run.steps] == [False, False]


def test_a_tool_result_for_no_call_is_listed_with_its_session(tmp_path: Path) -> None:
    result_block = {"type": "tool_result", "tool_use_id": "toolu_x", "content": "ok"}
    path = write_lines(
        tmp_path / "runs.jsonl",
        [
            event("user", message={"role": "user", "content": [result_block]}),
            event("result", subtype="success", is_error=False, result="done"),
            event("user", "s2", message={"role": "user", "content": "hi"}),
            event("result", "s2", subtype="success", is_error=False, result="done"),
        ],
    )
    result = import_files("claude-agent", [path])
    assert [r.run_id for r in result.records] == ["s2"]
    assert [str(p) for p in result.problems] == [
        f"{path}:1: message at line 1: a tool message answers call id 'toolu_x', "
        "which was never made; each tool message must answer an earlier tool call"
    ]


def test_a_broken_line_is_refused_not_skipped(tmp_path: Path) -> None:
    path = tmp_path / "runs.jsonl"
    path.write_text(
        '{"type": "user", "session_id": "s1", "message": {"content": "hi"}}\n{"type": \n'
    )
    with pytest.raises(InputError) as caught:
        import_files("claude-agent", [str(path)])
    assert [(p.line, p.message.split(";")[0]) for p in caught.value.problems] == [
        (2, "not valid JSON at column 10 (unexpected end of data)")
    ]


def test_the_format_is_named_when_given_elsewhere() -> None:
    assert detect_format(str(CLAUDE)) == "claude-agent"
    with pytest.raises(InputError) as caught:
        import_files("openai-messages", [str(CLAUDE)])
    assert str(caught.value.problems[0]).endswith(
        f"it looks like a Claude Agent SDK / Claude Code stream-json file; "
        f"use: taskgate import claude-agent {CLAUDE} -o OUT.jsonl"
    )
