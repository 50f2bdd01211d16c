"""Shared by the importer tests: the sample files and how records are written out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from taskgate.importers import dump_records, record_json
from taskgate.model.record import RunRecord

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "import"
TAU_BENCH = SAMPLES / "tau-bench" / "gpt-4o-airline.json"
TAU2_AIRLINE = SAMPLES / "tau2" / "airline-grok-3.json"
TAU2_TELECOM = SAMPLES / "tau2" / "telecom-grok-3.json"
TAU2_ABORTED = SAMPLES / "tau2" / "airline-grok-3-aborted.json"
OPENAI = SAMPLES / "openai" / "runs.jsonl"
OTLP = SAMPLES / "otel" / "otlp-traces.json"
SPANS = SAMPLES / "otel" / "spans.jsonl"
GENAI = SAMPLES / "otel" / "genai-otlp.json"
OPENLLMETRY = SAMPLES / "otel" / "openllmetry-spans.jsonl"
LANGCHAIN = SAMPLES / "langchain" / "graph_states.jsonl"
CLAUDE = SAMPLES / "claude-agent" / "refund-1182.jsonl"
AGENTS = SAMPLES / "openai-agents" / "runs.jsonl"
ATIF = SAMPLES / "atif" / "trajectory.json"
EVALSET = SAMPLES / "adk-evalset" / "billing.evalset.json"


def jsonl(records: list[RunRecord]) -> bytes:
    """Records as the import command writes them."""
    return dump_records(records)


def assert_round_trips(records: list[RunRecord]) -> None:
    """Each record, written and read back, is the record imported, field for field."""
    for record in records:
        again = RunRecord.model_validate(orjson.loads(dump_records([record])))
        assert again == record
        assert record_json(again) == record_json(record)


def write_json(path: Path, value: Any) -> str:
    path.write_bytes(orjson.dumps(value))
    return str(path)


def write_lines(path: Path, values: list[Any]) -> str:
    path.write_bytes(b"".join(orjson.dumps(value) + b"\n" for value in values))
    return str(path)


def clean_import(fmt: str, path: Path) -> list[RunRecord]:
    """The records of a sample that imports with no problem and nothing to note."""
    from taskgate.importers import import_files

    result = import_files(fmt, [str(path)])
    assert (result.problems, result.notes) == ([], [])
    return result.records


def step_rows(run: RunRecord, thought: bool = False) -> list[tuple[Any, ...]]:
    """Each step as (role, agent[, thought], message, calls, is_final); a call as (name,
    arguments, result, error)."""
    return [
        (
            step.role,
            step.agent,
            *((step.thought,) if thought else ()),
            step.message,
            [(c.name, c.arguments, c.result, c.error) for c in step.tool_calls],
            step.is_final,
        )
        for step in run.steps
    ]
