"""``langchain``: LangChain and LangGraph message lists, JSONL, one run per line.

A line is ``{"messages": [...]}``, as a LangGraph graph returns its state (``graph.invoke``,
a checkpoint's ``values``), plus, optionally, the run-record fields, task fields and
``task`` object that ``openai-messages`` reads. A message may be written in any of the
three shapes LangChain writes one in:

- the message's own fields (``message.model_dump()``): ``{"type": "ai", "content": ...,
  "tool_calls": [{"name", "args", "id"}], ...}``;
- ``messages_to_dict``: ``{"type": "ai", "data": {...the fields...}}``;
- ``dumpd``: ``{"lc": 1, "type": "constructor", "id": [..., "AIMessage"], "kwargs": {...}}``.

``human`` messages are user steps; each ``ai`` message is an agent step, its ``tool_calls``
(and ``invalid_tool_calls``, whose broken arguments are the agent's mistake, kept as
written) the step's calls, and its ``name`` the step's ``agent`` (LangGraph's multi-agent
graphs name each agent's messages so); a ``tool`` message is the result of the call it
answers by ``tool_call_id``, an error when its ``status`` is ``error`` or its output starts
with ``Error:``; ``system`` messages are kept as ``messages``. Tokens are summed from the
``ai`` messages' ``usage_metadata``.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from taskgate.errors import InputError, Problem
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
    text,
)
from taskgate.importers.detect import LANGCHAIN_TYPES, looks_like_langchain
from taskgate.importers.openai_messages import (
    conversation_record,
    import_lines,
    line_messages,
)

# The message class names dumpd writes, by the type their fields say.
_CLASSES = {
    "HumanMessage": "human",
    "HumanMessageChunk": "human",
    "AIMessage": "ai",
    "AIMessageChunk": "ai",
    "ToolMessage": "tool",
    "ToolMessageChunk": "tool",
    "FunctionMessage": "function",
    "SystemMessage": "system",
    "ChatMessage": "chat",
}
_TYPES = {
    "human": "user",
    "ai": "assistant",
    "AIMessageChunk": "assistant",
    "tool": "tool",
    "function": "tool",
    "system": "system",
}
_CHAT_ROLES = {"user": "user", "assistant": "assistant", "system": "system", "tool": "tool"}


def import_file(path: str, prefix: str) -> ImportResult:
    first = first_json_line(path)
    if isinstance(first, dict) and "run_type" in first:
        return _import_run_trees(path, prefix)
    return import_lines(path, prefix, _check_first, _record)


def _import_run_trees(path: str, prefix: str) -> ImportResult:
    """LangSmith runs, one a line: each root run (no ``parent_run_id``) is a run, read from
    the messages its outputs (else its inputs) hold, as a LangGraph graph's state has them."""
    roots = []
    for number, value in json_lines(path):
        if isinstance(value, BadLine):
            raise InputError([Problem(path, number, None, value.message)])
        if isinstance(value, dict) and value.get("parent_run_id") is None:
            roots.append((number, value))
    items = (
        (Where(path, number), partial(_root_record, root, prefix, number)) for number, root in roots
    )
    result = collect(items)
    if not roots:
        result.notes.append(f"{path}: the file holds no root runs; nothing imported")
    return result


def _root_record(root: dict[str, Any], prefix: str, number: int) -> dict[str, Any]:
    outputs, inputs = as_dict(root.get("outputs")), as_dict(root.get("inputs"))
    messages = as_list(outputs.get("messages")) or as_list(inputs.get("messages"))
    if not messages:
        raise Unmappable(
            "outputs.messages",
            "the root run holds no messages; trace the graph so its state (messages) is the "
            "root run's output",
        )
    metadata = as_dict(as_dict(root.get("extra")).get("metadata"))
    line: dict[str, Any] = {
        "run_id": str(root.get("id") or f"{prefix}:{number}"),
        "task_id": str(metadata.get("task_id") or f"{prefix}-{number}"),
        "messages": messages,
        "status": "error" if root.get("error") else "completed",
    }
    if isinstance(metadata.get("trial"), int):
        line["trial"] = metadata["trial"]
    return _record(line, prefix, number)


