"""A chat conversation as steps, shared by the message-based formats.

Each source first turns its messages into :class:`Turn` values; :func:`to_steps` then
makes one agent step per assistant turn and one user step, ``{"role": "user", "message":
TEXT}``, per user turn that says something, in conversation order. Everything else (the
system prompt, the user's own tool calls and their results) is kept, in order, as the
record's ``messages``, each with ``after_steps``: how many steps came before it. The
user's calls are never steps' calls, so they are never counted as the agent's. A tool
message is the result of the call it answers: by ``tool_call_id`` when it has one (the
oldest unanswered call with that id, since some sources reuse ids), else the oldest
unanswered call.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from taskgate.importers.common import Unmappable, total_cost

ERROR_PREFIX = "error:"
"""Tool output starting with this (any case) reports a failed call, as τ-bench's tools do."""


@dataclass(frozen=True)
class Call:
    id: str | None
    name: str
    arguments: Any


@dataclass(frozen=True)
class Turn:
    """One message, in the shape every message-based importer reduces its source to."""

    role: str
    """``system``, ``user``, ``assistant`` or ``tool``. An assistant turn is an agent step,
    a user turn's text a user step; the rest is kept as a message."""
    content: str | None = None
    calls: tuple[Call, ...] = ()
    answers: str | None = None
    """A tool message: the id of the call it answers, when the source gives one."""
    error: Any = None
    """A tool message: the source's own error flag or text, when it has one."""
    agent: bool = True
    """False for turns of the other party (e.g. τ²'s user acting on their own device)."""
    speaker: str | None = None
    """An assistant turn: which agent said it, in a multi-agent run (its step's ``agent``)."""
    thought: str | None = None
    """An assistant turn: the reasoning the source shows (its step's ``thought``)."""
    keep: dict[str, Any] = field(default_factory=dict)
    """Extra fields worth keeping with a message: a user turn with some (its own tool
    calls) is kept as a message too, without its text, which is its user step."""
    where: str = ""
    """The message's field path in the source, for problems."""


@dataclass
class Conversation:
    steps: list[dict[str, Any]] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    pending: list[dict[str, Any]] = field(default_factory=list)
    """Tool calls not yet answered, oldest first."""
    answered: set[str] = field(default_factory=set)


def call_id(value: Any, where: str) -> str | None:
    """A call id as text (some sources write numbers); anything else cannot pair a call."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise Unmappable(where, "a call id must be a string; fix the id")


def to_steps(turns: list[Turn], ended_normally: bool) -> Conversation:
    """Steps, kept messages and the final step; raises Unmappable for a stray tool message."""
    talk = Conversation()
    for turn in turns:
        if turn.role == "assistant" and turn.agent:
            _add_step(talk, turn)
        elif turn.role == "tool" and turn.agent:
            _answer(talk, turn)
        elif turn.role == "user":
            _add_user_turn(talk, turn)
        else:
            _keep(talk, turn)
    agent = _agent_steps(talk)
    # A conversation often ends with the user's goodbye: the final step is the agent's.
    if ended_normally and agent:
        agent[-1]["is_final"] = True
    return talk


def agent_answered(turns: list[Turn]) -> bool:
    """The agent's last turn is a reply, not a tool call or a tool result it never read."""
    agent = [turn for turn in turns if turn.agent and turn.role in ("assistant", "tool")]
    return bool(agent) and agent[-1].role == "assistant" and not agent[-1].calls


def final_text(talk: Conversation) -> str | None:
    """What the agent said last: the text of its last turn that said something."""
    said = [step["message"] for step in _agent_steps(talk) if step.get("message")]
    return said[-1] if said else None


def _agent_steps(talk: Conversation) -> list[dict[str, Any]]:
    return [step for step in talk.steps if step.get("role") != "user"]


def _add_user_turn(talk: Conversation, turn: Turn) -> None:
    # A turn without text told the agent nothing, so it is no user turn: an expected call's
    # ``turn`` counts only the turns that said something.
    if turn.content and turn.content.strip():
        talk.steps.append({"role": "user", "message": turn.content})
    if turn.keep:
        _keep(talk, replace(turn, content=None))


def _add_step(talk: Conversation, turn: Turn) -> None:
    # Text said alongside tool calls is still said to the user, so it is a message, not a
    # thought: thoughts are never evidence, and τ-bench counts such text as said.
    step: dict[str, Any] = {}
    if turn.speaker:
        step["agent"] = turn.speaker
    if turn.thought:
        step["thought"] = turn.thought
    if turn.content:
        step["message"] = turn.content
    if turn.calls:
        step["tool_calls"] = [_made(call) for call in turn.calls]
        talk.pending += step["tool_calls"]
    talk.steps.append(step)


def _made(call: Call) -> dict[str, Any]:
    made: dict[str, Any] = {"name": call.name, "arguments": call.arguments}
    if call.id is not None:
        made["id"] = call.id
    return made


def _answer(talk: Conversation, turn: Turn) -> None:
    call = talk.pending.pop(_answered_call(talk, turn))
    if call.get("id") is not None:
        talk.answered.add(call["id"])
    failure = tool_error(turn.content, turn.error)
    if failure is None:
        call["result"] = turn.content
    else:
        call["error"] = failure


def _answered_call(talk: Conversation, turn: Turn) -> int:
    """The index in ``pending`` of the call this tool message answers."""
    if turn.answers is None:
        if talk.pending:
            return 0
        raise Unmappable(turn.where, "a tool message answers no tool call; no call is waiting")
    for index, call in enumerate(talk.pending):
        if call.get("id") == turn.answers:
            return index
    seen = "was already answered" if turn.answers in talk.answered else "was never made"
    raise Unmappable(
        turn.where,
        f"a tool message answers call id {turn.answers!r}, which {seen}; "
        "each tool message must answer an earlier tool call",
    )


def _keep(talk: Conversation, turn: Turn) -> None:
    kept: dict[str, Any] = {"role": turn.role, "content": turn.content, **turn.keep}
    kept["after_steps"] = len(talk.steps)
    talk.messages.append(kept)


def tool_error(content: str | None, flag: Any) -> str | None:
    """The error a tool reported, or None when the call succeeded.

    An explicit flag wins (``true``, or an error text); without one, output starting with
    ``Error:`` is an error, as τ-bench's tools and many SDKs report failures.
    """
    if isinstance(flag, str) and flag:
        return flag
    if flag is True:
        return content or "error"
    if flag is None and content and content.lstrip().lower().startswith(ERROR_PREFIX):
        return content
    return None


def summed_usage(messages: list[Any]) -> dict[str, Any]:
    """Tokens and cost summed over the agent's messages that report them.

    Reads chat-completions ``usage`` (``prompt_tokens``/``completion_tokens``) and a
    per-message ``cost``, as τ²-bench records them.
    """
    found = [message for message in messages if isinstance(message, dict)]
    usages = [m["usage"] for m in found if isinstance(m.get("usage"), dict)]
    costs = [m["cost"] for m in found if _is_number(m.get("cost"))]
    summed: dict[str, Any] = {}
    if usages:
        summed["input_tokens"] = sum(_count(u, "prompt_tokens", "input_tokens") for u in usages)
        summed["output_tokens"] = sum(
            _count(u, "completion_tokens", "output_tokens") for u in usages
        )
    if costs:
        summed["cost_usd"] = total_cost(costs)
    return summed


def _count(usage: dict[str, Any], *names: str) -> int:
    for name in names:
        value = usage.get(name)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return 0


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
