"""Evaluation events: each run's scores as OpenTelemetry log records, one OTLP JSON export a
line (the shape a collector's file exporter writes and its OTLP JSON file receiver reads).

Every score is a ``gen_ai.evaluation.result`` event with the GenAI conventions' attributes
(name, score value, label, explanation), timed at the run's start and, when the run
carries OpenTelemetry ids, parented to its trace and span, so a tracing backend shows the
verdicts on the trajectory they judge.
"""

from __future__ import annotations

from typing import Any

import orjson

from taskgate import __version__
from taskgate.config.model import Config
from taskgate.model.report import RunResult

EVENT = "gen_ai.evaluation.result"
COMPLETION = "task_completion"
_HEX = frozenset("0123456789abcdef")


def _value(value: str | float | int | bool) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int):
        return {"intValue": str(value)}  # OTLP JSON writes 64-bit integers as strings
    if isinstance(value, float):
        return {"doubleValue": value}
    return {"stringValue": value}


def _attributes(pairs: dict[str, str | float | int | bool | None]) -> list[dict[str, Any]]:
    return [
        {"key": key, "value": _value(value)} for key, value in pairs.items() if value is not None
    ]


def _otel_id(value: str | None, digits: int) -> str | None:
    if value is None or len(value) != digits or not set(value.lower()) <= _HEX:
        return None
    if not value.strip("0"):  # all zeros: the W3C trace context's invalid id
        return None
    return value.lower()


def _infrastructure(run: RunResult) -> bool:
    """As the window summaries count it: status error or timeout, error_kind infrastructure."""
    return run.status != "completed" and run.error_kind == "infrastructure"


class EventWriter:
    """Turns scored runs into event lines, with the labels the config's thresholds give."""

    def __init__(self, config: Config) -> None:
        self.thresholds = config.thresholds
        resource = _attributes({"service.name": "taskgate"})
        self.resource = {"attributes": resource}
        self.scope = {"name": "taskgate", "version": __version__}

    def label(self, run: RunResult, metric: str, score: float) -> str | None:
        """The score's interpretation: ``infrastructure`` for every score of a run the
        infrastructure failed (the monitor leaves those out of the agent metrics; a backend
        counting ``fail`` labels must too), pass/fail for task_completion of a judged run,
        else the config's threshold band."""
        if _infrastructure(run):
            return "infrastructure"
        if metric == COMPLETION and run.passed is not None:
            return "pass" if run.passed else "fail"
        band = self.thresholds.get(metric)
        if band is None:
            return None
        return "green" if score >= band.green else "yellow" if score >= band.yellow else "red"

    def line(self, run: RunResult) -> bytes:
        observed = run.observed
        assert observed is not None, "events are written by monitor, which observes"
        started = observed.started_at
        when = (
            "0"
            if started is None
            else str(int(started.timestamp()) * 10**9 + started.microsecond * 1000)
        )
        trace = _otel_id(observed.trace_id, 32)
        span = _otel_id(observed.span_id, 16)
        common: dict[str, str | float | int | bool | None] = {
            "taskgate.run_id": run.run_id,
            "taskgate.task_id": run.task_id,
            **{f"taskgate.cohort.{key}": value for key, value in run.cohort.items()},
            "taskgate.trace_id": None if trace else observed.trace_id,
            "taskgate.span_id": None if span else observed.span_id,
            "error.type": "infrastructure" if _infrastructure(run) else None,
        }
        records = []
        for metric, score in run.scores.items():
            if score is None:
                continue
            attributes = {
                "gen_ai.evaluation.name": metric,
                "gen_ai.evaluation.score.value": float(score),
                "gen_ai.evaluation.score.label": self.label(run, metric, score),
                "gen_ai.evaluation.explanation": observed.reasons.get(metric),
                **common,
            }
            record: dict[str, Any] = {"timeUnixNano": when, "eventName": EVENT}
            if trace:
                record["traceId"] = trace
            if span:
                record["spanId"] = span
            record["attributes"] = _attributes(attributes)
            records.append(record)
        scope = {"scope": self.scope, "logRecords": records}
        export = {"resourceLogs": [{"resource": self.resource, "scopeLogs": [scope]}]}
        return orjson.dumps(export) + b"\n"
