"""``openai-agents``: OpenAI Agents SDK runs and Responses API items, JSONL, one run per line.

A line is ``{"items": [...]}`` (what the SDK's ``result.to_input_list()`` returns: the input
and every item the run produced), or ``{"input": [...], "output": [...]}`` (a Responses API
request's input and its response's output), plus, optionally, the run-record fields, task
fields and ``task`` object that ``openai-messages`` reads. The items:

- ``message`` (or a bare ``{"role", "content"}``): a ``user`` one is a user step, ``system``
  and ``developer`` ones are kept as messages, an ``assistant`` one is what the agent said;
- ``function_call`` (``call_id``, ``name``, ``arguments`` as a JSON string) is a call;
  ``function_call_output`` (``call_id``, ``output``) its result, an error when the output
  starts with ``Error:``;
- ``reasoning`` items' summaries are the step's thought.

The agent's items between two results or user turns (its reasoning, text and parallel calls)
are one step. Other item types (web and file search, computer use) are kept as messages.
Tokens come from the line's ``usage`` (``input_tokens``, ``output_tokens``).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from taskgate.errors import InputError, Problem
from taskgate.importers.agents_trace import is_trace_object, trace_record, traces, without_content
from taskgate.importers.chat import Call, Turn, call_id
from taskgate.importers.common import (
    BadLine,
    ImportResult,
    NotThisFormat,
    Unmappable,
    Where,
    as_dict,
    as_list,
    collect,
    first_json_line,
    json_lines,
    load_json,
    text,
)
from taskgate.importers.openai_messages import conversation_record, import_lines

_KEPT_ROLES = {"system": "system", "developer": "system", "user": "user"}
_AGENT_ITEMS = frozenset({"function_call", "reasoning"})


def import_file(path: str, prefix: str) -> ImportResult:
    exported = _trace_objects(path)
    if exported is None:
        return import_lines(path, prefix, _check_first, _record)
    found = traces(exported)
    items = (
        (Where(path, None, f"traces[{trace.trace_id}]"), partial(trace_record, trace, prefix))
        for trace in found
    )
    result = collect(items)
    result.notes.extend(
        [
            f"{path}: trace {trace.trace_id} records its model calls as response spans, which hold "
            "no messages: its steps have no text; write the run's items (to_input_list) for them"
            for trace in found
            if without_content(trace)
        ]
    )
    if not found:
        result.notes.append(f"{path}: the file holds no traces; nothing imported")
    return result


def _trace_objects(path: str) -> list[dict[str, Any]] | None:
    """The trace export's objects, when the file is one (a JSON list, or one a line)."""
    first = first_json_line(path)
    if is_trace_object(first):
        values = []
        for number, value in json_lines(path):
            if isinstance(value, BadLine):
                raise InputError([Problem(path, number, None, value.message)])
            values.append(value)
        return [v for v in values if is_trace_object(v)]
    if first is not None:
        return None
    try:
        whole = load_json(path)
    except NotThisFormat:
        return None
    if isinstance(whole, list) and whole and is_trace_object(whole[0]):
        return [v for v in whole if is_trace_object(v)]
    return None


def run_items(line: Any) -> list[Any] | None:
    """The line's items, in order; None when it has none."""
    if not isinstance(line, dict):
        return None
    if isinstance(line.get("items"), list):
        return list(line["items"])
    if isinstance(line.get("input"), list) or isinstance(line.get("output"), list):
        return [*as_list(line.get("input")), *as_list(line.get("output"))]
    return None


def _check_first(line: Any) -> None:
    if not run_items(line):
        raise NotThisFormat("its first line is not an object with an 'items' list")


def _record(line: Any, prefix: str, number: int) -> dict[str, Any]:
    if not isinstance(line, dict):
        raise Unmappable(None, "expected a JSON object with an 'items' list")
    items = run_items(line)
    if not items:
        raise Unmappable("items", "no items; give the run's items as a list")
    field = "items" if isinstance(line.get("items"), list) else "input+output"
    turns = list(_turns(items, field))
    rest = {key: value for key, value in line.items() if key not in ("items", "input", "output")}
    return conversation_record(rest, prefix, number, turns, {})


def _turns(items: list[Any], field: str) -> Iterator[Turn]:
    said: list[str] = []
    thought: list[str] = []
    calls: list[Call] = []
    start = ""

    def agent_turn() -> Turn | None:
        if not (said or thought or calls):
            return None
        turn = Turn(
            "assistant",
            "\n".join(said) or None,
            tuple(calls),
            thought="\n".join(thought) or None,
            where=start,
        )
        said.clear()
        thought.clear()
        calls.clear()
        return turn

    for index, raw in enumerate(items):
        where = f"{field}[{index}]"
        item = as_dict(raw)
        if not item:
            raise Unmappable(where, "expected an item object with a 'type' or a 'role'")
        kind = item.get("type", "message" if "role" in item else None)
        role = item.get("role")
        agent_item = kind in _AGENT_ITEMS or (kind == "message" and role == "assistant")
        if agent_item and not (said or thought or calls):
            start = where
        if kind == "function_call":
            calls.append(_call(item, where))
        elif kind == "reasoning":
            thought += _summaries(item)
        elif kind == "message" and role == "assistant":
            content = text(item.get("content"))
            if content:
                said.append(content)
        else:
            pending = agent_turn()
            if pending is not None:
                yield pending
            yield _other(item, kind, role, where)
    pending = agent_turn()
    if pending is not None:
        yield pending


def _summaries(item: dict[str, Any]) -> list[str]:
    parts = (text(as_dict(part).get("text")) for part in as_list(item.get("summary")))
    return [part for part in parts if part]


def _call(item: dict[str, Any], where: str) -> Call:
    name = item.get("name")
    if not isinstance(name, str) or not name:
        raise Unmappable(f"{where}.name", "a function_call without a name; add it")
    return Call(call_id(item.get("call_id"), f"{where}.call_id"), name, item.get("arguments"))


def _other(item: dict[str, Any], kind: Any, role: Any, where: str) -> Turn:
    if kind == "function_call_output":
        answers = call_id(item.get("call_id"), f"{where}.call_id")
        return Turn("tool", text(item.get("output")), answers=answers, where=where)
    if kind == "message":
        if role not in _KEPT_ROLES:
            expected = "expected user, system, developer or assistant"
            raise Unmappable(f"{where}.role", f"unknown role {role!r}; {expected}")
        return Turn(_KEPT_ROLES[role], text(item.get("content")), where=where)
    if not isinstance(kind, str):
        raise Unmappable(where, "expected an item object with a 'type' or a 'role'")
    return Turn("item", None, keep={"type": kind}, where=where)
