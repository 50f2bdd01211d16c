"""``claude-agent``: Claude Agent SDK and Claude Code ``stream-json`` output.

The input is what ``claude -p ... --output-format stream-json --verbose`` prints, or the SDK's
messages written one per line: JSON objects with a ``type`` (``system``, ``assistant``,
``user``, ``result``) and a ``session_id``. Each session is a run, in the order the file
first names it; its task is the file's stem (a file per golden task, its sessions the task's
trials, numbered from 0 when there are several), so ``--tasks`` can join the task.

- An ``assistant`` message is an agent step: its ``text`` blocks the step's message, its
  ``thinking`` blocks its thought, its ``tool_use`` blocks its calls. Messages streamed in
  parts (the same ``message.id`` on consecutive lines) are one step.
- A ``user`` message's ``tool_result`` blocks are the results of the calls they answer by
  ``tool_use_id``, errors when ``is_error`` is true; its text is a user step.
- Sub-agents: a message with a ``parent_tool_use_id`` belongs to the sub-agent that call
  started; its steps stay in the run, in order, with the sub-agent's ``subagent_type`` (or
  ``subagent``) as their ``agent``, and the prompt it was given kept as a message.
- The ``result`` message ends the run: ``success`` is a completed run whose ``result`` is
  the final result; ``error_max_turns`` ran out of turns (``step_budget_exceeded``, no final
  step); ``error_during_execution`` and the other ``error_*`` subtypes are an error, as is
  ``is_error: true`` on a ``success`` (the model's API failed: ``error_kind``
  ``infrastructure``). Its ``total_cost_usd`` and ``usage`` are the run's (input tokens
  count the cache reads and writes too); ``num_turns``, ``duration_ms`` and ``subtype`` are
  kept under ``claude_result``. A session without a ``result`` never finished.
- ``system`` ``init`` gives the ``model``, which becomes a cohort.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from taskgate.errors import InputError, Problem
from taskgate.importers.chat import Call, Turn, to_steps
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
    label,
    text,
)
from taskgate.importers.detect import CLAUDE_TYPES
from taskgate.model.jsondepth import TOO_DEEP

_ERROR_STATUS = "error"
_INPUT_TOKENS = ("input_tokens", "cache_read_input_tokens", "cache_creation_input_tokens")
_SUBAGENT_TOOLS = ("Task", "Agent")


@dataclass
class Session:
    """The events of one session, in file order."""

    session_id: str | None
    first_line: int
    events: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


def import_file(path: str, prefix: str) -> ImportResult:
    sessions = _sessions(path)
    stem = Path(prefix).name
    numbered = len(sessions) > 1
    items = (
        (Where(path, session.first_line), partial(_record, session, stem, index, numbered))
        for index, session in enumerate(sessions)
    )
    result = collect(items)
    if not sessions:
        result.notes.append(f"{path}: the file holds no sessions; nothing imported")
    return result


def _sessions(path: str) -> list[Session]:
    sessions: dict[str | None, Session] = {}
    current: Session | None = None
    for number, value in json_lines(path):
        if isinstance(value, BadLine):
            if current is None and value.message != TOO_DEEP:
                raise NotThisFormat("its first line is not JSON")
            # A line lost would change its session's steps: refused, never skipped.
            raise InputError([Problem(path, number, None, value.message)])
        if current is None and not _is_event(value):
            raise NotThisFormat(
                "its first line is not a Claude stream-json message (a 'type' such as "
                "system or assistant, and a 'session_id')"
            )
        if not isinstance(value, dict) or value.get("type") == "stream_event":
            continue  # partial-message events repeat what the whole messages say
        key = value.get("session_id") if isinstance(value.get("session_id"), str) else None
        if key is None and current is not None:
            key = current.session_id
        current = sessions.setdefault(key, Session(key, number))
        current.events.append((number, value))
    return list(sessions.values())


def _is_event(value: Any) -> bool:
    return isinstance(value, dict) and value.get("type") in CLAUDE_TYPES and "session_id" in value


def _record(session: Session, stem: str, index: int, numbered: bool) -> dict[str, Any]:
    turns = list(_turns(session))
    result = next((e for _, e in reversed(session.events) if e.get("type") == "result"), None)
    ending = _ending(result)
    talk = to_steps(turns, ending["status"] == "completed" and not ending["step_budget_exceeded"])
    record: dict[str, Any] = {
        "run_id": session.session_id or f"{stem}:{session.first_line}",
        "task_id": stem,
        "steps": talk.steps,
        "messages": talk.messages or None,
        **ending,
    }
    if numbered:
        record["trial"] = index
    said = text(as_dict(result).get("result")) if ending["status"] == "completed" else None
    record["final_result"] = said if said else _top_level_text(talk.steps)
    model = label(next((e.get("model") for _, e in session.events if _is_init(e)), None))
    record["cohort"] = {"model": model} if model else {}
    record["usage"] = _usage(as_dict(result))
    if result is not None:
        record["claude_result"] = {
            key: result[key] for key in ("subtype", "num_turns", "duration_ms") if key in result
        }
    return record


def _top_level_text(steps: list[dict[str, Any]]) -> str | None:
    """What the top-level agent said last: a sub-agent's word is not the run's result."""
    said = [s.get("message") for s in steps if s.get("role") != "user" and "agent" not in s]
    return next((text for text in reversed(said) if text), None)


def _is_init(event: dict[str, Any]) -> bool:
    return event.get("type") == "system" and event.get("subtype") == "init"


def _ending(result: dict[str, Any] | None) -> dict[str, Any]:
    """status, error_kind and step_budget_exceeded from the result message."""
    if result is None:
        return {"status": _ERROR_STATUS, "error_kind": None, "step_budget_exceeded": False}
    subtype = result.get("subtype")
    if subtype == "error_max_turns":
        return {"status": "completed", "error_kind": None, "step_budget_exceeded": True}
    if subtype != "success":
        return {"status": _ERROR_STATUS, "error_kind": None, "step_budget_exceeded": False}
    if result.get("is_error") is True:  # the model's API failed: nothing the agent did
        return {
            "status": _ERROR_STATUS,
            "error_kind": "infrastructure",
            "step_budget_exceeded": False,
        }
    return {"status": "completed", "error_kind": None, "step_budget_exceeded": False}


def _turns(session: Session) -> Iterator[Turn]:
    agents: dict[str, str] = {}  # a sub-agent's tool_use id -> its name
    previous_id: str | None = None
    pending: Turn | None = None
    for number, event in session.events:
        where = f"message at line {number}"
        kind = event.get("type")
        message = as_dict(event.get("message"))
        parent = event.get("parent_tool_use_id")
        speaker = agents.get(parent, "subagent") if isinstance(parent, str) else None
        if kind == "assistant":
            turn = _assistant(message, speaker, where)
            agents.update(_subagents(turn))
            same = message.get("id") is not None and message.get("id") == previous_id
            if pending is not None and same:
                pending = _merged(pending, turn)
                continue
            if pending is not None:
                yield pending
            pending, previous_id = turn, message.get("id")
            continue
        if kind != "user":
            continue
        if pending is not None:
            yield pending
            pending, previous_id = None, None
        yield from _user(message, parent, where)
    if pending is not None:
        yield pending


def _assistant(message: dict[str, Any], speaker: str | None, where: str) -> Turn:
    blocks = _blocks(message.get("content"))
    calls = tuple(_call(b, where) for b in blocks if b.get("type") == "tool_use")
    said, thought = _texts(blocks, "text", "text"), _texts(blocks, "thinking", "thinking")
    return Turn(
        "assistant", said or None, calls, speaker=speaker, thought=thought or None, where=where
    )


def _texts(blocks: list[dict[str, Any]], kind: str, key: str) -> str:
    """The ``key`` texts of the blocks of type ``kind``, one a line."""
    return "\n".join(
        b[key] for b in blocks if b.get("type") == kind and isinstance(b.get(key), str)
    )


def _merged(first: Turn, then: Turn) -> Turn:
    said = "\n".join(t for t in (first.content, then.content) if t)
    thought = "\n".join(t for t in (first.thought, then.thought) if t)
    calls = first.calls + then.calls
    return Turn(
        "assistant",
        said or None,
        calls,
        speaker=first.speaker,
        thought=thought or None,
        where=first.where,
    )


def _call(block: dict[str, Any], where: str) -> Call:
    name = block.get("name")
    if not isinstance(name, str) or not name:
        raise Unmappable(where, "a tool_use block without a name; add it")
    identifier = block.get("id")
    return Call(identifier if isinstance(identifier, str) else None, name, block.get("input"))


def _subagents(turn: Turn) -> dict[str, str]:
    """The calls that start a sub-agent, by id: the agent's name is its subagent_type."""
    found = {}
    for call in turn.calls:
        if call.name in _SUBAGENT_TOOLS and call.id is not None:
            kind = as_dict(call.arguments).get("subagent_type")
            found[call.id] = kind if isinstance(kind, str) and kind else "subagent"
    return found


