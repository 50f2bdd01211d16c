"""Streaming input: run files and task files.

Run files are read one line at a time, so memory does not grow with the
length of the file; each line becomes a validated record or a Problem.
Outputs are written by taskgate.output.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import stat
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, cast

import orjson
from pydantic import ValidationError

from taskgate.errors import MAX_KEPT_PROBLEMS, InputError, Problem, unreadable_path
from taskgate.model.jsondepth import MAX_DEPTH, TOO_DEEP, nesting_depth
from taskgate.model.messages import describe, field_path, show_value
from taskgate.model.record import RunRecord, Task
from taskgate.read.aliases import alias_errors, missing_field_hint, task_alias_errors
from taskgate.read.run_ids import FirstLines

STDIN = "-"
Progress = Callable[[int], None]
_BOM = b"\xef\xbb\xbf"
_GZIP_MAGIC = b"\x1f\x8b"

MAX_LINE_BYTES = 10_000_000
"""A record longer than this is refused unread: scoring its text would take minutes."""


READ_BUFFER_BYTES = 1 << 20


def _open_binary(source: str) -> IO[bytes]:
    """Open a file or standard input; gzip is recognised by its first bytes, not its name."""
    handle = sys.stdin.buffer if source == STDIN else _open_file(source)
    buffered = handle if isinstance(handle, io.BufferedReader) else _buffered(handle)
    if buffered.peek(2)[:2] == _GZIP_MAGIC:
        # Counted as it is read: a pipe cannot tell how much of it came in (tell), and the
        # expansion bound needs that.
        counted = io.BufferedReader(_Counting(buffered), READ_BUFFER_BYTES)
        return gzip.GzipFile(fileobj=counted, mode="rb")  # type: ignore[return-value]
    return buffered


class _Counting(io.RawIOBase):
    """A reader that counts the bytes read through it."""

    def __init__(self, inner: IO[bytes]) -> None:
        self.inner = inner
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.inner.read(len(buffer))
        buffer[: len(data)] = data
        self.count += len(data)
        return len(data)

    def close(self) -> None:
        self.inner.close()
        super().close()


def _buffered(handle: IO[bytes]) -> io.BufferedReader:
    return io.BufferedReader(cast(io.RawIOBase, handle))


def _open_file(source: str) -> IO[bytes]:
    if not source:
        raise InputError([Problem(source, None, None, "no path given; give a .jsonl file")])
    try:
        # Run records are often longer than the default 8 KiB buffer, and reading such lines
        # through it cost several times more than reading through a larger one.
        handle = open(Path(source), "rb", buffering=READ_BUFFER_BYTES)  # noqa: SIM115
    except OSError as exc:
        message = unreadable_path(exc, "give a .jsonl file")
        raise InputError([Problem(source, None, None, message)]) from None
    if _endless_device(handle):
        handle.close()
        message = (
            "is a device, not a file (its input never ends); give a .jsonl file, "
            "or - for standard input"
        )
        raise InputError([Problem(source, None, None, message)])
    return handle


def _endless_device(handle: IO[bytes]) -> bool:
    """/dev/zero, /dev/urandom and their like; a terminal, a pipe or /dev/null may be read."""
    found = os.fstat(handle.fileno())
    if not (stat.S_ISCHR(found.st_mode) or stat.S_ISBLK(found.st_mode)) or handle.isatty():
        return False
    try:
        return found.st_rdev != os.stat(os.devnull).st_rdev
    except OSError:
        return True


def iter_lines(source: str, digest: Any = None) -> Iterator[tuple[int, bytes]]:
    """Yield ``(line_number, bytes)`` for each line, feeding ``digest`` if given.

    Raises InputError for a file that cannot be opened or decompressed, a line that never
    ends, or a compressed file that expands as no run file does.
    """
    handle = _open_binary(source)
    number = 0
    try:
        for number, raw in enumerate(_bounded_lines(handle, digest), start=1):
            yield number, raw[3:] if number == 1 and raw.startswith(_BOM) else raw
    except (OSError, EOFError, zlib.error) as exc:
        reason = "is truncated" if isinstance(exc, EOFError) else f"cannot be read ({exc})"
        raise InputError(
            [Problem(source, number + 1, None, f"the compressed file {reason}; write it again")]
        ) from None
    except _Unbounded as exc:
        raise InputError([Problem(source, number + 1, None, str(exc))]) from None
    finally:
        if source != STDIN:
            handle.close()


MAX_SKIPPED_BYTES = 1 << 30
"""The most of one overlong line read past (to find where the next line starts)."""
MAX_EXPANSION = 400
"""How many times its compressed size a gzip file may expand to. Run files compress 5 to
50 times; a file of one line repeated compresses a thousand times and is no run file."""
_EXPANSION_CHECK_BYTES = 64 << 20
_SMALLEST_BOMB = 4 << 20  # below this, whatever it expands from costs little to read


class _Unbounded(Exception):
    """Input that would be read without end: said as a problem at the line reached."""


def _bounded_lines(handle: IO[bytes], digest: Any) -> Iterator[bytes]:
    """Lines of at most MAX_LINE_BYTES + 1 bytes: the rest of a longer line is skipped unread,
    so one huge line cannot take the memory; :func:`parse_json_line` refuses it by its length.
    """
    expanded, next_check, lines = 0, _EXPANSION_CHECK_BYTES, 0
    while raw := handle.readline(MAX_LINE_BYTES + 1):
        if digest is not None:
            digest.update(raw)
        expanded += len(raw)
        lines += 1
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            expanded += _skip_line(handle, digest)
        # by bytes, and by lines for files of tiny lines (blank ones cost a line's work each)
        if expanded >= next_check or not lines & 0xFFFF:
            _check_expansion(handle, expanded)
            next_check = expanded + _EXPANSION_CHECK_BYTES
        yield raw


def _skip_line(handle: IO[bytes], digest: Any) -> int:
    skipped = 0
    while rest := handle.readline(MAX_LINE_BYTES):
        if digest is not None:
            digest.update(rest)
        skipped += len(rest)
        if rest.endswith(b"\n"):
            return skipped
        if skipped > MAX_SKIPPED_BYTES:
            raise _Unbounded(
                f"the line does not end within {MAX_SKIPPED_BYTES:,} bytes; is this a run "
                "file? (it reads as one endless line, as /dev/zero does)"
            )
    return skipped


def _check_expansion(handle: IO[bytes], expanded: int) -> None:
    if not isinstance(handle, gzip.GzipFile):
        return
    counter = getattr(handle.fileobj, "raw", None)
    if not isinstance(counter, _Counting):
        return
    compressed = counter.count
    if compressed > 0 and expanded > max(MAX_EXPANSION * compressed, _SMALLEST_BOMB):
        raise _Unbounded(
            f"the compressed file expands more than {MAX_EXPANSION} times its size "
            f"({compressed:,} bytes to over {expanded:,} so far), which no run file does; "
            "is it one line repeated? Remove the repeats, or give the file uncompressed"
        )


def parse_json_line(source: str, number: int, raw: bytes) -> Any:
    """Decode one line, or raise InputError with where and why."""
    line = raw.rstrip(b"\r\n")
    if len(line) > MAX_LINE_BYTES:
        message = (
            f"the line is longer than {MAX_LINE_BYTES:,} bytes, the most a run record may take; "
            "trim long tool results and observations"
        )
        raise InputError([Problem(source, number, None, message)])
    try:
        value = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise InputError([Problem(source, number, None, _json_problem(line, exc))]) from None
    too_deep = _too_deep(value) if nesting_depth(line, MAX_DEPTH) > MAX_DEPTH else None
    if too_deep is not None:
        raise InputError([Problem(source, number, too_deep or None, TOO_DEEP)])
    return value


def _too_deep(value: Any) -> str | None:
    """The top-level key under which the value nests deeper than MAX_DEPTH ('' for the
    value itself), or None. Iterative: a recursive walk would itself run out of stack."""
    pending: list[tuple[Any, int, str]] = [(value, 1, "")]
    while pending:
        item, depth, key = pending.pop()
        if not isinstance(item, dict | list):
            continue
        if depth > MAX_DEPTH:
            return key
        if isinstance(item, list):
            pending += [(child, depth + 1, key) for child in item]
        else:
            pending += [(child, depth + 1, key or str(name)) for name, child in item.items()]
    return None


def _json_problem(line: bytes, exc: orjson.JSONDecodeError) -> str:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return "line is not valid UTF-8; save the file as UTF-8"
    where = f"not valid JSON at column {exc.pos + 1}"
    rest = line[exc.pos : exc.pos + 9].lstrip(b"-")
    if rest.startswith((b"NaN", b"Infinity")):
        return f"{where}: NaN and Infinity are not JSON; write null"
    if "infinity when parsed" in exc.msg:
        return f"{where}: the number is too large for a JSON number; write it as a string"
    if "depth limit" in exc.msg:
        return TOO_DEEP
    reason = exc.msg.split(":")[0]
    return f"{where} ({reason}); each line must be one JSON object"


def validation_problems(source: str, number: int, exc: ValidationError) -> list[Problem]:
    return [
        Problem(source, number, field_path(err["loc"]) or None, describe(err))
        for err in exc.errors(include_url=False)
    ]


def read_record(
    source: str, number: int, raw: bytes, tasks: dict[str, Task] | None
) -> tuple[RunRecord | None, list[Problem]]:
    """One line as a validated record, its task joined from ``tasks`` when it has none.

    The record comes back even when its task is unknown (with that problem), so that
    its run_id still counts as seen.
    """
    try:
        data = parse_json_line(source, number, raw)
    except InputError as exc:
        return None, exc.problems
    if not isinstance(data, dict):
        return None, [
            Problem(source, number, None, f"expected a JSON object, got {show_value(data)}")
        ]
    try:
        record = RunRecord.model_validate(data)
    except ValidationError as exc:
        return None, [_with_hint(p, data) for p in validation_problems(source, number, exc)]
    own_task = record.task is not None
    if record.task is None and tasks is not None and record.task_id in tasks:
        record = record.model_copy(update={"task": tasks[record.task_id]})
    misnamed = alias_errors(source, number, record, own_task)
    if misnamed or record.task is not None or tasks is None:
        return record, misnamed
    message = (
        f"unknown task {record.task_id!r}: not in the tasks file and the record has no 'task'; "
        "add the task to the tasks file"
    )
    return record, [Problem(source, number, "task_id", message)]


def _with_hint(problem: Problem, data: dict[str, Any]) -> Problem:
    """A missing required field's message, naming the other tool's field the record has."""
    hint = missing_field_hint(problem.field or "", data) if problem.line is not None else None
    if hint is None or not problem.message.startswith("required field is missing"):
        return problem
    return Problem(
        problem.source, problem.line, problem.field, f"required field is missing; {hint}"
    )


@dataclass
class RunReader:
    """Reads a run file, yielding valid records and collecting problems.

    ``tasks`` joins records without a ``task`` to a tasks file on task_id.
    """

    source: str
    tasks: dict[str, Task] | None = None
    problems: list[Problem] = field(default_factory=list)
    invalid_lines: int = 0
    digest: Any = field(default_factory=hashlib.sha256)
    seen: FirstLines = field(default_factory=lambda: dict[str, int]())
    """run_id -> the line it was first seen on (``RunIdDigests`` where only the check is
    needed and the runs are many)."""
    progress: Progress | None = None
    """Told the size of each line read, for a progress bar."""
    unkept: int = 0
    """Problems counted beyond the MAX_KEPT_PROBLEMS kept in ``problems``."""

    def lines(self) -> Iterator[tuple[int, bytes]]:
        """The file's non-blank lines with their numbers, told to the progress callback."""
        for number, raw in iter_lines(self.source, self.digest):
            if self.progress is not None:
                self.progress(len(raw))
            if raw.strip():
                yield number, raw

    def lines_of(self, lines: Iterable[bytes]) -> Iterator[tuple[int, bytes]]:
        """``lines`` numbered from 1 and digested, as ``lines`` does with the file's."""
        for number, raw in enumerate(lines, 1):
            self.digest.update(raw)
            if raw.strip():
                yield number, raw

    def __iter__(self) -> Iterator[tuple[int, RunRecord]]:
        """Valid, unique records with their line numbers; problems are collected."""
        for number, raw in self.lines():
            record, problems = read_record(self.source, number, raw, self.tasks)
            if self.accept(number, record.run_id if record else None, problems) and record:
                yield number, record

    def accept(self, number: int, run_id: str | None, problems: list[Problem]) -> bool:
        """Whether line ``number`` is a run to keep: true when it has no problems and its
        run_id is new; else it is rejected, a duplicate as one whatever else was wrong."""
        problems = self.check_unique(number, run_id) + problems
        if problems:
            self.reject(problems)
            return False
        return True

    def reject(self, problems: list[Problem]) -> None:
        """A line that is not a valid record: count it, and keep its problems while few."""
        self.invalid_lines += 1
        room = MAX_KEPT_PROBLEMS - len(self.problems)
        self.problems.extend(problems[: max(room, 0)])
        self.unkept += max(len(problems) - max(room, 0), 0)

    def check_unique(self, number: int, run_id: str | None) -> list[Problem]:
        """A problem when ``run_id`` was already seen on an earlier line."""
        if run_id is None:
            return []
        first = self.seen.setdefault(run_id, number)
        if first == number:
            return []
        message = f"duplicate run_id {run_id!r} (first on line {first}); run ids must be unique"
        return [Problem(self.source, number, "run_id", message)]

    @property
    def sha256(self) -> str:
        return str(self.digest.hexdigest())


