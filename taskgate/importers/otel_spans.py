"""OpenTelemetry spans from JSON, in the shapes exporters write them.

- OTLP JSON: ``{"resourceSpans": [{"resource": {...}, "scopeSpans": [{"spans": [...]}]}]}``,
  attribute values typed (``{"stringValue": ...}``), times in ``startTimeUnixNano``; one
  document, or one per line as the collector's file exporter writes them.
- One span per line (or a JSON list of spans), flat: ``trace_id``/``span_id``/``parent_id``
  at the top or under ``context`` (the Python SDK's ``span.to_json()``), ``attributes`` as
  an object, ``start_time`` as nanoseconds or ISO 8601, ``status.status_code``.

Attributes are flattened to dotted keys (``llm.output_messages.0.message.content``)
whichever way the exporter nested them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any

from taskgate.errors import Problem
from taskgate.importers.common import BadLine, as_dict, as_list
from taskgate.importers.otel_genai import as_openinference, failed, speaks_genai

_ISO = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)?$")
_ERROR_CODES = (2, "2", "ERROR", "STATUS_CODE_ERROR", "StatusCode.ERROR")
_TYPED = ("stringValue", "boolValue", "intValue", "doubleValue", "bytesValue")


@dataclass(frozen=True)
class Span:
    trace_id: str
    span_id: str
    parent_id: str | None
    name: str
    start: int | None
    """Nanoseconds since the epoch, when the span says."""
    end: int | None
    attributes: dict[str, Any]
    error: str | None
    """The status message (or "error") when the status code is ERROR."""
    resource: dict[str, Any] = field(default_factory=dict)
    order: int = 0
    """Position in the file, to keep spans without times in file order."""
    line: int | None = None
    """The line it was read from, for one span (or one OTLP document) per line."""

    @property
    def kind(self) -> str:
        return str(self.attributes.get("openinference.span.kind", "")).upper()


@dataclass
class SpanReader:
    source: str
    spans: list[Span] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def read_otlp(self, document: dict[str, Any], line: int | None, where: str) -> None:
        for i, block in enumerate(map(as_dict, as_list(document.get("resourceSpans")))):
            resource = attributes_of(as_dict(block.get("resource")).get("attributes"))
            scopes = as_list(block.get("scopeSpans") or block.get("instrumentationLibrarySpans"))
            for j, scope in enumerate(map(as_dict, scopes)):
                for k, raw in enumerate(as_list(scope.get("spans"))):
                    place = f"{where}resourceSpans[{i}].scopeSpans[{j}].spans[{k}]"
                    self.add(_otlp_span(as_dict(raw), resource), line, place)

    def read_flat(self, raw: Any, line: int | None, where: str | None) -> None:
        if isinstance(raw, BadLine):
            self.problems.append(Problem(self.source, line, where, raw.message))
        elif isinstance(raw, dict) and "resourceSpans" in raw:
            self.read_otlp(raw, line, "")
        else:
            self.add(_flat_span(as_dict(raw)), line, where)

    def add(self, span: Span | str, line: int | None, where: str | None) -> None:
        if isinstance(span, str):
            self.problems.append(Problem(self.source, line, where, span))
            return
        if speaks_genai(span.attributes):  # read as the OpenInference names they map to
            error = span.error if span.error is not None else failed(span.attributes)
            span = replace(span, attributes=as_openinference(span.attributes), error=error)
        self.spans.append(replace(span, order=len(self.spans), line=line))


def _otlp_span(raw: dict[str, Any], resource: dict[str, Any]) -> Span | str:
    status = as_dict(raw.get("status"))
    return _span(
        raw.get("traceId"),
        raw.get("spanId"),
        raw.get("parentSpanId"),
        raw.get("name"),
        (raw.get("startTimeUnixNano"), raw.get("endTimeUnixNano")),
        attributes_of(raw.get("attributes")),
        (status.get("code"), status.get("message")),
        resource,
    )


def _flat_span(raw: dict[str, Any]) -> Span | str:
    context, status = as_dict(raw.get("context")), as_dict(raw.get("status"))
    code = status.get("status_code", raw.get("status_code"))
    message = status.get("description", raw.get("status_message"))
    return _span(
        raw.get("trace_id", context.get("trace_id")),
        raw.get("span_id", context.get("span_id")),
        raw.get("parent_id", raw.get("parent_span_id")),
        raw.get("name"),
        (raw.get("start_time"), raw.get("end_time")),
        flatten(as_dict(raw.get("attributes"))),
        (code, message),
        flatten(as_dict(as_dict(raw.get("resource")).get("attributes"))),
    )


def _span(
    trace_id: Any,
    span_id: Any,
    parent_id: Any,
    name: Any,
    times: tuple[Any, Any],
    attributes: dict[str, Any],
    status: tuple[Any, Any],
    resource: dict[str, Any],
) -> Span | str:
    if not trace_id or not span_id:
        return "a span without a trace id or span id; export spans with their context"
    code, message = status
    failed = code in _ERROR_CODES
    return Span(
        trace_id=_hex(trace_id),
        span_id=_hex(span_id),
        parent_id=_hex(parent_id) if parent_id else None,
        name=str(name or ""),
        start=nanoseconds(times[0]),
        end=nanoseconds(times[1]),
        attributes=attributes,
        error=(str(message) if message else "error") if failed else None,
        resource=resource,
    )


def _hex(value: Any) -> str:
    return str(value).lower().removeprefix("0x")


def nanoseconds(value: Any) -> int | None:
    """Nanoseconds since the epoch from a number, a digit string or an ISO 8601 time."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value)
    if not isinstance(value, str):
        return None
    if value.isdigit():
        return int(value)
    found = _ISO.match(value.strip())
    if found is None:
        return None
    whole, fraction, zone = found.groups()
    offset = "+00:00" if zone in (None, "Z") else zone
    moment = datetime.fromisoformat(f"{whole}{offset}").astimezone(timezone.utc)
    return int(moment.timestamp()) * 10**9 + int((fraction or "0")[:9].ljust(9, "0"))


def attributes_of(items: Any) -> dict[str, Any]:
    """OTLP's ``[{"key": k, "value": {"stringValue": v}}]`` as flat ``{k: v}``."""
    pairs = {
        str(item.get("key")): typed_value(item.get("value"))
        for item in map(as_dict, as_list(items))
        if item.get("key") is not None
    }
    return flatten(pairs)


def typed_value(value: Any) -> Any:
    typed = as_dict(value)
    for name in _TYPED:
        if name in typed:
            item = typed[name]
            return int(item) if name == "intValue" and str(item).lstrip("-").isdigit() else item
    if "arrayValue" in typed:
        return [typed_value(v) for v in as_list(as_dict(typed["arrayValue"]).get("values"))]
    if "kvlistValue" in typed:
        return attributes_of(as_dict(typed["kvlistValue"]).get("values"))
    return value


def flatten(value: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, item in _entries(value):
        name = f"{prefix}{key}"
        if isinstance(item, dict | list) and not _is_leaf_list(item):
            flat.update(flatten(dict(_entries(item)), f"{name}."))
        else:
            flat[name] = item
    return flat


def _entries(value: dict[str, Any] | list[Any]) -> Iterator[tuple[str, Any]]:
    if isinstance(value, list):
        return ((str(i), item) for i, item in enumerate(value))
    return ((str(key), item) for key, item in value.items())


def _is_leaf_list(value: dict[str, Any] | list[Any]) -> bool:
    """A list of plain values (``tag.tags``) stays a list."""
    return isinstance(value, list) and not any(isinstance(v, dict | list) for v in value)
