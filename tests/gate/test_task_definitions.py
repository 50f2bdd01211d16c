"""Runs of one task_id that state different tasks are said, in validate and in score."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from taskgate.api import score
from taskgate.cli import app
from taskgate.config.model import Config
from taskgate.gate.task_rules import differing_definitions
from taskgate.model.record import Task, task_digest
from tests.conftest import make_result, write_jsonl

runner = CliRunner()


def _run(i: int, task_id: str, expected: str) -> dict[str, Any]:
    return {
        "run_id": f"r{i}",
        "task_id": task_id,
        "trial": i,
        "task": {"description": "d", "expected_result": expected},
        "steps": [{"message": expected, "is_final": True}],
        "final_result": expected,
    }


def test_the_digest_follows_the_definition_not_the_object() -> None:
    one = Task.model_validate({"description": "d", "expected_result": "x"})
    same = Task.model_validate({"expected_result": "x", "description": "d"})
    other = Task.model_validate({"description": "d", "expected_result": "y"})
    assert task_digest(one) == task_digest(same) != task_digest(other)
    assert task_digest(None) is None


def test_differing_definitions_name_the_first_run_of_each() -> None:
    runs = [
        make_result("a", "t1", task_digest="1"),
        make_result("b", "t1", task_digest="1"),
        make_result("c", "t1", task_digest="2"),
        make_result("d", "t2", task_digest="3"),
        make_result("e", "t3", task_digest=None),  # its task from --tasks: one definition
    ]
    assert differing_definitions(runs) == {"t1": ["a", "c"]}


def test_score_warns_and_validate_names_the_line(tmp_path: Path) -> None:
    records = [_run(i, "t1", "x" if i < 3 else "y") for i in range(6)]
    records += [_run(10 + i, "t2", "z") for i in range(3)]
    path = write_jsonl(tmp_path / "runs.jsonl", records)
    report = score(path)
    [found] = [f for f in report.verdict.findings if f.rule == "task_definitions"]
    assert (found.level, found.observed, found.message) == (
        "warn",
        1,
        "1 task id has runs that state different tasks, pooled as trials of one: t1 (r0, r3); "
        "give each definition its own task_id, or the same task to every trial",
    )
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == (
        f"warning: {path}:4: task: task 't1' is stated differently here than on line 1 "
        "(2 definitions, first on lines 1, 4); score pools them as trials of one task: give "
        "each its own task_id"
    )
    failing = Config.model_validate({"gate": {"task_definitions": {"level": "fail"}}})
    assert score(path, config=failing).verdict.exit_code == 1


def test_the_digest_is_not_written_to_reports(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "runs.jsonl", [_run(0, "t1", "x")])
    out = tmp_path / "report.json"
    runner.invoke(app, ["score", str(path), "-o", str(out)])
    assert "task_digest" not in out.read_text()


def test_arguments_written_in_another_key_order_state_the_same_task() -> None:
    one = Task.model_validate(
        {"expected_calls": [{"name": "ship", "arguments": {"order_id": "1", "carrier": "x"}}]}
    )
    other = Task.model_validate(
        {"expected_calls": [{"name": "ship", "arguments": {"carrier": "x", "order_id": "1"}}]}
    )
    assert task_digest(one) == task_digest(other)


def test_a_null_and_a_missing_key_state_the_same_task() -> None:
    stated = Task.model_validate({"description": "d", "expected_result": None})
    assert task_digest(stated) == task_digest(Task.model_validate({"description": "d"}))
