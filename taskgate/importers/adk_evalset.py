"""``adk-evalset``: Google ADK eval sets, as a tasks file for ``taskgate score --tasks``.

An eval set (``{"eval_set_id", "eval_cases": [...]}``, JSON) holds golden expectations, not
runs. Each eval case becomes one task, its ``eval_id`` the task id:

- ``expected_result``: the ``final_response`` text of the case's last invocation;
- ``expected_calls``: every invocation's ``intermediate_data.tool_uses`` (``name``,
  ``args``), in order, with the invocation they belong to as their ``turn`` when the case has
  several; ``call_order: strict``, as ADK's tool trajectory check compares them in order;
- ``description``: the first invocation's ``user_content`` text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from taskgate.errors import Problem
from taskgate.importers.common import NotThisFormat, Where, as_dict, as_list, load_json
from taskgate.model.messages import describe, field_path
from taskgate.model.record import Task


@dataclass
class TaskImport:
    """The tasks of one import, and what could not be mapped."""

    tasks: list[dict[str, Any]]
    """Each ``{"task_id": ..., task fields}``, as a tasks file holds them."""
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def is_evalset(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("eval_cases"), list)


def import_tasks(path: str) -> TaskImport:
    evalset = load_json(path)
    if not is_evalset(evalset):
        raise NotThisFormat("expected an ADK eval set: a JSON object with 'eval_cases'")
    found = TaskImport([])
    for index, case in enumerate(evalset["eval_cases"]):
        where = Where(path, None, f"eval_cases[{index}]")
        task, problems = _task(as_dict(case), where)
        found.problems += problems
        if task is not None:
            found.tasks.append(task)
    if not evalset["eval_cases"]:
        found.notes.append(f"{path}: the eval set holds no eval cases; nothing imported")
    return found


def _task(case: dict[str, Any], where: Where) -> tuple[dict[str, Any] | None, list[Problem]]:
    task_id = case.get("eval_id")
    if not isinstance(task_id, str) or not task_id:
        return None, [where.problem("an eval case without an eval_id; add it", "eval_id")]
    invocations = [as_dict(item) for item in as_list(case.get("conversation"))]
    if not invocations:
        return None, [where.problem("an eval case without a conversation", "conversation")]
    for turn, invocation in enumerate(invocations):
        for number, use in enumerate(_tool_uses(invocation)):
            if not isinstance(use.get("name"), str) or not use["name"]:
                place = f"conversation[{turn}].intermediate_data.tool_uses[{number}].name"
                return None, [where.problem("a tool use without a name; add it", place)]
    several = len(invocations) > 1
    calls = [
        {**_call(use), **({"turn": turn} if several else {})}
        for turn, invocation in enumerate(invocations, 1)
        for use in _tool_uses(invocation)
    ]
    fields: dict[str, Any] = {
        "description": _text(invocations[0].get("user_content")),
        "expected_result": _text(invocations[-1].get("final_response")),
        "expected_calls": calls,
    }
    if calls:
        fields["call_order"] = "strict"
    fields = {key: value for key, value in fields.items() if value not in (None, [])}
    try:
        Task.model_validate(fields)
    except ValidationError as exc:
        return None, [
            where.problem(describe(error), field_path(error["loc"]))
            for error in exc.errors(include_url=False)
        ]
    return {"task_id": task_id, **fields}, []


def _tool_uses(invocation: dict[str, Any]) -> list[dict[str, Any]]:
    uses = as_list(as_dict(invocation.get("intermediate_data")).get("tool_uses"))
    return [as_dict(use) for use in uses]


def _call(use: dict[str, Any]) -> dict[str, Any]:
    return {"name": use.get("name"), "arguments": use.get("args")}


def _text(content: Any) -> str | None:
    """The text parts of an ADK ``Content`` (``{"parts": [{"text": ...}], "role": ...}``)."""
    parts = [as_dict(part).get("text") for part in as_list(as_dict(content).get("parts"))]
    said = "\n".join(part for part in parts if isinstance(part, str) and part)
    return said or None
