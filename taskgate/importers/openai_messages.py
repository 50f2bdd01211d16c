"""``openai-messages``: JSONL, one run per line, its ``messages`` in the chat-completions shape.

A line is ``{"messages": [...]}`` plus, optionally, any run-record field (``run_id``,
``task_id``, ``trial``, ``cohort``, ``labels``, ``usage``, ``status``, ...), a ``task``
object, task fields at the top level (``expected_result``, ``success_criteria``,
``expected_calls``, ...; the ``task`` object wins where both say something) and the
request's ``tools`` (their names become ``available_tools``).

- Without a ``run_id`` the run is ``<file stem>:<line>``; without a ``task_id`` the task is
  ``<file stem>-<line>``, so each such run is its own task. A line without any task field
  gets no ``task``, so ``taskgate score --tasks`` can join one; with some, the first user
  message fills in a missing description and the ``tools`` a missing ``available_tools``.
- Each assistant message is an agent step; its text is the step's ``message`` even beside
  tool calls (it is said to the user). A ``tool`` message is its call's ``result``, or its
  ``error`` when it says so (``error``, ``is_error: true``, ``status: "error"``, or output
  starting with ``Error:``). Each user message that says something is a user step,
  ``{"role": "user", "message": ...}``, in conversation order; system and developer
  messages are kept as ``messages``.
- The run ended normally, and the agent's last step is final, when the agent's last turn is
  a reply without tool calls and the line's ``status`` (if any) is ``completed``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from taskgate.errors import InputError, Problem
from taskgate.importers.chat import (
    Call,
    Turn,
    agent_answered,
    call_id,
    final_text,
    summed_usage,
    to_steps,
)
from taskgate.importers.common import (
    BadLine,
    ImportResult,
    NotThisFormat,
    Unmappable,
    Where,
    as_dict,
    as_list,
    collect,
    json_lines,
    text,
)
from taskgate.importers.detect import looks_like_langchain
from taskgate.model.jsondepth import TOO_DEEP
from taskgate.model.record import Task

TASK_FIELDS = frozenset(Task.model_fields)
_NOT_KEPT = TASK_FIELDS | {"messages", "task", "tools"}
_KEPT_ROLES = {"system": "system", "developer": "system", "user": "user"}
_USAGE_NAMES = {
    "prompt_tokens": "input_tokens",
    "completion_tokens": "output_tokens",
    "cost": "cost_usd",
}


def import_file(path: str, prefix: str) -> ImportResult:
    return import_lines(path, prefix, _check_first, _record)


def import_lines(
    path: str,
    prefix: str,
    check_first: Callable[[Any], None],
    record: Callable[[Any, str, int], dict[str, Any]],
) -> ImportResult:
    """A JSONL file of one run per line, each made a record by ``record(line, prefix,
    number)``; ``check_first`` raises NotThisFormat when the first line is not the format's."""
    result = collect(_items(path, prefix, check_first, record))
    if not result.records and not result.problems:
        result.notes.append(f"{path}: the file holds no runs; nothing imported")
    return result


def _items(
    path: str,
    prefix: str,
    check_first: Callable[[Any], None],
    record: Callable[[Any, str, int], dict[str, Any]],
) -> Iterator[tuple[Where, Callable[[], dict[str, Any]]]]:
    first = True
    for number, line in json_lines(path):
        if first and isinstance(line, BadLine) and line.message == TOO_DEEP:
            raise InputError([Problem(path, number, None, line.message)])  # JSON, but too deep
        if first:
            check_first(line)
        first = False
        yield Where(path, number), partial(record, line, prefix, number)


def _check_first(line: Any) -> None:
    if not (isinstance(line, dict) and "messages" in line):
        raise NotThisFormat("its first line is not an object with a 'messages' list")
    if _langchain_messages(line):
        raise NotThisFormat("its messages are LangChain messages (a 'type', not a 'role')")


def _langchain_messages(line: dict[str, Any]) -> bool:
    messages = as_list(line.get("messages"))
    return bool(messages) and looks_like_langchain(messages[0])


def _record(line: Any, prefix: str, number: int) -> dict[str, Any]:
    messages = line_messages(line)
    turns = [chat_turn(message, f"messages[{i}]") for i, message in enumerate(messages)]
    replies = [m for m in messages if isinstance(m, dict) and m.get("role") == "assistant"]
    return conversation_record(line, prefix, number, turns, summed_usage(replies))