def _check_first(line: Any) -> None:
    messages = as_list(line.get("messages")) if isinstance(line, dict) else []
    if not messages:
        raise NotThisFormat("its first line is not an object with a 'messages' list")
    if not looks_like_langchain(messages[0]):
        raise NotThisFormat("its messages are not LangChain messages (no 'type' such as human)")


def _record(line: Any, prefix: str, number: int) -> dict[str, Any]:
    messages = line_messages(line)
    fields = [_fields(message, f"messages[{i}]") for i, message in enumerate(messages)]
    turns = [_turn(kind, data, f"messages[{i}]") for i, (kind, data) in enumerate(fields)]
    usage = [as_dict(data.get("usage_metadata")) for kind, data in fields if kind == "ai"]
    return conversation_record(line, prefix, number, turns, _summed(usage))


def _fields(message: Any, where: str) -> tuple[str, dict[str, Any]]:
    """The message's type and its fields, whichever of the three shapes it is written in."""
    if not isinstance(message, dict):
        raise Unmappable(where, "expected a message object with a 'type'")
    if message.get("lc") == 1:
        names = as_list(message.get("id"))
        kind = _CLASSES.get(names[-1]) if names and isinstance(names[-1], str) else None
        if kind is None:
            raise Unmappable(f"{where}.id", f"not a LangChain message class: {names!r}")
        return kind, as_dict(message.get("kwargs"))
    kind = message.get("type")
    if kind not in LANGCHAIN_TYPES:
        raise Unmappable(
            f"{where}.type", f"unknown message type {kind!r}; expected human, ai, tool or system"
        )
    data = message.get("data")
    return str(kind), data if isinstance(data, dict) else message


def _turn(kind: str, data: dict[str, Any], where: str) -> Turn:
    role = _CHAT_ROLES.get(str(data.get("role"))) if kind == "chat" else _TYPES[kind]
    if role is None:
        raise Unmappable(f"{where}.role", "a chat message with an unknown role; give its role")
    content = text(data.get("content"))
    if role == "assistant":
        speaker = data.get("name") if isinstance(data.get("name"), str) else None
        return Turn(role, content, _calls(data, where), speaker=speaker or None, where=where)
    if role == "tool":
        answers = call_id(data.get("tool_call_id"), f"{where}.tool_call_id")
        failed = True if data.get("status") == "error" else None
        return Turn(role, content, answers=answers, error=failed, where=where)
    return Turn(role, content, where=where)


def _calls(data: dict[str, Any], where: str) -> tuple[Call, ...]:
    made = [(spec, "tool_calls", i) for i, spec in enumerate(as_list(data.get("tool_calls")))]
    made += [
        (spec, "invalid_tool_calls", i)
        for i, spec in enumerate(as_list(data.get("invalid_tool_calls")))
    ]
    calls = []
    for spec, field, index in made:
        place = f"{where}.{field}[{index}]"
        call = as_dict(spec)
        name = call.get("name")
        if not isinstance(name, str) or not name:
            raise Unmappable(f"{place}.name", "a tool call without a name; add it")
        calls.append(Call(call_id(call.get("id"), f"{place}.id"), name, call.get("args")))
    return tuple(calls)


def _summed(usages: list[dict[str, Any]]) -> dict[str, Any]:
    found = [usage for usage in usages if usage]
    if not found:
        return {}
    return {
        "input_tokens": sum(_tokens(usage, "input_tokens") for usage in found),
        "output_tokens": sum(_tokens(usage, "output_tokens") for usage in found),
    }


def _tokens(usage: dict[str, Any], name: str) -> int:
    value = usage.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
