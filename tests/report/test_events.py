"""The monitor's evaluation events: a run's scores as OTLP JSON log records, the
``gen_ai.evaluation.result`` events of the OpenTelemetry GenAI conventions."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import orjson
import pytest

from taskgate.config.load import default_config
from taskgate.config.model import Config
from taskgate.model.report import Observed, RunResult
from taskgate.read.runs import RunReader
from taskgate.report.events import EVENT, EventWriter
from tests.conftest import make_result, write_jsonl
from tests.monitor.conftest import prod_run

STARTED = datetime(2026, 11, 3, 14, 5, 9, 250000, tzinfo=timezone.utc)
TRACE = "4BF92F3577B34DA6A3CE929D0E0E4736"
SPAN = "00f067aa0ba902b7"


def scored(tmp_path: Path, **fields: Any) -> RunResult:
    from taskgate.scoring.file import iter_scored

    record = prod_run("r-1", STARTED, **{k: v for k, v in fields.items() if k == "met"})
    record["started_at"] = "2026-11-03T15:05:09.25+01:00"  # the same instant, another offset
    record.update({k: v for k, v in fields.items() if k != "met"})
    reader = RunReader(str(write_jsonl(tmp_path / "r.jsonl", [record])))
    (run,) = iter_scored(reader, default_config(), observe=True)
    return run


def attributes(record: dict[str, Any]) -> dict[str, Any]:
    return {item["key"]: next(iter(item["value"].values())) for item in record["attributes"]}


def test_an_export_per_run_a_record_per_score(tmp_path: Path) -> None:
    run = scored(tmp_path, trace_id=TRACE, span_id=SPAN)
    export = orjson.loads(EventWriter(default_config()).line(run))
    (resource,) = export["resourceLogs"]
    assert resource["resource"] == {
        "attributes": [{"key": "service.name", "value": {"stringValue": "taskgate"}}]
    }
    (scope,) = resource["scopeLogs"]
    assert scope["scope"]["name"] == "taskgate"
    records = scope["logRecords"]
    assert [attributes(r)["gen_ai.evaluation.name"] for r in records] == [
        name for name, score in run.scores.items() if score is not None
    ]
    # 2026-11-03T14:05:09.25Z in nanoseconds since the epoch, worked out by hand: 56 years
    # with 14 leap days to 2026-01-01 (20,454 days), 304 more to November, 2 to the 3rd.
    nanos = ((56 * 365 + 14 + 304 + 2) * 86_400 + 14 * 3600 + 5 * 60 + 9) * 10**9 + 250_000_000
    first = records[0]
    assert (first["timeUnixNano"], first["eventName"]) == (str(nanos), EVENT)
    assert (first["traceId"], first["spanId"]) == (TRACE.lower(), SPAN)


def test_task_completion_is_labelled_pass_or_fail_and_the_rest_by_band(tmp_path: Path) -> None:
    writer = EventWriter(default_config())
    failed = scored(tmp_path, met=False)
    records = orjson.loads(writer.line(failed))["resourceLogs"][0]["scopeLogs"][0]["logRecords"]
    labels = {attributes(r)["gen_ai.evaluation.name"]: attributes(r) for r in records}
    completion = labels["task_completion"]
    assert completion["gen_ai.evaluation.score.label"] == "fail"
    assert completion["gen_ai.evaluation.score.value"] == failed.scores["task_completion"]
    assert completion["gen_ai.evaluation.explanation"].startswith("Final step reached.")
    assert completion["taskgate.run_id"] == "r-1"
    assert completion["taskgate.cohort.segment"] == "a"
    trajectory = labels["trajectory_score"]
    value = trajectory["gen_ai.evaluation.score.value"]
    band = "green" if value >= 0.7 else "yellow" if value >= 0.5 else "red"
    assert trajectory["gen_ai.evaluation.score.label"] == band


@pytest.mark.parametrize(
    ("trace", "span"),
    [
        ("not-hex-at-all", "xyz"),
        ("ab" * 15, "00f067aa0ba902"),
        (TRACE + "00", SPAN + "0"),
        ("0" * 32, "0" * 16),  # all zeros: invalid in the W3C trace context
    ],
)
def test_ids_that_are_not_opentelemetry_ones_are_kept_as_attributes(
    tmp_path: Path, trace: str, span: str
) -> None:
    run = scored(tmp_path, trace_id=trace, span_id=span)
    export = orjson.loads(EventWriter(default_config()).line(run))
    record = export["resourceLogs"][0]["scopeLogs"][0]["logRecords"][0]
    assert "traceId" not in record and "spanId" not in record
    found = attributes(record)
    assert (found["taskgate.trace_id"], found["taskgate.span_id"]) == (trace, span)


def test_a_run_without_ids_has_neither(tmp_path: Path) -> None:
    record = orjson.loads(EventWriter(default_config()).line(scored(tmp_path)))
    first = record["resourceLogs"][0]["scopeLogs"][0]["logRecords"][0]
    assert "traceId" not in first
    assert "taskgate.trace_id" not in attributes(first)


def observed(started: datetime | None, **ids: str) -> Observed:
    return Observed(
        started_at=started,
        latency_ms=None,
        tool_calls=0,
        tool_errors=0,
        final_step=True,
        trace_id=ids.get("trace"),
        span_id=ids.get("span"),
        reasons={"task_completion": "Final step reached."},
    )


def made(scores: dict[str, float | None], passed: bool | None, **ids: str) -> RunResult:
    # 10^9 seconds after the epoch, and 123456 microseconds: 2001-09-09T01:46:40.123456Z.
    started = datetime(2001, 9, 9, 1, 46, 40, 123456, tzinfo=timezone.utc)
    return make_result("r-9", "t-9", scores=scores, passed=passed, observed=observed(started))


def records_of(writer: EventWriter, run: RunResult) -> list[dict[str, Any]]:
    export = orjson.loads(writer.line(run))
    records: list[dict[str, Any]] = export["resourceLogs"][0]["scopeLogs"][0]["logRecords"]
    return records


def test_the_time_is_the_start_in_nanoseconds() -> None:
    (record,) = records_of(EventWriter(default_config()), made({"task_completion": 1.0}, True))
    assert record["timeUnixNano"] == "1000000000123456000"
    unknown = make_result("r-1", "t-1", scores={"task_completion": 1.0}, observed=observed(None))
    (record,) = records_of(EventWriter(default_config()), unknown)
    assert record["timeUnixNano"] == "0"


def test_labels_by_the_configs_bands() -> None:
    config = Config.model_validate(
        {"thresholds": {"trajectory_score": {"green": 0.8, "yellow": 0.4}}}
    )
    writer = EventWriter(config)
    run = made({"trajectory_score": 0.8}, None)
    labels = [
        (score, writer.label(run, "trajectory_score", score))
        for score in (1.0, 0.8, 0.79, 0.4, 0.39, 0.0)
    ]
    assert labels == [
        (1.0, "green"),
        (0.8, "green"),  # at the line is within it
        (0.79, "yellow"),
        (0.4, "yellow"),
        (0.39, "red"),
        (0.0, "red"),
    ]
    # task_completion of a judged run is its verdict, whatever the score; unjudged, its band.
    assert writer.label(made({}, True), "task_completion", 0.1) == "pass"
    assert writer.label(made({}, False), "task_completion", 0.99) == "fail"
    assert writer.label(made({}, None), "task_completion", 0.6) == "yellow"
    assert writer.label(run, "goal_progress", 0.5) is None  # no band for it


def test_the_attributes_and_their_kinds() -> None:
    run = made({"task_completion": 1.0, "goal_progress": 0.5, "grounding": None}, True)
    writer = EventWriter(default_config())
    completion, progress = records_of(writer, run)  # no record for a score of None
    assert completion["attributes"] == [
        {"key": "gen_ai.evaluation.name", "value": {"stringValue": "task_completion"}},
        {"key": "gen_ai.evaluation.score.value", "value": {"doubleValue": 1.0}},
        {"key": "gen_ai.evaluation.score.label", "value": {"stringValue": "pass"}},
        {"key": "gen_ai.evaluation.explanation", "value": {"stringValue": "Final step reached."}},
        {"key": "taskgate.run_id", "value": {"stringValue": "r-9"}},
        {"key": "taskgate.task_id", "value": {"stringValue": "t-9"}},
    ]
    # No band and no reason for goal_progress: neither attribute is written.
    assert [item["key"] for item in progress["attributes"]] == [
        "gen_ai.evaluation.name",
        "gen_ai.evaluation.score.value",
        "taskgate.run_id",
        "taskgate.task_id",
    ]
    assert records_of(writer, made({"grounding": None}, None)) == []


def test_valid_ids_are_lower_cased_and_carried_on_every_record() -> None:
    run = make_result(
        "r-1",
        "t-1",
        scores={"task_completion": 1.0, "trajectory_score": 1.0},
        observed=observed(None, trace=TRACE, span=SPAN.upper()),
    )
    records = records_of(EventWriter(default_config()), run)
    assert [(r["traceId"], r["spanId"]) for r in records] == [(TRACE.lower(), SPAN)] * 2
    for record in records:  # the ids are OpenTelemetry ones: no taskgate.trace_id beside them
        assert {k for k in attributes(record) if k.startswith("taskgate.")} == {
            "taskgate.run_id",
            "taskgate.task_id",
        }


def test_a_run_the_infrastructure_failed_is_labelled_so_not_failed(tmp_path: Path) -> None:
    outage = scored(tmp_path, status="error", error_kind="infrastructure", steps=[])
    assert outage.passed is False  # the gate's verdict stands; the label says whose it was
    records = records_of(EventWriter(default_config()), outage)
    assert records
    for record in records:
        found = attributes(record)
        assert found["gen_ai.evaluation.score.label"] == "infrastructure"
        assert found["error.type"] == "infrastructure"
    # The agent's own error is the agent's: labelled as any failure, no error.type.
    own = scored(tmp_path, status="error", error_kind="agent", steps=[])
    (completion,) = [
        attributes(r)
        for r in records_of(EventWriter(default_config()), own)
        if attributes(r)["gen_ai.evaluation.name"] == "task_completion"
    ]
    assert completion["gen_ai.evaluation.score.label"] == "fail"
    assert "error.type" not in completion
