"""Other tools' field names: an input error when they stand in for an empty taskgate field,
a validate warning otherwise; never a gate failure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from taskgate.api import score
from taskgate.cli import app
from taskgate.errors import InputError, Problem
from taskgate.model.record import RunRecord, Task
from taskgate.read.aliases import ALIASES, TASK_ALIASES, alias_errors, alias_warnings
from tests.conftest import write_jsonl

runner = CliRunner()
FINAL = [{"message": "Order 7 cancelled", "is_final": True}]


def record(**fields: Any) -> RunRecord:
    return RunRecord.model_validate({"run_id": "r1", "task_id": "t1", **fields})


def test_a_deepeval_shaped_record_is_an_input_error_in_score_not_a_gate_failure(
    tmp_path: Path,
) -> None:
    line = {
        "run_id": "r1",
        "task_id": "t1",
        "output": "Order 7 cancelled",
        "expected_output": "Order 7 cancelled",
        "tools_called": [{"name": "cancel_order"}],
    }
    path = write_jsonl(tmp_path / "runs.jsonl", [line])
    with pytest.raises(InputError) as caught:
        score(path)
    assert caught.value.problems == [
        Problem(
            str(path),
            1,
            "output",
            "`output` is another tool's name for `final_result`, which this record leaves "
            "empty; put the value in `final_result` (taskgate ignores `output`)",
        ),
        Problem(
            str(path),
            1,
            "expected_output",
            "`expected_output` is another tool's name for `task.expected_result`, which this "
            "record leaves empty; put the value in `task.expected_result` (taskgate ignores "
            "`expected_output`)",
        ),
        Problem(
            str(path),
            1,
            "tools_called",
            "`tools_called` is another tool's name for `steps[].tool_calls`, which this record "
            "leaves empty; put the value in `steps[].tool_calls` (taskgate ignores "
            "`tools_called`)",
        ),
    ]


def test_validate_refuses_it_too_with_exit_2(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "runs.jsonl", [{"run_id": "r", "task_id": "t", "output": "x"}])
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert f"{path}:1: output: `output` is another tool's name for `final_result`" in result.output


def test_id_instead_of_run_id_is_named(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "runs.jsonl", [{"id": "r1", "task_id": "t1", "steps": FINAL}])
    with pytest.raises(InputError) as caught:
        score(path)
    assert caught.value.problems == [
        Problem(
            str(path),
            1,
            "run_id",
            "required field is missing; the record has `id`, another tool's name for it; "
            "rename `id` to `run_id`",
        )
    ]


def test_an_alias_beside_its_target_is_only_a_warning() -> None:
    run = record(
        id="r1",
        output="x",
        final_result="x",
        input="cancel order 7",
        task={"expected_result": "x", "expected_output": "x"},
    )
    assert alias_errors("f", 3, run) == []
    assert [(p.field, p.message) for p in alias_warnings("f", 3, run)] == [
        ("id", "`id` is another tool's name for `run_id`, which taskgate reads; `id` is ignored"),
        (
            "output",
            "`output` is another tool's name for `final_result`, which taskgate reads; "
            "`output` is ignored",
        ),
        (
            "input",
            "`input` is another tool's name for `task.description`, which taskgate reads; "
            "`input` is ignored",
        ),
        (
            "task.expected_output",
            "`task.expected_output` is another tool's name for `task.expected_result`, which "
            "taskgate reads; `task.expected_output` is ignored",
        ),
    ]


def test_an_alias_inside_the_task_with_no_expected_result_is_an_error() -> None:
    run = record(steps=FINAL, task={"expected_output": "Order 7 cancelled"})
    assert [p.field for p in alias_errors("f", 1, run)] == ["task.expected_output"]


def test_calls_in_the_steps_satisfy_tools_called() -> None:
    steps = [{"tool_calls": [{"name": "cancel_order"}]}, *FINAL]
    assert alias_errors("f", 1, record(steps=steps, tools_called=["cancel_order"])) == []


def test_near_misses_of_taskgate_names_are_warned_not_refused() -> None:
    run = record(final_reslt="x", task={"expected_reslt": "x"}, notes="free text")
    assert alias_errors("f", 1, run) == []
    assert [(p.field, p.message) for p in alias_warnings("f", 1, run)] == [
        ("final_reslt", "unknown field, ignored; did you mean `final_result`?"),
        ("task.expected_reslt", "unknown field, ignored; did you mean `task.expected_result`?"),
    ]


def test_a_plain_taskgate_record_has_no_alias_findings() -> None:
    run = record(steps=FINAL, final_result="x", task={"expected_result": "x"})
    assert alias_errors("f", 1, run) == alias_warnings("f", 1, run) == []


def test_no_alias_is_a_taskgate_field() -> None:
    assert sorted(set(ALIASES) & set(RunRecord.model_fields)) == []
    assert sorted(set(TASK_ALIASES) & set(Task.model_fields)) == []


def test_an_empty_alias_moves_nothing_and_is_no_error() -> None:
    run = record(steps=FINAL, tools_called=[], output="")
    assert alias_errors("f", 1, run) == []


def test_an_alias_in_a_tasks_file_is_reported_once_at_its_line(tmp_path: Path) -> None:
    tasks = tmp_path / "tasks.jsonl"
    tasks.write_text('{"task_id": "t1", "expected_output": "x"}\n')
    runs = write_jsonl(
        tmp_path / "runs.jsonl", [{"run_id": f"r{i}", "task_id": "t1"} for i in range(3)]
    )
    with pytest.raises(InputError) as caught:
        score(runs, tasks=tasks)
    assert caught.value.problems == [
        Problem(
            str(tasks),
            1,
            "expected_output",
            "`expected_output` is another tool's name for `expected_result`, which this task "
            "leaves empty; put the value in `expected_result` (taskgate ignores "
            "`expected_output`)",
        )
    ]


def test_a_tasks_file_task_is_not_checked_again_on_each_run(tmp_path: Path) -> None:
    tasks = tmp_path / "tasks.jsonl"
    tasks.write_text('{"task_id": "t1", "expected_result": "x", "expected_output": "x"}\n')
    runs = write_jsonl(tmp_path / "runs.jsonl", [{"run_id": "r1", "task_id": "t1", "steps": FINAL}])
    assert score(runs, tasks=tasks).dataset.runs == 1