def line_messages(line: Any) -> list[Any]:
    """The line's ``messages``; Unmappable when the line has none to read."""
    if isinstance(line, BadLine):
        raise Unmappable(None, line.message)
    if not isinstance(line, dict):
        raise Unmappable(None, "expected a JSON object with a 'messages' list")
    messages = line.get("messages")
    if not isinstance(messages, list) or not messages:
        raise Unmappable("messages", "no chat messages; give the run's messages as a list")
    return messages


def conversation_record(
    line: dict[str, Any], prefix: str, number: int, turns: list[Turn], usage: dict[str, Any]
) -> dict[str, Any]:
    """The run record of one line of a message-based format, given its messages as turns and
    the usage they report (the line's own ``usage`` wins)."""
    record = {key: value for key, value in line.items() if key not in _NOT_KEPT}
    record["run_id"] = str(line.get("run_id") or f"{prefix}:{number}")
    record["task_id"] = str(line.get("task_id") or f"{prefix}-{number}")
    ended = record.get("status", "completed") == "completed" and agent_answered(turns)
    talk = to_steps(turns, ended and not record.get("step_budget_exceeded"))
    record.update(steps=talk.steps, messages=talk.messages or None)
    if record.get("final_result") is None:
        record["final_result"] = final_text(talk)
    record["usage"] = _usage(line.get("usage")) or usage
    task = _task(line, turns)
    if task:
        record["task"] = task
    return record


def chat_turn(message: Any, where: str) -> Turn:
    if not isinstance(message, dict) or not isinstance(message.get("role"), str):
        raise Unmappable(where, "expected a message object with a 'role'")
    role = message["role"]
    content = text(message.get("content"))
    if role in _KEPT_ROLES:
        return Turn(_KEPT_ROLES[role], content, where=where)
    if role == "assistant":
        return Turn("assistant", content, _calls(message, where), where=where)
    if role in ("tool", "function"):
        answers = call_id(message.get("tool_call_id"), f"{where}.tool_call_id")
        return Turn("tool", content, answers=answers, error=_flag(message), where=where)
    raise Unmappable(
        f"{where}.role", f"unknown role {role!r}; expected system, user, assistant or tool"
    )


def _calls(message: dict[str, Any], where: str) -> tuple[Call, ...]:
    calls = [
        _call(as_dict(spec.get("function")), spec.get("id"), f"{where}.tool_calls[{i}]")
        for i, spec in enumerate(as_dict(raw) for raw in as_list(message.get("tool_calls")))
    ]
    legacy = message.get("function_call")
    if isinstance(legacy, dict):
        calls.append(_call(legacy, None, f"{where}.function_call"))
    return tuple(calls)


def _call(function: dict[str, Any], raw_id: Any, where: str) -> Call:
    name = function.get("name")
    if not isinstance(name, str) or not name:
        field = f"{where}.name" if where.endswith("function_call") else f"{where}.function.name"
        raise Unmappable(field, "a tool call without a function name; add it")
    return Call(call_id(raw_id, f"{where}.id"), name, function.get("arguments"))


def _flag(message: dict[str, Any]) -> Any:
    """An explicit error on a tool message: ``error``, ``is_error`` or ``status: error``."""
    if message.get("error") not in (None, False, ""):
        return message["error"]
    if message.get("is_error") is True or message.get("status") == "error":
        return True
    return False if "error" in message or "is_error" in message else None


def _usage(value: Any) -> dict[str, Any]:
    usage = as_dict(value)
    return {
        _USAGE_NAMES.get(key, key): item for key, item in usage.items() if key != "total_tokens"
    }


def _task(line: dict[str, Any], turns: list[Turn]) -> dict[str, Any]:
    """The task fields the line carries, gaps filled from the request; {} when it has none,
    so that ``--tasks`` can still supply the task."""
    if line.get("task") is not None and not isinstance(line["task"], dict):
        raise Unmappable("task", "expected an object with the task's fields")
    task = {key: value for key, value in line.items() if key in TASK_FIELDS}
    task.update(line.get("task") or {})
    if not task:
        return task
    tools = [_tool_name(tool) for tool in as_list(line.get("tools"))]
    if "available_tools" not in task and tools and all(tools):
        task["available_tools"] = tools
    asked = [turn.content for turn in turns if turn.role == "user" and turn.content]
    if "description" not in task and asked:
        task["description"] = asked[0]
    return task


def _tool_name(tool: Any) -> str | None:
    spec = as_dict(tool)
    name = as_dict(spec.get("function")).get("name", spec.get("name"))
    return name if isinstance(name, str) and name else None
