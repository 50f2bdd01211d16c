"""Other tools' trajectory files as run records (``taskgate import FORMAT INPUT...``).

One module per format; adding one is a module and a line in :data:`FORMATS`.
"""

from __future__ import annotations

import gzip
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson

from taskgate.errors import InputError, Problem
from taskgate.importers import (
    adk_evalset,
    atif,
    claude_agent,
    langchain,
    openai_agents,
    openai_messages,
    otel,
    tau2,
    tau_bench,
)
from taskgate.importers.common import Importer, ImportResult, NotThisFormat
from taskgate.importers.detect import RUNS, classify, wrong_format
from taskgate.model.record import RunRecord
from taskgate.output import write_atomic

FORMATS: dict[str, Importer] = {
    "openai-messages": openai_messages.import_file,
    "tau-bench": tau_bench.import_file,
    "tau2": tau2.import_file,
    "otel": otel.import_file,
    "langchain": langchain.import_file,
    "claude-agent": claude_agent.import_file,
    "openai-agents": openai_agents.import_file,
    "atif": atif.import_file,
}

TASK_FORMATS = {
    "adk-evalset": adk_evalset.import_tasks,
}
"""Formats that hold golden expectations, not runs: they import as a tasks file."""

__all__ = [
    "FORMATS",
    "TASK_FORMATS",
    "ImportResult",
    "Importer",
    "detect_format",
    "dump_records",
    "import_files",
    "import_task_files",
    "record_json",
    "write_records",
    "write_tasks",
]


def import_files(
    fmt: str, inputs: Sequence[str], cohort: Mapping[str, str] | None = None
) -> ImportResult:
    """Import every input file of format ``fmt``, in order.

    ``cohort`` pairs (``--cohort key=value``) are merged into every record's cohort and win
    over what the source says. Raises InputError for an unknown format, a bad cohort pair,
    an unreadable file, or a file that is not of the format (naming the one it looks like).
    """
    importer = _importer(fmt)
    extra = _checked_cohort(cohort or {})
    records: list[RunRecord] = []
    problems: list[Problem] = []
    notes: list[str] = []
    for path, prefix in zip(inputs, prefixes(inputs), strict=True):
        try:
            result = importer(path, prefix)
        except NotThisFormat as exc:
            raise wrong_format(path, fmt, str(exc)) from None
        records += [_with_cohort(record, extra) for record in result.records]
        problems += result.problems
        notes += result.notes
    unique_records, duplicates = _unique_run_ids(records)
    return ImportResult(unique_records, problems + duplicates, notes)


def detect_format(path: str) -> str | None:
    """The import format ``path`` looks like, or None; InputError if it cannot be read."""
    found = classify(path)
    return found if found in FORMATS else None


def prefixes(inputs: Sequence[str]) -> list[str]:
    """What each input's run ids start with: its file stem, or its path when stems clash."""
    stems = [_stem(path) for path in inputs]
    return [
        stem if stems.count(stem) == 1 else _without_suffix(path)
        for stem, path in zip(stems, inputs, strict=True)
    ]


def _stem(path: str) -> str:
    return "stdin" if path == "-" else Path(_without_suffix(path)).name


def _without_suffix(path: str) -> str:
    for suffix in (".gz", ".jsonl", ".json"):
        path = path.removesuffix(suffix)
    return path.replace("\\", "/")


def import_task_files(fmt: str, inputs: Sequence[str]) -> adk_evalset.TaskImport:
    """Import every input of the tasks format ``fmt``, in order; a task id given twice is a
    problem of the second."""
    found = adk_evalset.TaskImport([])
    seen: dict[str, str] = {}
    for path in inputs:
        try:
            part = TASK_FORMATS[fmt](path)
        except NotThisFormat as exc:
            raise wrong_format(path, fmt, str(exc)) from None
        for task in part.tasks:
            task_id = task["task_id"]
            if task_id in seen:
                message = f"task_id {task_id!r} is already in {seen[task_id]}; make ids unique"
                found.problems.append(Problem(path, None, "task_id", message))
                continue
            seen[task_id] = path
            found.tasks.append(task)
        found.problems += part.problems
        found.notes += part.notes
    return found


