"""``otel``: OpenTelemetry traces, one run per trace: OpenInference attributes, and the GenAI
conventions and OpenLLMetry dialect read as them (:mod:`taskgate.importers.otel_genai`).

Supported conventions (OpenInference semantic conventions):

- ``openinference.span.kind``: ``LLM`` spans are steps, ``TOOL`` spans tool calls (see
  :mod:`taskgate.importers.otel_steps`); the root span (no parent in the trace, an
  ``AGENT`` one preferred) is the run: its ``output.value`` is the final result, its
  ``input.value`` the task description, its ERROR status the run's ``status: error``.
- ``llm.output_messages.N.message.content`` / ``.tool_calls.N.tool_call.function.*``,
  ``llm.input_messages.N.message.*`` (the user messages that end a model call's input are
  user steps before its step; the first call's system messages, and any user messages
  before its last turn, are kept as ``messages``), ``llm.tools.N.tool.json_schema``
  (-> ``available_tools``).
- ``llm.token_count.prompt``/``completion`` and ``llm.cost.total`` summed over LLM spans;
  the root span's duration is the latency.
- cohort: ``llm.model_name`` of the first LLM span, ``agent.name`` (or the AGENT root's
  name), the resource's ``service.name``; ``metadata`` (JSON) ``task_id`` and ``trial``.

Without a ``metadata.task_id``, a trace is its own task: ``<file stem>-<trace id>``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import orjson

from taskgate.importers.common import (
    ImportResult,
    NotThisFormat,
    Unmappable,
    Where,
    cohort_of,
    collect,
    json_lines,
    load_json,
    total_cost,
)
from taskgate.importers.detect import is_span
from taskgate.importers.otel_genai import content_missing
from taskgate.importers.otel_spans import Span, SpanReader
from taskgate.importers.otel_steps import (
    prompt_messages,
    span_steps,
    tool_names,
    value_of,
)


def import_file(path: str, prefix: str) -> ImportResult:
    reader = read_spans(path)
    traces: dict[str, list[Span]] = {}
    for span in reader.spans:
        traces.setdefault(span.trace_id, []).append(span)
    result = collect(_items(path, prefix, traces))
    result.problems[:0] = reader.problems
    if not reader.spans and not reader.problems:
        result.notes.append(f"{path}: the file holds no spans; nothing imported")
    return result


def read_spans(path: str) -> SpanReader:
    reader = SpanReader(path)
    try:
        document = load_json(path)
    except NotThisFormat:
        document = None
    if isinstance(document, dict) and "resourceSpans" in document:
        reader.read_otlp(document, None, "")
    elif isinstance(document, list) and all(isinstance(s, dict) and is_span(s) for s in document):
        for index, raw in enumerate(document):
            reader.read_flat(raw, None, f"[{index}]")
    elif isinstance(document, dict) and is_span(document):
        reader.read_flat(document, 1, None)
    elif document is not None:
        raise NotThisFormat("expected OTLP JSON ('resourceSpans') or spans with their ids")
    else:
        _read_lines(path, reader)
    return reader


def _read_lines(path: str, reader: SpanReader) -> None:
    first = True
    for number, raw in json_lines(path):
        if first and not (isinstance(raw, dict) and ("resourceSpans" in raw or is_span(raw))):
            raise NotThisFormat("its first line is neither a span nor OTLP JSON")
        first = False
        reader.read_flat(raw, number, None)


def _items(
    path: str, prefix: str, traces: dict[str, list[Span]]
) -> Iterator[tuple[Where, Callable[[], dict[str, Any]]]]:
    for trace_id, spans in traces.items():
        ordered = sorted(spans, key=lambda s: (s.start is None, s.start or 0, s.order))
        root = _root(ordered)
        where = Where(path, root.line, f"traces[{trace_id}]")
        yield where, partial(_record, ordered, root, prefix, trace_id)


def _root(spans: list[Span]) -> Span:
    ids = {span.span_id for span in spans}
    roots = [span for span in spans if span.parent_id not in ids] or spans
    agents = [span for span in roots if span.kind == "AGENT"]
    return (agents or roots)[0]


def _record(spans: list[Span], root: Span, prefix: str, trace_id: str) -> dict[str, Any]:
    steps = span_steps(spans)
    if not steps:
        raise Unmappable(
            None,
            "the trace has no LLM or TOOL spans (openinference.span.kind), so no agent steps; "
            "instrument the agent with OpenInference",
        )
    llms = [span for span in spans if span.kind == "LLM"]
    tools = [span for span in spans if span.kind == "TOOL"]
    if llms and all(content_missing(span.attributes) for span in llms) and not tools:
        raise Unmappable(
            None,
            "the trace's model calls carry no messages: GenAI instrumentation records them only "
            "when content capture is on (OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true); "
            "nothing to score",
        )
    ended = root.error is None and steps[-1].is_reply
    mapped = [each for step in steps for each in step.as_steps()]
    if ended:
        mapped[-1]["is_final"] = True  # as_steps puts the agent's step last
    said = [step.message for step in steps if step.message]
    final = value_of(root.attributes, "output") if root.kind not in ("LLM", "TOOL") else None
    metadata = _metadata(root.attributes)
    return {
        "run_id": f"{prefix}:{trace_id}",
        "task_id": str(metadata.get("task_id") or f"{prefix}-{trace_id}"),
        "trial": metadata.get("trial"),
        "cohort": _cohort(root, llms),
        "task": _task(root, llms),
        "steps": mapped,
        "messages": (prompt_messages(llms[0]) if llms else []) or None,
        "final_result": final if final not in (None, "") else (said[-1] if said else None),
        "status": "error" if root.error is not None else "completed",
        "usage": _usage(root, llms),
        "metadata": metadata or None,
    }


def _cohort(root: Span, llms: list[Span]) -> dict[str, str]:
    agent = root.attributes.get("agent.name") or (root.name if root.kind == "AGENT" else None)
    return cohort_of(
        {
            "model": llms[0].attributes.get("llm.model_name") if llms else None,
            "agent": agent,
            "service": root.resource.get("service.name"),
        }
    )


def _task(root: Span, llms: list[Span]) -> dict[str, Any]:
    task: dict[str, Any] = {}
    request = root.attributes.get("input.value") if root.kind not in ("LLM", "TOOL") else None
    if isinstance(request, str) and request:
        task["description"] = request
    tools = tool_names(llms[0]) if llms else None
    if tools:
        task["available_tools"] = tools
    return task


def _usage(root: Span, llms: list[Span]) -> dict[str, Any]:
    usage: dict[str, Any] = {}
    for name, key in (
        ("input_tokens", "llm.token_count.prompt"),
        ("output_tokens", "llm.token_count.completion"),
        ("cost_usd", "llm.cost.total"),
    ):
        values = [span.attributes.get(key) for span in llms]
        numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
        if numbers:
            usage[name] = total_cost(numbers) if name == "cost_usd" else int(sum(numbers))
    if root.start is not None and root.end is not None and root.end >= root.start:
        usage["latency_ms"] = (root.end - root.start) / 1e6
    return usage


def _metadata(attributes: dict[str, Any]) -> dict[str, Any]:
    """OpenInference ``metadata``: a JSON string, or nested keys an exporter flattened."""
    raw = attributes.get("metadata")
    if isinstance(raw, str):
        try:
            decoded = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return {}
        return decoded if isinstance(decoded, dict) else {}
    prefix = "metadata."
    return {key[len(prefix) :]: v for key, v in attributes.items() if key.startswith(prefix)}
