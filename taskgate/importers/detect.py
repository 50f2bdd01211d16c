"""Which format a file looks like, so a wrong ``FORMAT`` gets a message that says the right one."""

from __future__ import annotations

from typing import Any

from taskgate.errors import InputError, Problem
from taskgate.importers.common import NotThisFormat, first_json_line, load_json

RUNS = "runs"
"""Not an import format: the file already holds taskgate run records."""

NAMES = {
    "openai-messages": "an OpenAI chat-messages JSONL file",
    "tau-bench": "a τ-bench results file",
    "tau2": "a τ²-bench simulation file",
    "otel": "an OpenTelemetry span export",
    "langchain": "a LangChain / LangGraph messages JSONL file",
    "claude-agent": "a Claude Agent SDK / Claude Code stream-json file",
    "openai-agents": "an OpenAI Agents SDK / Responses API items JSONL file",
    "atif": "an ATIF trajectory file",
    "adk-evalset": "a Google ADK eval set (golden tasks, not runs)",
    RUNS: "a taskgate run file",
}


def classify(path: str) -> str | None:
    """The format ``path`` looks like, ``runs`` for run records, or None."""
    try:
        whole = load_json(path)
    except NotThisFormat:
        whole = None
    if whole is not None:
        kind = classify_value(whole)
        if kind is not None:
            return kind
    line = first_json_line(path)
    return _classify_line(line) if isinstance(line, dict) else None


def classify_value(value: Any) -> str | None:
    """The format one JSON value (a whole file, or one line of it) looks like, or None."""
    if is_atif(value) or (isinstance(value, list) and value and is_atif(value[0])):
        return "atif"
    if isinstance(value, dict):
        if "resourceSpans" in value:
            return "otel"
        if "simulations" in value or ("tasks" in value and "info" in value):
            return "tau2"
        if isinstance(value.get("eval_cases"), list):
            return "adk-evalset"
        return _classify_line(value)
    if isinstance(value, list) and value and isinstance(value[0], dict):
        first = value[0]
        if first.get("object") in ("trace", "trace.span"):
            return "openai-agents"
        if "traj" in first:
            return "tau-bench"
        return "otel" if is_span(first) else None
    return None


def _classify_line(value: dict[str, Any]) -> str | None:
    if value.get("object") in ("trace", "trace.span"):
        return "openai-agents"  # the Agents SDK's trace export
    if "run_type" in value and ("inputs" in value or "outputs" in value):
        return "langchain"  # a LangSmith run
    if "resourceSpans" in value or is_span(value):
        return "otel"
    if is_atif(value):
        return "atif"
    if "run_id" in value and "task_id" in value and "steps" in value:
        return RUNS
    if value.get("type") in CLAUDE_TYPES and "session_id" in value:
        return "claude-agent"
    if isinstance(value.get("items"), list) or (
        isinstance(value.get("input"), list) and isinstance(value.get("output"), list)
    ):
        return "openai-agents"
    messages = value.get("messages")
    if isinstance(messages, list):
        return "langchain" if messages and looks_like_langchain(messages[0]) else "openai-messages"
    if "traj" in value:
        return "tau-bench"
    return None


CLAUDE_TYPES = frozenset({"system", "assistant", "user", "result", "stream_event"})
"""The ``type`` of a Claude Agent SDK / Claude Code stream-json message."""

LANGCHAIN_TYPES = frozenset({"human", "ai", "tool", "function", "system", "chat", "AIMessageChunk"})
"""The ``type`` of a LangChain message, in the shapes ``model_dump`` and ``messages_to_dict``
write it."""


def looks_like_langchain(message: Any) -> bool:
    """A message in one of LangChain's shapes rather than the chat-completions one."""
    if not isinstance(message, dict) or "role" in message:
        return False
    return message.get("lc") == 1 or message.get("type") in LANGCHAIN_TYPES


def is_atif(value: Any) -> bool:
    """An ATIF trajectory: a schema_version naming ATIF, or a session's agent and steps (and
    no run_id, which would make it a run record)."""
    if not isinstance(value, dict):
        return False
    version = value.get("schema_version")
    if isinstance(version, str) and version.upper().startswith("ATIF"):
        return True
    return {"session_id", "agent", "steps"} <= value.keys() and "run_id" not in value


def is_span(value: dict[str, Any]) -> bool:
    context = value.get("context")
    has_ids = isinstance(context, dict) and "span_id" in context
    return has_ids or ("span_id" in value or "spanId" in value)


def wrong_format(path: str, fmt: str, reason: str) -> InputError:
    """The error for a file that is not ``fmt``: what it looks like and the command to use."""
    looks = classify(path)
    if looks == RUNS:
        advice = f"it already holds taskgate run records; score it: taskgate score {path}"
    elif looks is not None and looks != fmt:
        advice = f"it looks like {NAMES[looks]}; use: taskgate import {looks} {path} -o OUT.jsonl"
    else:
        formats = ", ".join(name for name in NAMES if name != RUNS)
        advice = f"{reason}; check the file, or the format (one of: {formats})"
    return InputError([Problem(path, None, None, f"not {NAMES[fmt]}: {advice}")])
