"""A trace's OpenInference spans as steps.

Spans are taken in start-time order. Each ``LLM`` span is a step: its output message is
what the agent said, the tool calls in that message are what it planned. Each ``TOOL``
span is a call made (``tool.name``; arguments from ``input.value``; result from
``output.value``; an ERROR status is the call's error) and belongs to the LLM step before
it; when a step has TOOL spans they replace its planned calls, which never ran or ran
unrecorded. A TOOL span before any LLM span is a step of its own. Other kinds (CHAIN,
RETRIEVER, EMBEDDING, ...) are plumbing, not steps.

User turns: the user messages that end an LLM span's input (after its last assistant or
tool message) are what the user said since the agent last spoke, so each becomes a user
step before that LLM step. This holds whether a framework sends the whole history or only
the new turn; an input the same as the previous LLM span's is a retry, not a new turn.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from taskgate.importers.otel_spans import Span

OUTPUT = "llm.output_messages"
INPUT = "llm.input_messages"


@dataclass
class SpanStep:
    message: str | None = None
    planned: list[dict[str, Any]] = field(default_factory=list)
    made: list[dict[str, Any]] = field(default_factory=list)
    from_llm: bool = False
    user_said: list[str] = field(default_factory=list)
    """What the user said just before this step, oldest first."""

    def as_steps(self) -> list[dict[str, Any]]:
        """The user's turns before this step, then the agent's step: always the last."""
        step: dict[str, Any] = {}
        if self.message:
            step["message"] = self.message
        calls = self.made or self.planned
        if calls:
            step["tool_calls"] = calls
        return [{"role": "user", "message": said} for said in self.user_said] + [step]

    @property
    def is_reply(self) -> bool:
        return self.from_llm and bool(self.message) and not (self.made or self.planned)


def span_steps(spans: list[Span]) -> list[SpanStep]:
    steps: list[SpanStep] = []
    previous: list[dict[str, Any]] | None = None
    for span in spans:
        if span.kind == "LLM":
            prompt = indexed(span.attributes, INPUT)
            steps.append(_llm_step(span, [] if prompt == previous else new_user_turns(prompt)))
            previous = prompt
        elif span.kind == "TOOL":
            if not steps:
                steps.append(SpanStep())
            steps[-1].made.append(_tool_call(span))
    return steps


def indexed(attributes: dict[str, Any], prefix: str) -> list[dict[str, Any]]:
    """``prefix.0.x``, ``prefix.1.y`` ... as ``[{"x": ...}, {"y": ...}]``, by index."""
    groups: dict[int, dict[str, Any]] = {}
    for key, value in attributes.items():
        if key.startswith(f"{prefix}."):
            index, _, rest = key[len(prefix) + 1 :].partition(".")
            if index.isdigit() and rest:
                groups.setdefault(int(index), {})[rest] = value
    return [groups[i] for i in sorted(groups)]


def message_text(message: dict[str, Any]) -> str | None:
    """``message.content``, or the text parts of ``message.contents``."""
    content = message.get("message.content")
    if isinstance(content, str):
        return content
    parts = indexed(message, "message.contents")
    texts = [p.get("message_content.text") for p in parts]
    joined = "\n".join(t for t in texts if isinstance(t, str))
    return joined or None


def new_user_turns(prompt: list[dict[str, Any]]) -> list[str]:
    """The texts of the user messages that end a model call's input."""
    texts = [
        message_text(message)
        for message in prompt[_turn_start(prompt) :]
        if message.get("message.role") == "user"
    ]
    return [text for text in texts if text and text.strip()]


def _turn_start(prompt: list[dict[str, Any]]) -> int:
    """Where the input's last turn begins: after its last assistant or tool message."""
    for index in range(len(prompt) - 1, -1, -1):
        if prompt[index].get("message.role") in ("assistant", "tool"):
            return index + 1
    return 0


def _llm_step(span: Span, user_said: list[str]) -> SpanStep:
    outputs = indexed(span.attributes, OUTPUT)
    reply = next((m for m in outputs if m.get("message.role", "assistant") == "assistant"), {})
    planned = [
        _planned_call(call)
        for call in indexed(reply, "message.tool_calls")
        if call.get("tool_call.function.name")
    ]
    return SpanStep(message_text(reply), planned, from_llm=True, user_said=user_said)


def _planned_call(call: dict[str, Any]) -> dict[str, Any]:
    planned = {
        "name": str(call["tool_call.function.name"]),
        "arguments": call.get("tool_call.function.arguments"),
    }
    if call.get("tool_call.id") is not None:
        planned["id"] = call["tool_call.id"]
    return planned


def _tool_call(span: Span) -> dict[str, Any]:
    attributes = span.attributes
    call: dict[str, Any] = {
        "name": str(attributes.get("tool.name") or span.name),
        "arguments": attributes.get("input.value", attributes.get("tool_call.function.arguments")),
    }
    if "output.value" in attributes:
        call["result"] = attributes["output.value"]
    if span.error is not None:
        call["error"] = span.error
    if attributes.get("tool_call.id") is not None:
        call["id"] = attributes["tool_call.id"]
    return call


def value_of(attributes: dict[str, Any], name: str) -> Any:
    """``input.value``/``output.value``, decoded when its mime type says JSON."""
    value = attributes.get(f"{name}.value")
    if isinstance(value, str) and attributes.get(f"{name}.mime_type") == "application/json":
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            return value
    return value


def tool_names(span: Span) -> list[str] | None:
    """The tools offered to the model (``llm.tools.N.tool.json_schema``), when recorded."""
    names = []
    for tool in indexed(span.attributes, "llm.tools"):
        schema = tool.get("tool.json_schema")
        try:
            spec = orjson.loads(schema) if isinstance(schema, str) else schema
        except orjson.JSONDecodeError:
            continue
        spec = spec if isinstance(spec, dict) else {}
        function = spec.get("function")
        name = (function if isinstance(function, dict) else spec).get("name")
        if isinstance(name, str) and name:
            names.append(name)
    return names or None


def prompt_messages(span: Span) -> list[dict[str, Any]]:
    """The system and earlier user messages the first model call was given; the user
    messages that end its input are user steps (:func:`new_user_turns`), not these."""
    prompt = indexed(span.attributes, INPUT)
    start = _turn_start(prompt)
    return [
        {"role": role, "content": message_text(message), "after_steps": 0}
        for index, message in enumerate(prompt)
        if (role := message.get("message.role")) == "system" or (role == "user" and index < start)
    ]
