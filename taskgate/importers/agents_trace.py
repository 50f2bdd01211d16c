"""The OpenAI Agents SDK's trace export (``trace`` and ``trace.span`` objects), read by
``openai-agents``: what a tracing processor writes with ``trace.export()`` and
``span.export()``, one object a line (or a JSON list). Each trace is a run.

- ``agent`` spans say which agent the spans inside them belong to: steps are attributed;
- ``generation`` spans are model calls: their output's assistant text and tool calls are a
  step (the first one's input user messages the user's turn);
- ``function`` spans are tool calls (``input`` the arguments, ``output`` the result, the
  span's ``error`` the call's error), filling the calls the model call before them planned;
- ``handoff`` spans are handoff steps, ``{"handoff": {"from", "to"}}``;
- a triggered ``guardrail`` is kept as a message; ``response`` spans hold no content.

The trace's ``workflow_name`` is a cohort, its ``metadata`` may give ``task_id`` and
``trial``; a trace without model content (the Responses API's ``response`` spans only) is
imported with a note that says its steps hold no text.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from taskgate.importers.common import Unmappable, as_dict, as_list, cohort_of, text

TRACE_OBJECTS = frozenset({"trace", "trace.span"})


def is_trace_object(value: Any) -> bool:
    return isinstance(value, dict) and value.get("object") in TRACE_OBJECTS


@dataclass
class Trace:
    trace_id: str
    header: dict[str, Any] = field(default_factory=dict)
    spans: list[dict[str, Any]] = field(default_factory=list)


def traces(objects: list[dict[str, Any]]) -> list[Trace]:
    """The objects grouped by trace, in the order the file first names each."""
    found: dict[str, Trace] = {}
    for value in objects:
        key = value.get("id") if value.get("object") == "trace" else value.get("trace_id")
        if not isinstance(key, str) or not key:
            continue
        trace = found.setdefault(key, Trace(key))
        if value.get("object") == "trace":
            trace.header = value
        else:
            trace.spans.append(value)
    return list(found.values())


def trace_record(trace: Trace, prefix: str) -> dict[str, Any]:
    spans = sorted(trace.spans, key=lambda s: str(s.get("started_at") or ""))
    by_id = {str(s.get("id")): s for s in spans}
    steps: list[dict[str, Any]] = []
    kept: list[dict[str, Any]] = []
    planned: list[dict[str, Any]] = []
    first_model = True
    for span in spans:
        data = as_dict(span.get("span_data"))
        kind = data.get("type")
        agent = _agent_of(span, by_id)
        if kind == "generation":
            if first_model:
                steps += _user_turns(data.get("input"))
                first_model = False
            step, planned = _model_step(data, agent)
            steps.append(step)
        elif kind == "function":
            _add_call(steps, planned, _call(span, data), agent)
        elif kind == "handoff":
            handoff = {"from": data.get("from_agent"), "to": data.get("to_agent")}
            steps.append({"agent": handoff["from"], "handoff": handoff})
        elif kind == "guardrail" and data.get("triggered"):
            kept.append(
                {"role": "guardrail", "content": data.get("name"), "after_steps": len(steps)}
            )
    if not steps:
        raise Unmappable(None, "the trace has no generation, function or handoff spans; no steps")
    said = [s.get("message") for s in steps if s.get("message") and s.get("role") != "user"]
    agents = [s for s in steps if s.get("role") != "user"]
    if agents and agents[-1].get("message") and not agents[-1].get("tool_calls"):
        agents[-1]["is_final"] = True
    metadata = as_dict(trace.header.get("metadata"))
    errored = any(
        s.get("error") for s in spans if as_dict(s.get("span_data")).get("type") == "agent"
    )
    return {
        "run_id": f"{prefix}:{trace.trace_id}",
        "task_id": str(metadata.get("task_id") or f"{prefix}-{trace.trace_id}"),
        "trial": metadata.get("trial") if isinstance(metadata.get("trial"), int) else None,
        "cohort": cohort_of({"workflow": trace.header.get("workflow_name")}),
        "steps": steps,
        "messages": kept or None,
        "final_result": said[-1] if said else None,
        "status": "error" if errored else "completed",
        "usage": _usage(spans),
    }


def _usage(spans: list[dict[str, Any]]) -> dict[str, int]:
    """Tokens summed over the model calls that report them."""
    reported = [
        as_dict(as_dict(s.get("span_data")).get("usage")) for s in spans if _kind(s) == "generation"
    ]
    usage: dict[str, int] = {}
    for ours, names in (
        ("input_tokens", ("input_tokens", "prompt_tokens")),
        ("output_tokens", ("output_tokens", "completion_tokens")),
    ):
        counts = [next((u[n] for n in names if isinstance(u.get(n), int)), None) for u in reported]
        if any(c is not None for c in counts):
            usage[ours] = sum(c for c in counts if c is not None)
    return usage


def _kind(span: dict[str, Any]) -> Any:
    return as_dict(span.get("span_data")).get("type")


def without_content(trace: Trace) -> bool:
    """Model calls recorded as response spans only: the trace holds no model text."""
    kinds = {_kind(span) for span in trace.spans}
    return "response" in kinds and "generation" not in kinds


def _agent_of(span: dict[str, Any], by_id: dict[str, dict[str, Any]]) -> str | None:
    seen: set[str] = set()
    current: dict[str, Any] | None = span
    while current is not None and str(current.get("id")) not in seen:
        seen.add(str(current.get("id")))
        data = as_dict(current.get("span_data"))
        if data.get("type") == "agent" and isinstance(data.get("name"), str):
            return str(data["name"])
        current = by_id.get(str(current.get("parent_id")))
    return None


def _user_turns(messages: Any) -> list[dict[str, Any]]:
    said = [
        text(as_dict(m).get("content"))
        for m in as_list(messages)
        if as_dict(m).get("role") == "user"
    ]
    return [{"role": "user", "message": s} for s in said if s and s.strip()]


def _model_step(
    data: dict[str, Any], agent: str | None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    step: dict[str, Any] = {"agent": agent} if agent else {}
    calls: list[dict[str, Any]] = []
    for message in map(as_dict, as_list(data.get("output"))):
        content = text(message.get("content"))
        if content:
            step["message"] = "\n".join(filter(None, [step.get("message"), content]))
        for raw in map(as_dict, as_list(message.get("tool_calls"))):
            function = as_dict(raw.get("function"))
            if isinstance(function.get("name"), str):
                calls.append({"name": function["name"], "arguments": function.get("arguments")})
    if calls:
        step["tool_calls"] = calls
    return step, list(calls)


def _call(span: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    name = data.get("name")
    if not isinstance(name, str) or not name:
        raise Unmappable(None, f"a function span without a name (span {span.get('id')!r})")
    call: dict[str, Any] = {"name": name, "arguments": data.get("input")}
    error = as_dict(span.get("error"))
    if error:
        call["error"] = str(error.get("message") or "error")
    elif data.get("output") is not None:
        call["result"] = data.get("output")
    return call


def _add_call(
    steps: list[dict[str, Any]],
    planned: list[dict[str, Any]],
    made: dict[str, Any],
    agent: str | None,
) -> None:
    """Fill the first call planned to the same tool, or make the call a step of its own."""
    for index, call in enumerate(planned):
        if call["name"] == made["name"]:
            call.update(made)
            del planned[index]
            return
    steps.append({**({"agent": agent} if agent else {}), "tool_calls": [made]})


def objects(values: Iterator[Any]) -> list[dict[str, Any]]:
    return [value for value in values if is_trace_object(value)]
