from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from taskgate.model.record import RunRecord
from taskgate.model.trajectory import Step, ToolCall

RECORD: dict[str, Any] = {
    "run_id": "r-1",
    "task_id": "t-1",
    "steps": [
        {
            "thought": "look it up",
            "tool_calls": [
                {"name": "get_order", "arguments": '{"id": "7"}', "span": "a1", "error": None}
            ],
            "latency_ms": 12,
        },
        {"message": "Done.", "tool_calls": None, "is_final": True},
    ],
}


def test_steps_and_calls_read_as_attributes() -> None:
    record = RunRecord.model_validate(RECORD)
    first, last = record.steps
    assert first.thought == "look it up"
    assert first.tool_calls[0].arguments == {"id": "7"}  # a JSON string, decoded
    assert first.tool_calls[0].failed is False
    assert first.extra == {"latency_ms": 12}
    assert last.tool_calls == []  # null means no calls
    assert last.is_final is True


def test_records_write_back_fields_in_order_then_extras_without_nulls() -> None:
    dumped = RunRecord.model_validate(RECORD).model_dump(mode="json", exclude_none=True)
    assert dumped["steps"] == [
        {
            "tool_calls": [{"name": "get_order", "arguments": {"id": "7"}, "span": "a1"}],
            "thought": "look it up",
            "is_final": False,
            "latency_ms": 12,
        },
        {"message": "Done.", "tool_calls": [], "is_final": True},
    ]
    assert list(dumped["steps"][0]) == ["thought", "tool_calls", "is_final", "latency_ms"]


def test_records_write_back_nulls_when_asked_to() -> None:
    step = RunRecord.model_validate(RECORD).model_dump(mode="json")["steps"][1]
    assert step == {
        "role": "agent",
        "agent": None,
        "handoff": None,
        "thought": None,
        "message": "Done.",
        "tool_calls": [],
        "observation": None,
        "is_final": True,
    }


@pytest.mark.parametrize(
    ("steps", "location", "kind"),
    [
        ([5], ("steps", 0), "dict_type"),
        ([{"tool_calls": [{"arguments": {}}]}], ("steps", 0, "tool_calls", 0, "name"), "missing"),
        ([{"tool_calls": [{"name": 3}]}], ("steps", 0, "tool_calls", 0, "name"), "string_type"),
        ([{"is_final": "maybe"}], ("steps", 0, "is_final"), "bool_parsing"),
        ([{"thought": ["a"]}], ("steps", 0, "thought"), "string_type"),
    ],
)
def test_bad_steps_are_located_exactly(
    steps: list[Any], location: tuple[Any, ...], kind: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        RunRecord.model_validate({"run_id": "r", "task_id": "t", "steps": steps})
    (error,) = caught.value.errors()
    assert (error["loc"], error["type"]) == (location, kind)


def test_equal_steps_compare_equal_and_are_not_hashable() -> None:
    one = Step(tool_calls=[ToolCall("pay", {"amount": 5})], is_final=True)
    assert one == Step(tool_calls=[ToolCall("pay", '{"amount": 5}')], is_final=True)
    assert one != Step(tool_calls=[ToolCall("pay", {"amount": 6})], is_final=True)
    with pytest.raises(TypeError):
        hash(one)


json_scalars = st.none() | st.booleans() | st.integers(-100, 100) | st.text(max_size=5)
calls = st.fixed_dictionaries(
    {"name": st.text(min_size=1, max_size=5)},
    optional={
        "arguments": st.dictionaries(st.text(max_size=3), json_scalars, max_size=2),
        "result": json_scalars,
        "error": json_scalars,
        "span": json_scalars,
    },
)
steps = st.fixed_dictionaries(
    {},
    optional={
        "thought": st.text(max_size=5),
        "message": st.text(max_size=5),
        "tool_calls": st.lists(calls, max_size=2),
        "observation": json_scalars,
        "is_final": st.booleans(),
        "note": json_scalars,
    },
)


@given(st.lists(steps, max_size=3))
def test_a_written_record_reads_back_as_written(written: list[dict[str, Any]]) -> None:
    # What import writes (nulls left out) reads back to a record that writes the same line.
    record = RunRecord.model_validate({"run_id": "r", "task_id": "t", "steps": written})
    line = orjson.dumps(record.model_dump(mode="json", exclude_none=True))
    again = RunRecord.model_validate_json(line)
    assert orjson.dumps(again.model_dump(mode="json", exclude_none=True)) == line
    assert [s.as_dict(exclude_none=True) for s in again.steps] == [
        s.as_dict(exclude_none=True) for s in record.steps
    ]


def test_any_extra_field_name_is_kept_even_self() -> None:
    # Extra fields become keyword arguments: none may collide with the object itself.
    record = RunRecord.model_validate(
        {
            "run_id": "r",
            "task_id": "t",
            "steps": [{"self": 2, "tool_calls": [{"name": "a", "self": 1}]}],
        }
    )
    assert (record.steps[0].extra, record.steps[0].tool_calls[0].extra) == (
        {"self": 2},
        {"self": 1},
    )