def load_tasks(source: str) -> dict[str, Task]:
    """Read a tasks file: one JSON object per line, ``task_id`` plus task fields."""
    tasks: dict[str, Task] = {}
    problems: list[Problem] = []
    for number, raw in iter_lines(source):
        if not raw.strip():
            continue
        try:
            data = parse_json_line(source, number, raw)
        except InputError as exc:
            problems += exc.problems
            continue
        problems += _add_task(tasks, source, number, data)
    if problems:
        raise InputError(problems, headline=f"{source}: the tasks file has problems")
    if not tasks:
        message = "no tasks; write one JSON object per line: task_id plus the task's fields"
        raise InputError([Problem(source, None, None, message)])
    return tasks


def _add_task(tasks: dict[str, Task], source: str, number: int, data: Any) -> list[Problem]:
    if not isinstance(data, dict):
        message = f"expected a JSON object with a task_id, got {show_value(data)}"
        return [Problem(source, number, None, message)]
    task_id = data.pop("task_id", None)
    if task_id is None:
        return [Problem(source, number, "task_id", "required field is missing; add it")]
    if not isinstance(task_id, str) or not task_id:
        message = f"expected a non-empty string, got {show_value(task_id)}"
        return [Problem(source, number, "task_id", message)]
    if task_id in tasks:
        message = f"duplicate task_id {task_id!r}; keep one line per task"
        return [Problem(source, number, "task_id", message)]
    try:
        task = Task.model_validate(data)
    except ValidationError as exc:
        return validation_problems(source, number, exc)
    misnamed = task_alias_errors(source, number, task)
    if not misnamed:
        tasks[task_id] = task
    return misnamed