def _user(message: dict[str, Any], parent: Any, where: str) -> Iterator[Turn]:
    content = message.get("content")
    blocks = _blocks(content)
    for block in blocks:
        if block.get("type") == "tool_result":
            answers = block.get("tool_use_id")
            if not isinstance(answers, str):
                raise Unmappable(where, "a tool_result without a tool_use_id; add it")
            failed = block.get("is_error") is True or None
            output = text(block.get("content"))
            yield Turn("tool", output, answers=answers, error=failed, where=where)
    said = content if isinstance(content, str) else _texts(blocks, "text", "text")
    if said:
        # A sub-agent's "user" is the agent that started it: its prompt, not the person's turn.
        role = "subagent_prompt" if isinstance(parent, str) else "user"
        yield Turn(role, said, where=where)


def _blocks(content: Any) -> list[dict[str, Any]]:
    return [block for block in as_list(content) if isinstance(block, dict)]


def _usage(result: dict[str, Any]) -> dict[str, Any]:
    usage = as_dict(result.get("usage"))
    found: dict[str, Any] = {}
    inputs = [usage[name] for name in _INPUT_TOKENS if _is_count(usage.get(name))]
    if inputs:
        found["input_tokens"] = sum(inputs)
    if _is_count(usage.get("output_tokens")):
        found["output_tokens"] = usage["output_tokens"]
    cost = result.get("total_cost_usd")
    if isinstance(cost, int | float) and not isinstance(cost, bool):
        found["cost_usd"] = cost
    return found


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
