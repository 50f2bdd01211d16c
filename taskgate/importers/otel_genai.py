"""The OpenTelemetry GenAI semantic conventions and the OpenLLMetry dialect, read as the
OpenInference attributes the ``otel`` importer maps (a span keeps its own attributes too;
an OpenInference one already there wins).

GenAI (``gen_ai.*``): ``gen_ai.operation.name`` ``chat`` / ``text_completion`` /
``generate_content`` is a model call, ``execute_tool`` a tool call, ``invoke_agent`` /
``create_agent`` the agent; ``gen_ai.input.messages`` / ``gen_ai.output.messages`` (JSON
text or structured: ``role`` and typed ``parts``: ``text`` with ``content``, ``tool_call``
with ``id``, ``name``, ``arguments``, ``tool_call_response`` with ``id``, ``response``) and
``gen_ai.system_instructions``; ``gen_ai.tool.name``, ``gen_ai.tool.call.id``,
``gen_ai.tool.call.arguments`` and ``.result``; ``gen_ai.usage.input_tokens`` /
``output_tokens``; ``gen_ai.response.model`` (else ``gen_ai.request.model``);
``gen_ai.agent.name``; ``error.type`` on a span marks it failed.

OpenLLMetry (``traceloop.*``, ``gen_ai.prompt.N.*``, ``gen_ai.completion.N.*``):
``traceloop.span.kind`` ``tool`` is a tool call (``traceloop.entity.name``, ``.input``,
``.output``), ``agent`` and ``workflow`` the agent; a span with prompt or completion
messages is a model call; ``gen_ai.usage.prompt_tokens`` / ``completion_tokens``.
"""

from __future__ import annotations

from typing import Any

import orjson

_OPERATIONS = {
    "chat": "LLM",
    "text_completion": "LLM",
    "generate_content": "LLM",
    "execute_tool": "TOOL",
    "invoke_agent": "AGENT",
    "create_agent": "AGENT",
}
_TRACELOOP_KINDS = {"tool": "TOOL", "agent": "AGENT", "workflow": "AGENT", "task": "CHAIN"}
# An OpenInference name, and the GenAI / OpenLLMetry names that give it: the first found wins.
_ANY_SPAN = {
    "llm.model_name": ("gen_ai.response.model", "gen_ai.request.model"),
    "agent.name": ("gen_ai.agent.name",),
    "llm.token_count.prompt": ("gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens"),
    "llm.token_count.completion": ("gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens"),
}
_TOOL_SPAN = {
    "tool.name": ("gen_ai.tool.name", "traceloop.entity.name"),
    "tool_call.id": ("gen_ai.tool.call.id",),
    "input.value": ("gen_ai.tool.call.arguments", "traceloop.entity.input"),
    "output.value": ("gen_ai.tool.call.result", "traceloop.entity.output"),
}
_AGENT_SPAN = {
    "input.value": ("traceloop.entity.input",),
    "output.value": ("traceloop.entity.output",),
}


def speaks_genai(attributes: dict[str, Any]) -> bool:
    """The span is described by GenAI or OpenLLMetry attributes, not OpenInference ones."""
    return "openinference.span.kind" not in attributes and any(
        key.startswith(("gen_ai.", "traceloop.")) for key in attributes
    )


def content_missing(attributes: dict[str, Any]) -> bool:
    """A GenAI model call recorded without its messages: content capture was off."""
    return attributes.get("openinference.span.kind") == "LLM" and not any(
        key.startswith(("llm.input_messages.", "llm.output_messages.")) for key in attributes
    )


def as_openinference(attributes: dict[str, Any]) -> dict[str, Any]:
    """``attributes`` with the OpenInference names their GenAI or OpenLLMetry ones map to."""
    if not speaks_genai(attributes):
        return attributes
    mapped: dict[str, Any] = {}
    kind = _kind(attributes)
    if kind is not None:
        mapped["openinference.span.kind"] = kind
    names = {**_ANY_SPAN, **(_TOOL_SPAN if kind == "TOOL" else {})}
    names.update(_AGENT_SPAN if kind == "AGENT" else {})
    for ours, theirs in names.items():
        value = next((attributes[n] for n in theirs if attributes.get(n) not in (None, "")), None)
        if value is not None:
            mapped[ours] = value
    inputs = [*_instructions(attributes), *_messages(attributes.get("gen_ai.input.messages"))]
    inputs += _indexed_messages(attributes, "gen_ai.prompt")
    outputs = _messages(attributes.get("gen_ai.output.messages"))
    outputs += _indexed_messages(attributes, "gen_ai.completion")
    mapped.update(_flat("llm.input_messages", inputs))
    mapped.update(_flat("llm.output_messages", outputs))
    return {**mapped, **attributes}