def write_tasks(path: Path, tasks: Sequence[Mapping[str, Any]]) -> None:
    """Write a tasks file atomically: one ``{"task_id", task fields}`` object a line."""
    write_atomic(path, b"".join(orjson.dumps(dict(task)) + b"\n" for task in tasks))


def _importer(fmt: str) -> Importer:
    if fmt not in FORMATS:
        known = ", ".join([*FORMATS, *TASK_FORMATS])
        message = f"unknown import format {fmt!r}; use one of: {known}"
        if fmt == RUNS:
            message += " (run files need no import: taskgate score FILE)"
        raise InputError([Problem("FORMAT", None, None, message)])
    return FORMATS[fmt]


def _checked_cohort(cohort: Mapping[str, str]) -> dict[str, str]:
    problems = [
        Problem("--cohort", None, key or None, "a cohort pair needs a key and a value: key=value")
        for key, value in cohort.items()
        if not key.strip() or not str(value).strip()
    ]
    if problems:
        raise InputError(problems)
    return dict(cohort)


def _with_cohort(record: RunRecord, extra: dict[str, str]) -> RunRecord:
    if not extra:
        return record
    return record.model_copy(update={"cohort": {**record.cohort, **extra}})


def _unique_run_ids(records: list[RunRecord]) -> tuple[list[RunRecord], list[Problem]]:
    """Keep the first record of each run id; report the others where they came from."""
    first: dict[str, str] = {}
    kept: list[RunRecord] = []
    problems: list[Problem] = []
    for record in records:
        origin = dict((record.model_extra or {}).get("imported_from") or {})
        place = _place(origin)
        if record.run_id in first:
            message = (
                f"duplicate run_id {record.run_id!r} (first from {first[record.run_id]}); "
                "give each input its own file name or each run its own run_id"
            )
            field = origin.get("field")
            problems.append(
                Problem(str(origin.get("file", "")), origin.get("line"), field, message)
            )
            continue
        first[record.run_id] = place
        kept.append(record)
    return kept, problems


def _place(origin: dict[str, object]) -> str:
    where = str(origin.get("file", "?"))
    if origin.get("line") is not None:
        where += f":{origin['line']}"
    if origin.get("field") is not None:
        where += f" {origin['field']}"
    return where


def dump_records(records: Sequence[RunRecord]) -> bytes:
    """Run records as JSONL, as :func:`record_json` has them: what `score` reads."""
    return b"".join(orjson.dumps(record_json(record)) + b"\n" for record in records)


_STEP_DEFAULTS: dict[str, Any] = {"role": "agent", "tool_calls": [], "is_final": False}
_CALL_DEFAULTS: dict[str, Any] = {"optional": False}


def record_json(record: RunRecord) -> dict[str, Any]:
    """A record as JSON, fields in model order; nulls left out, and so are the fields of steps
    and expected calls at their default, which every step and call would otherwise repeat.
    Read back, it validates to the same record."""
    data = record.model_dump(mode="json", by_alias=True, exclude_none=True)
    data["steps"] = [_without(step, _STEP_DEFAULTS) for step in data["steps"]]
    task = data.get("task")
    if task is not None:
        task["expected_calls"] = [_without(c, _CALL_DEFAULTS) for c in task["expected_calls"]]
    return data


def _without(fields: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value for key, value in fields.items() if key not in defaults or value != defaults[key]
    }


def write_records(path: Path, records: Sequence[RunRecord]) -> None:
    """Write run records atomically; a name ending in .gz is gzip-compressed."""
    data = dump_records(records)
    if path.name.endswith(".gz"):
        data = gzip.compress(data, mtime=0)  # mtime 0: the same records give the same bytes
    write_atomic(path, data)
