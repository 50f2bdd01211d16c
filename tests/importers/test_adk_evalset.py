"""adk-evalset: Google ADK eval sets become a tasks file, which score joins on task id."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

import taskgate
from taskgate.cli import app
from taskgate.errors import InputError
from taskgate.importers import import_task_files
from tests.importers.helpers import EVALSET, write_json

REFUND = {
    "task_id": "refund-1182",
    "description": "Refund order 1182.",
    "expected_result": "Refund of $20.50 issued for order 1182.",
    "expected_calls": [
        {"name": "get_order", "arguments": {"order_id": "1182"}},
        {"name": "issue_refund", "arguments": {"order_id": "1182", "amount": 20.5}},
    ],
    "call_order": "strict",
}
ADDRESS = {
    "task_id": "address-change",
    "description": "I moved.",
    "expected_result": "Your address is now 12 Rue Oberkampf, Paris.",
    # A case of two invocations: its calls belong to the turn that made them.
    "expected_calls": [
        {"name": "update_address", "arguments": {"address": "12 Rue Oberkampf, Paris"}, "turn": 2}
    ],
    "call_order": "strict",
}


def test_each_eval_case_is_a_task() -> None:
    found = import_task_files("adk-evalset", [str(EVALSET)])
    assert (found.tasks, found.problems, found.notes) == ([REFUND, ADDRESS], [], [])


def run(task_id: str, calls: list[dict[str, Any]], said: str) -> dict[str, Any]:
    steps: list[dict[str, Any]] = [{"role": "user", "message": "Refund order 1182."}]
    steps += [{"tool_calls": [{**call, "result": "ok"}]} for call in calls]
    steps.append({"message": said, "is_final": True})
    return {"run_id": f"{task_id}-r", "task_id": task_id, "steps": steps}


def test_the_tasks_file_judges_runs_through_score_tasks(tmp_path: Path) -> None:
    tasks = tmp_path / "tasks.jsonl"
    result = CliRunner().invoke(app, ["import", "adk-evalset", str(EVALSET), "-o", str(tasks)])
    assert (result.exit_code, result.output) == (
        0,
        f"wrote 2 tasks to {tasks}; score runs against them with: "
        f"taskgate score RUNS --tasks {tasks}\n",
    )
    assert [orjson.loads(line) for line in tasks.read_bytes().splitlines()] == [REFUND, ADDRESS]
    calls = [{"name": c["name"], "arguments": c["arguments"]} for c in REFUND["expected_calls"]]
    good = run("refund-1182", calls, "Refund of $20.50 issued for order 1182.")
    backwards = {**run("refund-1182", calls[::-1], "Refund issued."), "run_id": "r2"}
    report = taskgate.score_records([good, backwards], tasks=tasks)
    assert [(r.run_id, r.passed, r.failed_check) for r in report.runs] == [
        ("refund-1182-r", True, None),
        ("r2", False, "outcome"),
    ]


def test_cases_it_cannot_map_are_listed(tmp_path: Path) -> None:
    evalset = {
        "eval_set_id": "s",
        "eval_cases": [
            {"conversation": []},
            {"eval_id": "empty", "conversation": []},
            {"eval_id": "nameless", "conversation": [{"intermediate_data": {"tool_uses": [{}]}}]},
        ],
    }
    path = write_json(tmp_path / "bad.json", evalset)
    found = import_task_files("adk-evalset", [path])
    assert found.tasks == []
    assert [str(p) for p in found.problems] == [
        f"{path}: eval_cases[0].eval_id: an eval case without an eval_id; add it",
        f"{path}: eval_cases[1].conversation: an eval case without a conversation",
        f"{path}: eval_cases[2].conversation[0].intermediate_data.tool_uses[0].name: "
        "a tool use without a name; add it",
    ]


def test_a_task_id_in_two_eval_sets_is_refused(tmp_path: Path) -> None:
    copy = write_json(tmp_path / "copy.json", orjson.loads(EVALSET.read_bytes()))
    found = import_task_files("adk-evalset", [str(EVALSET), copy])
    assert [t["task_id"] for t in found.tasks] == ["refund-1182", "address-change"]
    assert [str(p) for p in found.problems] == [
        f"{copy}: task_id: task_id 'refund-1182' is already in {EVALSET}; make ids unique",
        f"{copy}: task_id: task_id 'address-change' is already in {EVALSET}; make ids unique",
    ]


def test_a_cohort_is_refused_and_the_file_is_named_where_runs_are_expected(
    tmp_path: Path,
) -> None:
    out = str(tmp_path / "t.jsonl")
    refused = CliRunner().invoke(
        app, ["import", "adk-evalset", str(EVALSET), "--cohort", "a=b", "-o", out]
    )
    assert refused.exit_code == 2
    with pytest.raises(InputError) as caught:
        taskgate.score(EVALSET)
    assert str(caught.value.problems[0]).endswith(
        "this is a Google ADK eval set (golden tasks, not runs): convert it to a tasks file, "
        f"then score runs against it: taskgate import adk-evalset {EVALSET} -o tasks.jsonl; "
        "taskgate score RUNS --tasks tasks.jsonl"
    )


def test_an_eval_set_given_as_the_tasks_file_is_named(tmp_path: Path) -> None:
    runs = tmp_path / "runs.jsonl"
    runs.write_bytes(orjson.dumps(run("refund-1182", [], "Done.")) + b"\n")
    advice = (
        f"{EVALSET}: this is a Google ADK eval set (golden tasks, not runs), not a tasks file; "
        f"convert it first: taskgate import adk-evalset {EVALSET} -o tasks.jsonl"
    )
    with pytest.raises(InputError) as caught:
        taskgate.score(runs, tasks=EVALSET)
    assert [str(p) for p in caught.value.problems] == [advice]
    for command in ("validate", "score"):
        result = CliRunner().invoke(app, [command, str(runs), "--tasks", str(EVALSET)])
        assert result.exit_code == 2
        assert " ".join(result.output.split()).startswith(f"error: {advice}")