def failed(attributes: dict[str, Any]) -> str | None:
    """``error.type`` names the error a GenAI span ended with."""
    value = attributes.get("error.type")
    return str(value) if value not in (None, "") else None


def _kind(attributes: dict[str, Any]) -> str | None:
    operation = attributes.get("gen_ai.operation.name")
    if isinstance(operation, str) and operation in _OPERATIONS:
        return _OPERATIONS[operation]
    traceloop = attributes.get("traceloop.span.kind")
    if isinstance(traceloop, str) and traceloop in _TRACELOOP_KINDS:
        return _TRACELOOP_KINDS[traceloop]
    if any(key.startswith(("gen_ai.prompt.", "gen_ai.completion.")) for key in attributes):
        return "LLM"
    return None


def _decoded(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            return None
    return value


def _instructions(attributes: dict[str, Any]) -> list[dict[str, Any]]:
    parts = _decoded(attributes.get("gen_ai.system_instructions"))
    text = _text(parts if isinstance(parts, list) else [])
    return [{"role": "system", "content": text}] if text else []


def _messages(value: Any) -> list[dict[str, Any]]:
    """GenAI messages (``role`` and typed ``parts``) as OpenInference ones."""
    decoded = _decoded(value)
    messages = []
    for message in decoded if isinstance(decoded, list) else []:
        if not isinstance(message, dict):
            continue
        parts = [p for p in message.get("parts") or [] if isinstance(p, dict)]
        calls = [
            {"id": p.get("id"), "name": p.get("name"), "arguments": p.get("arguments")}
            for p in parts
            if p.get("type") == "tool_call"
        ]
        responses = [p for p in parts if p.get("type") == "tool_call_response"]
        content = _text(parts)
        if responses:
            response = responses[0].get("response")
            content = response if isinstance(response, str) else orjson.dumps(response).decode()
        messages.append({"role": message.get("role"), "content": content, "calls": calls})
    return messages


def _text(parts: list[Any]) -> str | None:
    texts = [p.get("content") for p in parts if isinstance(p, dict) and p.get("type") == "text"]
    joined = "\n".join(t for t in texts if isinstance(t, str))
    return joined or None


def _indexed_messages(attributes: dict[str, Any], prefix: str) -> list[dict[str, Any]]:
    """OpenLLMetry's ``gen_ai.prompt.N.role`` / ``.content`` / ``.tool_calls.M.*``."""
    found: dict[int, dict[str, Any]] = {}
    for key, value in attributes.items():
        if not key.startswith(f"{prefix}."):
            continue
        index, _, rest = key[len(prefix) + 1 :].partition(".")
        if index.isdigit():
            found.setdefault(int(index), {})[rest] = value
    return [_indexed_message(fields) for _, fields in sorted(found.items())]


def _indexed_message(fields: dict[str, Any]) -> dict[str, Any]:
    calls: dict[int, dict[str, Any]] = {}
    for key, value in fields.items():
        number, _, name = key.removeprefix("tool_calls.").partition(".")
        if key.startswith("tool_calls.") and number.isdigit() and name:
            calls.setdefault(int(number), {})[name] = value
    return {
        "role": fields.get("role"),
        "content": fields.get("content"),
        "calls": [calls[i] for i in sorted(calls)],
    }


def _flat(prefix: str, messages: list[dict[str, Any]]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for i, message in enumerate(messages):
        base = f"{prefix}.{i}.message"
        if message.get("role") is not None:
            flat[f"{base}.role"] = message["role"]
        if message.get("content") is not None:
            flat[f"{base}.content"] = message["content"]
        for j, call in enumerate(message.get("calls") or []):
            where = f"{base}.tool_calls.{j}.tool_call"
            if call.get("id") is not None:
                flat[f"{where}.id"] = call["id"]
            if call.get("name") is not None:
                flat[f"{where}.function.name"] = call["name"]
            if call.get("arguments") is not None:
                arguments = call["arguments"]
                flat[f"{where}.function.arguments"] = (
                    arguments if isinstance(arguments, str) else orjson.dumps(arguments).decode()
                )
    return flat
