"""JSON held in strings is decoded only as deep as a record may nest.

A line passes the depth check when its deep JSON sits inside a string; decoding that
string later (tool-call arguments, a final result compared as JSON, an expected call's
arguments) used to raise RecursionError in score and explain (exit 3).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from taskgate.cli import app
from taskgate.model.jsondepth import (
    MAX_DEPTH,
    decode_json_text,
    decode_task_json_text,
    nesting_depth,
)
from tests.conftest import write_jsonl

runner = CliRunner()
DEEP_LIST = "[" * 600 + "]" * 600
DEEP_OBJECT = '{"a":' * 600 + "1" + "}" * 600


def depth_of(value: Any) -> int:
    """An independent oracle: the nesting of a decoded value, walked recursively."""
    if isinstance(value, list):
        return 1 + max((depth_of(item) for item in value), default=0)
    if isinstance(value, dict):
        return 1 + max((depth_of(item) for item in value.values()), default=0)
    return 0


def nested(depth: int) -> str:
    return '{"k": ' * depth + "[1, 2]" + "}" * depth


@pytest.mark.parametrize("depth", [0, 1, MAX_DEPTH - 2, MAX_DEPTH - 1, MAX_DEPTH, 300])
def test_a_string_is_decoded_up_to_max_depth_and_kept_as_text_beyond(depth: int) -> None:
    text = nested(depth)  # depth objects around one list
    decoded = decode_json_text(text)
    if depth + 1 <= MAX_DEPTH:
        assert decoded == orjson.loads(text)
    else:
        assert decoded == text


def test_text_that_is_not_json_or_deeper_than_orjson_reads_stays_text() -> None:
    assert decode_json_text("not json {") == "not json {"
    assert decode_json_text("[" * 2000 + "]" * 2000) == "[" * 2000 + "]" * 2000
    assert decode_json_text('"a string"') == "a string"


def test_a_task_string_too_deep_is_the_tasks_mistake() -> None:
    with pytest.raises(ValueError, match=r"^a JSON string nested more than 100 lists or"):
        decode_task_json_text(DEEP_LIST)
    assert decode_task_json_text('{"a": 1}') == {"a": 1}
    assert decode_task_json_text("plain text") == "plain text"
    assert decode_task_json_text({"a": 1}) == {"a": 1}


json_values = st.recursive(
    st.integers(-(2**53), 2**53) | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=2), inner),
    max_leaves=40,
)


@given(json_values)
def test_nesting_depth_agrees_with_walking_the_value(value: Any) -> None:
    assert nesting_depth(orjson.dumps(value)) == depth_of(value)


@given(json_values, st.integers(0, 150))
def test_nothing_decoded_nests_deeper_than_max_depth(value: Any, wrap: int) -> None:
    for _ in range(wrap):
        value = [value]
    assert depth_of(decode_json_text(orjson.dumps(value).decode())) <= MAX_DEPTH


def _run(**changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "run_id": "r1",
        "task_id": "t1",
        "task": {
            "description": "d",
            "expected_result": {"a": 1},
            "expected_calls": [{"name": "f", "arguments": {"a": 1}}],
        },
        "steps": [
            {"tool_calls": [{"name": "f", "arguments": {"a": 1}}]},
            {"message": "done", "is_final": True},
        ],
        "final_result": '{"a": 1}',
    }
    for path, value in changes.items():
        *parents, last = path.split(".")
        holder = record
        for key in parents:
            holder = holder[int(key)] if key.isdigit() else holder[key]  # type: ignore[index]
        holder[int(last) if last.isdigit() else last] = value  # type: ignore[index]
    return record


AGENT_SIDE = {
    "arguments": {"steps.0.tool_calls.0.arguments": DEEP_LIST},
    "final-result": {"final_result": DEEP_OBJECT},
    "final-result-subset": {"final_result": DEEP_OBJECT, "task.outcome_match": "subset"},
}


@pytest.mark.parametrize("case", list(AGENT_SIDE))
def test_an_agent_that_wrote_deep_json_is_scored_not_a_crash(tmp_path: Path, case: str) -> None:
    path = write_jsonl(tmp_path / "runs.jsonl", [_run(**AGENT_SIDE[case])])
    score = runner.invoke(app, ["score", str(path), "-o", str(tmp_path / "r.json")])
    assert score.exit_code == 1, score.output  # scored as a failure, never exit 3
    [run] = orjson.loads((tmp_path / "r.json").read_bytes())["runs"]
    assert run["passed"] is False
    explain = runner.invoke(app, ["explain", str(path), "r1"])
    assert explain.exit_code == 0, explain.output
    assert runner.invoke(app, ["validate", str(path)]).exit_code == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"task.expected_calls.0.arguments": DEEP_LIST}, "task.expected_calls[0].arguments"),
        (
            {"task.success_criteria": [{"tool_called": {"name": "f", "arguments": DEEP_OBJECT}}]},
            "task.success_criteria[0].tool_called.arguments",
        ),
    ],
)
def test_a_task_that_expects_deep_json_is_refused_where_it_says_so(
    tmp_path: Path, changes: dict[str, Any], field: str
) -> None:
    path = write_jsonl(tmp_path / "runs.jsonl", [_run(**changes)])
    result = runner.invoke(app, ["validate", str(path)])
    assert (result.exit_code, result.output.splitlines()[-1]) == (
        2,
        f"{path}:1: {field}: a JSON string nested more than 100 lists or objects deep; "
        "flatten the value",
    )


def test_the_chat_importer_names_a_line_too_deep(tmp_path: Path) -> None:
    source = tmp_path / "chat.jsonl"  # written by hand: orjson refuses to write it
    source.write_text('{"messages": [{"role": "user", "content": "hi"}], "x": ' + DEEP_LIST + "}\n")
    result = runner.invoke(
        app, ["import", "openai-messages", str(source), "-o", str(tmp_path / "o.jsonl")]
    )
    assert (result.exit_code, result.output) == (
        2,
        f"error: {source}:1: nested more than 100 lists or objects deep; flatten the value\n",
    )


def test_an_expected_result_too_deep_to_compare_is_refused(tmp_path: Path) -> None:
    record = _run(**{"task.expected_result": "[" * 150 + '"37031"' + "]" * 150})
    path = write_jsonl(tmp_path / "runs.jsonl", [record])
    result = runner.invoke(app, ["validate", str(path)])
    assert (result.exit_code, result.output.splitlines()[-1]) == (
        2,
        f"{path}:1: task.expected_result: a JSON string nested more than 100 lists or objects "
        "deep; flatten the value",
    )


def test_the_depth_scan_stops_once_a_line_is_known_too_deep() -> None:
    line = b"[" * 1000 + b"]" * 1000
    assert nesting_depth(line) == 1000
    assert nesting_depth(line, MAX_DEPTH) == MAX_DEPTH + 1
