"""A run file that is one JSON document rather than JSON lines: say what it is, in one line.

A τ-bench results file, a τ²-bench simulation file, an OpenTelemetry export or a taskgate
report given to ``score`` would otherwise be read line by line, and every line of a
pretty-printed document would be its own "not valid JSON" problem. Only the first line is
looked at on the way in; the whole file is read only when that line is not a run record.
"""

from __future__ import annotations

import os
from typing import Any

from taskgate.errors import InputError, Problem
from taskgate.read.runs import STDIN, iter_lines

MAX_DOCUMENT_BYTES = 1 << 30
"""Files larger than this are not read whole to say what they are."""


def refuse_documents(source: str) -> None:
    """Raise InputError when ``source`` is one JSON document or another tool's file."""
    if source == STDIN or not os.path.isfile(source):
        return  # a pipe or a FIFO can be read once only; a missing file is the reader's to say
    first = _first_line(source)
    if first is None:
        return
    value = _line(first)
    record_line = isinstance(value, dict) and "report_version" not in value
    whole = first.startswith((b"[", b"{")) and not record_line
    message = _what_it_is(source, value, whole)
    if message is not None:
        raise InputError([Problem(source, None, None, message)])


def refuse_task_documents(source: str) -> None:
    """Raise InputError when a tasks file (``--tasks``) is an eval set still to convert."""
    from taskgate.importers.detect import NAMES, classify_value

    if source == STDIN or not os.path.isfile(source):
        return
    first = _first_line(source)
    if first is None or not first.startswith(b"{"):
        return
    value = _line(first)
    if not (isinstance(value, dict) and "task_id" in value):
        value = _whole(source)
    if classify_value(value) == "adk-evalset":
        message = (
            f"this is {NAMES['adk-evalset']}, not a tasks file; convert it first: "
            f"taskgate import adk-evalset {source} -o tasks.jsonl"
        )
        raise InputError([Problem(source, None, None, message)])


def _first_line(source: str) -> bytes | None:
    for _, raw in iter_lines(source):
        if raw.strip():
            return raw.strip()
    return None


def _what_it_is(source: str, line: Any, whole: bool) -> str | None:
    """``line``: the first line's value (None when it is not JSON)."""
    from taskgate.importers.detect import NAMES, RUNS, classify_value

    value = _whole(source) if whole else line
    if value is None or (not whole and _record_like(value)):
        return None  # a run record, however wrong: the record's own problems say what
    if isinstance(value, dict) and "report_version" in value:
        return (
            "this is a taskgate JSON report, not a run file: give it as --baseline, or compare "
            "two reports with taskgate diff BASELINE CANDIDATE"
        )
    kind = classify_value(value)
    if not whole and kind in ("tau-bench", "tau2"):
        return (
            f"each line looks like one run of {NAMES[kind]}, not a taskgate run record; "
            f"taskgate import {kind} reads the benchmark's own results file (one JSON document)"
        )
    if kind == "adk-evalset":
        return (
            f"this is {NAMES[kind]}: convert it to a tasks file, then score runs against it: "
            f"taskgate import adk-evalset {source} -o tasks.jsonl; "
            "taskgate score RUNS --tasks tasks.jsonl"
        )
    if kind is not None and kind != RUNS:
        return (
            f"this is {NAMES[kind]}, not taskgate run records; convert it first: "
            f"taskgate import {kind} {source} -o runs.jsonl"
        )
    if not whole:
        return None
    if isinstance(value, dict) and "run_id" in value:
        return (
            "this is one run record over several lines, not JSON lines: write each record on "
            f"one line (JSONL), e.g. jq -c . {source} > runs.jsonl"
        )
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value[:100]):
        return (
            "this is one JSON array, not JSON lines: write one run record per line (JSONL), "
            f"e.g. jq -c '.[]' {source} > runs.jsonl"
        )
    return "this is one JSON document, not JSON lines: write one run record per line (JSONL)"


def _record_like(value: Any) -> bool:
    """A line with a run_id, unless it is a conversation with no steps: another tool's
    messages or items (chat-completions, LangChain, Responses) with ids added, which would
    score as empty runs."""
    if not isinstance(value, dict) or "run_id" not in value:
        return False
    if "steps" in value:
        return True
    lists = [isinstance(value.get(key), list) for key in ("messages", "items", "input", "output")]
    return not (lists[0] or lists[1] or (lists[2] and lists[3]))


def _whole(source: str) -> Any:
    from taskgate.importers.common import NotThisFormat, load_json

    try:
        if os.path.getsize(source) > MAX_DOCUMENT_BYTES:
            return None
        return load_json(source)
    except (NotThisFormat, OSError):
        return None


def _line(first: bytes) -> Any:
    import orjson

    try:
        return orjson.loads(first)
    except orjson.JSONDecodeError:
        return None
