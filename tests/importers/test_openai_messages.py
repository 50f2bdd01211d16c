"""openai-messages: chat-completions messages, one run per JSONL line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from taskgate.errors import Problem
from taskgate.importers import import_files
from taskgate.model.record import ExpectedCall, RunRecord
from tests.importers.helpers import OPENAI, assert_round_trips, write_lines


def runs() -> list[RunRecord]:
    result = import_files("openai-messages", [str(OPENAI)])
    assert (result.problems, result.notes) == ([], [])
    return result.records


def test_a_hand_checked_line_maps_exactly() -> None:
    run = runs()[0]
    calls = [call for step in run.steps for call in step.tool_calls]
    assert (run.run_id, run.task_id, run.trial, run.cohort) == (
        "refund-1182-t0",
        "refund-1182",
        0,
        {"variant": "planner-v2"},
    )
    assert [(step.role, step.message) for step in run.steps[:1]] == [
        ("user", "Please refund order 1182, I was charged twice.")
    ]
    assert len(run.steps) == 4
    assert [(call.name, call.arguments) for call in calls] == [
        ("parse_receipt", {"order_id": "1182"}),
        ("issue_refund", {"order_id": "1182", "amount": 20.5}),
        ("send_email", {"to": "customer", "template": "refund"}),
    ]
    # Parallel calls answered out of order are paired by tool_call_id.
    assert [call.result for call in calls[1:]] == [
        '{"refund_id": "rf_77", "amount": 20.5}',
        '{"sent": true}',
    ]
    assert run.steps[2].message == (
        "The receipt shows a duplicate charge of $20.50. Issuing the refund now."
    )
    assert run.steps[2].thought is None
    assert [step.is_final for step in run.steps] == [False, False, False, True]
    assert run.final_result == "Refund of $20.50 issued for order 1182."
    assert run.task is not None
    assert run.task.expected_result == "Refund of $20.50 issued for order 1182"
    assert run.task.expected_calls == [
        ExpectedCall(name="issue_refund", arguments={"order_id": "1182", "amount": 20.5})
    ]
    assert len(run.task.success_criteria) == 2
    assert run.task.available_tools == [
        "parse_receipt",
        "lookup_policy",
        "issue_refund",
        "send_email",
    ]
    assert run.task.description == "Please refund order 1182, I was charged twice."
    messages: list[dict[str, Any]] = (run.model_extra or {})["messages"]
    assert [(m["role"], m["after_steps"]) for m in messages] == [("system", 0)]
    assert messages[0]["content"].startswith("You are a support agent for an online shop.")
    assert run.labels == {"human_review": "pass"}
    assert (run.usage.input_tokens, run.usage.output_tokens) == (2677, 91)


def test_without_ids_or_task_fields_a_line_is_named_after_the_file_and_has_no_task() -> None:
    run = runs()[1]
    assert (run.run_id, run.task_id) == ("runs:2", "runs-2")
    assert run.task is None  # left for --tasks to supply
    assert [(step.role, step.is_final) for step in run.steps] == [
        ("user", False),
        ("agent", False),
        ("agent", True),  # the agent's reply is final, not the user's thanks after it
        ("user", False),
    ]
    assert run.steps[-1].message == "Ok, thanks."


def test_tool_errors_come_from_an_error_prefix_or_an_explicit_flag() -> None:
    refused, timed_out = runs()[1], runs()[2]
    assert refused.steps[1].tool_calls[0].error == (
        "Error: order 7 is being shipped and cannot be cancelled"
    )
    assert timed_out.steps[1].tool_calls[0].error == "upstream timed out"


def test_a_run_cut_off_mid_call_or_not_completed_has_no_final_step() -> None:
    run = runs()[2]
    assert run.status == "timeout"
    assert not any(step.is_final for step in run.steps)
    assert run.final_result is None


def test_every_line_validates_round_trips_and_has_its_own_id() -> None:
    records = runs()
    assert_round_trips(records)
    assert len({record.run_id for record in records}) == 3


def _line(*messages: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"messages": list(messages), **fields}


USER = {"role": "user", "content": "hi"}
REPLY = {"role": "assistant", "content": "hello"}


def test_lines_that_cannot_be_mapped_are_reported_with_line_field_and_reason(
    tmp_path: Path,
) -> None:
    path = write_lines(
        tmp_path / "chats.jsonl",
        [
            _line(USER, REPLY),
            {"run_id": "r2"},
            _line(USER, {"role": "tool", "tool_call_id": "call_1", "content": "{}"}),
            _line(USER, {"role": "robot", "content": "beep"}),
            _line(USER, {"role": "assistant", "tool_calls": [{"id": "c", "function": {}}]}),
        ],
    )
    with open(path, "ab") as handle:
        handle.write(b'{"messages": [\n')
    result = import_files("openai-messages", [path])
    assert [record.run_id for record in result.records] == ["chats:1"]
    assert result.problems == [
        Problem(path, 2, "messages", "no chat messages; give the run's messages as a list"),
        Problem(
            path,
            3,
            "messages[1]",
            "a tool message answers call id 'call_1', which was never made; "
            "each tool message must answer an earlier tool call",
        ),
        Problem(
            path,
            4,
            "messages[1].role",
            "unknown role 'robot'; expected system, user, assistant or tool",
        ),
        Problem(
            path,
            5,
            "messages[1].tool_calls[0].function.name",
            "a tool call without a function name; add it",
        ),
        Problem(
            path,
            6,
            None,
            "not valid JSON at column 15 (unexpected end of data); "
            "each line must be one JSON object",
        ),
    ]


def test_a_tool_message_without_an_id_answers_the_oldest_waiting_call(tmp_path: Path) -> None:
    call = {"name": "lookup", "arguments": "{}"}
    path = write_lines(
        tmp_path / "legacy.jsonl",
        [
            _line(
                USER,
                {"role": "assistant", "content": None, "function_call": call},
                {"role": "function", "name": "lookup", "content": "found it"},
                REPLY,
            )
        ],
    )
    (run,) = import_files("openai-messages", [path]).records
    assert run.steps[1].tool_calls[0].result == "found it"
    assert run.steps[-1].is_final


def test_user_turns_are_user_steps_in_order_and_an_empty_one_is_skipped(tmp_path: Path) -> None:
    lookup = {"id": "c1", "function": {"name": "lookup", "arguments": "{}"}}
    path = write_lines(
        tmp_path / "chat.jsonl",
        [
            _line(
                {"role": "developer", "content": "Be brief."},
                USER,
                {"role": "assistant", "content": None, "tool_calls": [lookup]},
                {"role": "tool", "tool_call_id": "c1", "content": "found"},
                REPLY,
                {"role": "user", "content": ""},
                {"role": "user", "content": [{"type": "text", "text": "and tomorrow?"}]},
                {"role": "assistant", "content": "sunny"},
            )
        ],
    )
    (run,) = import_files("openai-messages", [path]).records
    assert [(s.role, s.message, [c.name for c in s.tool_calls]) for s in run.steps] == [
        ("user", "hi", []),
        ("agent", None, ["lookup"]),
        ("agent", "hello", []),
        ("user", "and tomorrow?", []),
        ("agent", "sunny", []),
    ]
    assert [step.is_final for step in run.steps] == [False, False, False, False, True]
    assert run.final_result == "sunny"
    assert (run.model_extra or {})["messages"] == [
        {"role": "system", "content": "Be brief.", "after_steps": 0}
    ]


def test_a_record_field_of_the_wrong_type_names_the_field(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "bad.jsonl", [_line(USER, REPLY, trial="first")])
    result = import_files("openai-messages", [path])
    assert result.records == []
    assert result.problems == [
        Problem(path, 1, "trial", "expected a whole number, got 'first' (in the mapped record)")
    ]


def test_costs_summed_past_the_float_range_are_bad_input_not_a_crash(tmp_path: Path) -> None:
    costly = {"role": "assistant", "content": "checking", "cost": 1e308}
    path = write_lines(tmp_path / "costly.jsonl", [_line(USER, costly, {**REPLY, "cost": 1e308})])
    result = import_files("openai-messages", [path])
    assert result.records == []
    assert result.problems == [
        Problem(
            path,
            1,
            "usage.cost_usd",
            "must be at most 1000000, got inf (in the mapped record)",
        )
    ]
