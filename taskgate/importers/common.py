"""What every importer shares: the result type, where a record came from, validation.

An importer maps one file. A record it cannot map becomes a :class:`Problem` naming the
file, the line (JSONL) or the index (a field such as ``simulations[3]``) and the reason;
the other records still import. A file that is not of the format at all is an
:class:`InputError` raised by the caller, never a pile of per-record problems.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
from pydantic import ValidationError

from taskgate.errors import InputError, Problem
from taskgate.model.messages import describe, field_path
from taskgate.model.record import RunRecord
from taskgate.read.runs import iter_lines, parse_json_line


@dataclass(frozen=True)
class ImportResult:
    """The records of one import, and what could not be mapped."""

    records: list[RunRecord]
    problems: list[Problem]
    """One per record that could not be mapped: where it is and why. Never a silent drop."""
    notes: list[str] = field(default_factory=list)
    """Things worth saying that are not problems, e.g. a file that holds no runs."""


Importer = Callable[[str, str], ImportResult]
"""``(path, prefix) -> ImportResult``; ``prefix`` makes run ids unique across inputs."""


class Unmappable(Exception):
    """One record cannot be mapped; ``field`` is relative to the record, when there is one."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class NotThisFormat(Exception):
    """The file is not of the importer's format; the caller says what it looks like."""


@dataclass(frozen=True)
class Where:
    """Where a record sits in its file: a JSONL line, or a field such as ``simulations[3]``."""

    source: str
    line: int | None = None
    field: str | None = None

    def problem(self, message: str, sub: str | None = None) -> Problem:
        return Problem(self.source, self.line, join_field(self.field, sub), message)

    def origin(self) -> dict[str, Any]:
        """Kept on the record as ``imported_from``, to trace a run back to its source."""
        place: dict[str, Any] = {"file": self.source}
        if self.line is not None:
            place["line"] = self.line
        if self.field is not None:
            place["field"] = self.field
        return place


def join_field(prefix: str | None, sub: str | None) -> str | None:
    if not sub:
        return prefix
    if not prefix:
        return sub
    return f"{prefix}{sub}" if sub.startswith("[") else f"{prefix}.{sub}"


def build_record(where: Where, build: Callable[[], dict[str, Any]]) -> RunRecord | list[Problem]:
    """Map one source record with ``build`` and validate it, or say why it cannot be."""
    try:
        built = build()
    except Unmappable as exc:
        return [where.problem(exc.message, exc.field)]
    # An extra field the source leaves empty is left out, as the written record leaves it
    # out, so a record read back equals the one imported; a null record field is still
    # checked (and refused where it may not be null).
    data = {
        key: value
        for key, value in built.items()
        if value is not None or key in RunRecord.model_fields
    }
    data["imported_from"] = where.origin()
    try:
        return RunRecord.model_validate(data)
    except ValidationError as exc:
        return [
            where.problem(f"{describe(err)} (in the mapped record)", field_path(err["loc"]))
            for err in exc.errors(include_url=False)
        ]


def collect(items: Iterator[tuple[Where, Callable[[], dict[str, Any]]]]) -> ImportResult:
    records: list[RunRecord] = []
    problems: list[Problem] = []
    for where, build in items:
        outcome = build_record(where, build)
        if isinstance(outcome, RunRecord):
            records.append(outcome)
        else:
            problems += outcome
    return ImportResult(records, problems)


def load_json(path: str) -> Any:
    """The whole file as one JSON value (gzip allowed).

    Raises NotThisFormat when it is not one JSON value, InputError when it cannot be read.
    """
    data = b"".join(raw for _, raw in iter_lines(path))
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise NotThisFormat(f"not valid JSON ({exc.msg.split(':')[0]})") from None


@dataclass(frozen=True)
class BadLine:
    """A line that is not JSON: a problem for that line, not for the file."""

    message: str


def json_lines(path: str) -> Iterator[tuple[int, Any]]:
    """``(line number, value)`` of each non-blank line; a BadLine where it is not JSON."""
    for number, raw in iter_lines(path):
        if not raw.strip():
            continue
        try:
            yield number, parse_json_line(path, number, raw)
        except InputError as exc:
            yield number, BadLine(exc.problems[0].message)


def first_json_line(path: str) -> Any:
    """The first non-blank line's value, or None when it is not JSON."""
    for _, value in json_lines(path):
        return None if isinstance(value, BadLine) else value
    return None


def text(value: Any) -> str | None:
    """Message content as text: strings as they are, lists of parts joined, else JSON."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list):
        parts = [part.get("text") if isinstance(part, dict) else part for part in value]
        return "\n".join(str(p) for p in parts if isinstance(p, str))
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def label(value: Any) -> str | None:
    """A cohort value: non-empty text, or None when the source has nothing to say."""
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    shown = str(value).strip()
    return shown or None


def cohort_of(pairs: Mapping[str, Any]) -> dict[str, str]:
    """The cohort labels the source knows, leaving out the ones it does not."""
    return {key: shown for key, value in pairs.items() if (shown := label(value)) is not None}


def unique(names: list[str]) -> list[str]:
    """Names in first-seen order, without repeats."""
    return list(dict.fromkeys(names))


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def total_cost(costs: list[float]) -> float:
    """Costs summed exactly (the same on every Python), to 9 decimals. Past the float range
    the total is inf, or nan for inf - inf, as a plain sum gives it: the record's cost check
    then refuses it as bad input."""
    try:
        return round(math.fsum(costs), 9)
    except (OverflowError, ValueError):
        return round(sum(costs), 9)
