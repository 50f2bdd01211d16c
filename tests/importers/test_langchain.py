"""langchain: LangChain / LangGraph message lists in each of the shapes LangChain writes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taskgate.errors import InputError
from taskgate.importers import detect_format, import_files
from taskgate.model.record import RunRecord
from tests.importers.helpers import (
    LANGCHAIN,
    assert_round_trips,
    clean_import,
    step_rows,
    write_lines,
)


def runs() -> list[RunRecord]:
    return clean_import("langchain", LANGCHAIN)


def steps(run: RunRecord) -> list[tuple[Any, ...]]:
    return step_rows(run)


def test_a_graph_state_in_model_dump_shape_maps_exactly() -> None:
    run = runs()[0]
    assert (run.run_id, run.task_id, run.cohort) == (
        "lc-refund-1",
        "refund-1182",
        {"variant": "react-graph"},
    )
    assert steps(run) == [
        ("user", None, "Please refund order 1182.", [], False),
        (
            "agent",
            None,
            None,
            [("get_order", {"order_id": "1182"}, '{"order_id": "1182", "total": 20.5}', None)],
            False,
        ),
        (
            "agent",
            None,
            None,
            [("issue_refund", {"order_id": "1182", "amount": 20.5}, "refunded 20.5", None)],
            False,
        ),
        ("agent", None, "Refund of $20.50 issued for order 1182.", [], True),
    ]
    assert run.final_result == "Refund of $20.50 issued for order 1182."
    assert (run.usage.input_tokens, run.usage.output_tokens) == (470, 52)
    assert run.task is not None
    assert run.task.expected_result == "Refund of $20.50 issued for order 1182"
    assert run.task.description == "Please refund order 1182."
    assert run.model_extra is not None
    assert run.model_extra["messages"] == [
        {"role": "system", "content": "You are a billing assistant.", "after_steps": 0}
    ]


def test_tool_errors_and_malformed_calls_in_messages_to_dict_shape() -> None:
    run = runs()[1]
    assert steps(run) == [
        ("user", None, "Please refund order 1182.", [], False),
        (
            "agent",
            None,
            None,
            [
                (
                    "issue_refund",
                    {"order_id": "1182", "amount": 20.5},
                    None,
                    "payment service unavailable",
                ),
                # The agent's broken arguments are kept as it wrote them: its mistake, scored.
                ("lookup_policy", '{"topic": refunds', None, "Error: arguments are not valid JSON"),
            ],
            False,
        ),
        ("agent", None, "Sorry, I could not issue the refund.", [], True),
    ]
    assert run.task is None  # no task fields: --tasks can join one


def test_named_agents_of_a_graph_in_dumpd_shape_are_the_steps_agents() -> None:
    run = runs()[2]
    assert [(step.agent, step.message) for step in run.steps] == [
        (None, "Which flight is cheaper, AB123 or CD456?"),
        ("supervisor", None),
        ("fares_agent", "Looking up both fares."),
        ("supervisor", "CD456 is cheaper at $185."),
    ]
    assert [c.result for c in run.steps[2].tool_calls] == ["AB123: $210", "CD456: $185"]
    assert (run.usage.input_tokens, run.usage.output_tokens) == (720, 51)


def test_the_runs_round_trip() -> None:
    assert_round_trips(runs())


def _dumped(message: dict[str, Any]) -> dict[str, Any]:
    classes = {
        "human": "HumanMessage",
        "ai": "AIMessage",
        "tool": "ToolMessage",
        "system": "SystemMessage",
    }
    kwargs = {key: value for key, value in message.items() if key != "type"}
    return {
        "lc": 1,
        "type": "constructor",
        "id": ["langchain_core", "messages", classes[message["type"]]],
        "kwargs": kwargs,
    }


MESSAGE = st.sampled_from(
    [
        {"type": "system", "content": "Be brief."},
        {"type": "human", "content": "What is 2 + 2?"},
        {"type": "ai", "content": "Let me check.", "name": "solver"},
        {"type": "ai", "content": "4", "usage_metadata": {"input_tokens": 9, "output_tokens": 1}},
    ]
)


@given(st.lists(MESSAGE, min_size=1, max_size=6))
def test_the_three_shapes_of_one_conversation_import_alike(
    tmp_path_factory: pytest.TempPathFactory, messages: list[dict[str, Any]]
) -> None:
    folder = tmp_path_factory.mktemp("shapes")
    shapes = {
        "fields": messages,
        "to_dict": [{"type": m["type"], "data": m} for m in messages],
        "dumpd": [_dumped(m) for m in messages],
    }
    imported = [
        import_files(
            "langchain",
            [
                write_lines(
                    folder / f"{name}.jsonl", [{"run_id": "r", "task_id": "t", "messages": shape}]
                )
            ],
        )
        for name, shape in shapes.items()
    ]
    first = imported[0].records[0].model_dump(exclude={"imported_from"})
    for other in imported[1:]:
        assert other.problems == []
        assert other.records[0].model_dump(exclude={"imported_from"}) == first


def test_a_message_it_cannot_read_is_listed_with_where_and_why(tmp_path: Path) -> None:
    lines = [
        {"messages": [{"type": "human", "content": "hi"}]},
        {"messages": [{"type": "human", "content": "hi"}, {"type": "robot", "content": "?"}]},
        {"messages": [{"type": "ai", "content": "", "tool_calls": [{"args": {}}]}]},
        {"messages": [{"lc": 1, "type": "constructor", "id": ["x", "Widget"], "kwargs": {}}]},
    ]
    path = write_lines(tmp_path / "runs.jsonl", lines)
    result = import_files("langchain", [path])
    assert [r.run_id for r in result.records] == ["runs:1"]
    assert [str(p) for p in result.problems] == [
        f"{path}:2: messages[1].type: unknown message type 'robot'; "
        "expected human, ai, tool or system",
        f"{path}:3: messages[0].tool_calls[0].name: a tool call without a name; add it",
        f"{path}:4: messages[0].id: not a LangChain message class: ['x', 'Widget']",
    ]


def test_chat_completions_messages_are_named_as_such(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "chat.jsonl", [{"messages": [{"role": "user", "content": "hi"}]}])
    with pytest.raises(InputError) as caught:
        import_files("langchain", [path])
    assert str(caught.value.problems[0]) == (
        f"{path}: not a LangChain / LangGraph messages JSONL file: it looks like an OpenAI "
        f"chat-messages JSONL file; use: taskgate import openai-messages {path} -o OUT.jsonl"
    )


def test_a_langchain_file_given_as_openai_messages_is_named() -> None:
    with pytest.raises(InputError) as caught:
        import_files("openai-messages", [str(LANGCHAIN)])
    assert str(caught.value.problems[0]) == (
        f"{LANGCHAIN}: not an OpenAI chat-messages JSONL file: it looks like a LangChain / "
        f"LangGraph messages JSONL file; use: taskgate import langchain {LANGCHAIN} -o OUT.jsonl"
    )
    assert detect_format(str(LANGCHAIN)) == "langchain"


LANGSMITH = LANGCHAIN.parent / "langsmith-runs.jsonl"


def test_a_langsmith_root_run_is_read_from_the_graphs_state() -> None:
    [run] = clean_import("langchain", LANGSMITH)
    assert (run.run_id, run.task_id, run.trial) == (
        "1f0529c8-196c-6c5b-84a2-604f11dc8e42",
        "capital-fr",
        1,
    )
    assert steps(run) == [
        ("user", None, "What is the capital of France?", [], False),
        (
            "agent",
            None,
            None,
            [("search", {"query": "capital of France"}, "Paris is the capital of France.", None)],
            False,
        ),
        ("agent", None, "The capital of France is Paris.", [], True),
    ]
    assert (run.usage.input_tokens, run.usage.output_tokens) == (130, 20)
    assert detect_format(str(LANGSMITH)) == "langchain"


def test_a_root_run_without_messages_is_listed(tmp_path: Path) -> None:
    root = {"id": "r1", "run_type": "chain", "parent_run_id": None, "inputs": {}, "outputs": {}}
    path = write_lines(tmp_path / "runs.jsonl", [root])
    result = import_files("langchain", [path])
    assert [str(p) for p in result.problems] == [
        f"{path}:1: outputs.messages: the root run holds no messages; trace the graph so its "
        "state (messages) is the root run's output"
    ]
