"""openai-agents: OpenAI Agents SDK runs and Responses API items, one run per JSONL line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from taskgate.errors import InputError
from taskgate.importers import detect_format, import_files
from taskgate.model.record import RunRecord
from tests.importers.helpers import (
    AGENTS,
    OPENAI,
    assert_round_trips,
    clean_import,
    step_rows,
    write_lines,
)


def runs() -> list[RunRecord]:
    return clean_import("openai-agents", AGENTS)


def test_the_items_of_a_run_map_exactly() -> None:
    run = runs()[0]
    assert (run.run_id, run.task_id, run.cohort) == (
        "oa-weather-1",
        "weather-tokyo",
        {"variant": "agents-sdk"},
    )
    weather = '{"temp_c": 22, "sky": "sunny"}'
    assert step_rows(run, thought=True) == [
        ("user", None, None, "What is the weather in Tokyo?", [], False),
        # JSON-string arguments are read as the object they spell.
        (
            "agent",
            None,
            "I need the weather tool.",
            None,
            [("get_weather", {"city": "Tokyo"}, weather, None)],
            False,
        ),
        ("agent", None, None, "It is 22°C and sunny in Tokyo.", [], True),
    ]
    assert (run.usage.input_tokens, run.usage.output_tokens) == (812, 64)
    assert run.task is not None
    assert [c.name for c in run.task.expected_calls] == ["get_weather"]


def test_input_and_output_items_with_parallel_calls_answered_out_of_order() -> None:
    run = runs()[1]
    assert step_rows(run) == [
        ("user", None, "Refund order 1182.", [], False),
        (
            "agent",
            None,
            "Handing you to billing.",
            [("transfer_to_billing_agent", {}, '{"assistant": "Billing agent"}', None)],
            False,
        ),
        (
            "agent",
            None,
            None,
            [
                ("issue_refund", {"order_id": "1182"}, None, "Error: amount is required"),
                ("send_email", {"to": "customer"}, "sent", None),
            ],
            False,
        ),
        ("agent", None, "I could not issue the refund.", [], True),
    ]
    assert run.model_extra is not None
    assert run.model_extra["messages"] == [
        {"role": "system", "content": "You route billing questions.", "after_steps": 0},
        {"role": "item", "content": None, "type": "web_search_call", "after_steps": 3},
    ]


def test_the_runs_round_trip() -> None:
    assert_round_trips(runs())


def test_an_item_it_cannot_read_is_listed_with_where_and_why(tmp_path: Path) -> None:
    lines: list[dict[str, Any]] = [
        {"items": [{"role": "user", "content": "hi"}]},
        {"items": [{"type": "function_call", "call_id": "c1", "arguments": "{}"}]},
        {"items": [{"role": "critic", "content": "?"}]},
        {"items": ["not an item"]},
        {"items": []},
    ]
    path = write_lines(tmp_path / "runs.jsonl", lines)
    result = import_files("openai-agents", [path])
    assert [r.run_id for r in result.records] == ["runs:1"]
    assert [str(p) for p in result.problems] == [
        f"{path}:2: items[0].name: a function_call without a name; add it",
        f"{path}:3: items[0].role: unknown role 'critic'; "
        "expected user, system, developer or assistant",
        f"{path}:4: items[0]: expected an item object with a 'type' or a 'role'",
        f"{path}:5: items: no items; give the run's items as a list",
    ]


def test_the_format_is_named_when_given_elsewhere() -> None:
    assert detect_format(str(AGENTS)) == "openai-agents"
    with pytest.raises(InputError) as caught:
        import_files("openai-messages", [str(AGENTS)])
    assert str(caught.value.problems[0]).endswith(
        "it looks like an OpenAI Agents SDK / Responses API items JSONL file; "
        f"use: taskgate import openai-agents {AGENTS} -o OUT.jsonl"
    )
    with pytest.raises(InputError) as caught:
        import_files("openai-agents", [str(OPENAI)])
    assert str(caught.value.problems[0]).endswith(
        f"it looks like an OpenAI chat-messages JSONL file; "
        f"use: taskgate import openai-messages {OPENAI} -o OUT.jsonl"
    )


def test_a_file_of_runs_items_given_to_score_names_the_importer() -> None:
    import taskgate

    with pytest.raises(InputError) as caught:
        taskgate.score(AGENTS)
    assert str(caught.value.problems[0]) == (
        f"{AGENTS}: this is an OpenAI Agents SDK / Responses API items JSONL file, not taskgate "
        f"run records; convert it first: taskgate import openai-agents {AGENTS} -o runs.jsonl"
    )


TRACE = AGENTS.parent / "trace-export.jsonl"


def test_the_sdks_trace_export_maps_agents_handoffs_and_calls() -> None:
    [run] = clean_import("openai-agents", TRACE)
    assert (run.task_id, run.trial, run.cohort) == (
        "refund-1182",
        0,
        {"workflow": "Customer service"},
    )
    refund = {"order_id": "1182", "amount": 20.5}
    assert [
        (
            s.role,
            s.agent,
            s.handoff,
            s.message,
            [(c.name, c.arguments, c.result) for c in s.tool_calls],
        )
        for s in run.steps
    ] == [
        ("user", None, None, "Refund order 1182.", []),
        ("agent", "Triage agent", None, None, [("transfer_to_billing_agent", {}, None)]),
        ("agent", "Triage agent", {"from": "Triage agent", "to": "Billing agent"}, None, []),
        # The function span fills the call the model call before it planned: one call, not two.
        ("agent", "Billing agent", None, None, [("issue_refund", refund, "refunded 20.5")]),
        ("agent", "Billing agent", None, "Refund of $20.50 issued for order 1182.", []),
    ]
    assert [s.is_final for s in run.steps] == [False, False, False, False, True]
    assert (run.usage.input_tokens, run.usage.output_tokens) == (60, 9)
    assert_round_trips([run])


def test_a_trace_of_response_spans_only_is_said_to_hold_no_text(tmp_path: Path) -> None:
    trace = {"object": "trace", "id": "t1", "workflow_name": "w"}
    spans = [
        {
            "object": "trace.span",
            "id": "a",
            "trace_id": "t1",
            "span_data": {"type": "agent", "name": "A"},
        },
        {
            "object": "trace.span",
            "id": "r",
            "trace_id": "t1",
            "parent_id": "a",
            "span_data": {"type": "response", "response_id": "resp_1"},
        },
        {
            "object": "trace.span",
            "id": "f",
            "trace_id": "t1",
            "parent_id": "a",
            "span_data": {"type": "function", "name": "lookup", "input": "{}", "output": "x"},
        },
    ]
    path = write_lines(tmp_path / "trace.jsonl", [trace, *spans])
    result = import_files("openai-agents", [path])
    assert [[(c.name, c.result) for c in s.tool_calls] for s in result.records[0].steps] == [
        [("lookup", "x")]
    ]
    assert result.notes == [
        f"{path}: trace t1 records its model calls as response spans, which hold no messages: "
        "its steps have no text; write the run's items (to_input_list) for them"
    ]
    assert detect_format(path) == "openai-agents"
