"""Streaming input and atomic output.

Run files are read one line at a time, so memory does not grow with the
length of the file; each line becomes a validated record or a Problem.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import sys
import tempfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, cast

import orjson
from pydantic import ValidationError

from taskgate.errors import InputError, OutputError, Problem
from taskgate.messages import describe, field_path, show_value
from taskgate.models import RunRecord, Task

STDIN = "-"
Progress = Callable[[int], None]
_BOM = b"\xef\xbb\xbf"


_GZIP_MAGIC = b"\x1f\x8b"


def _open_binary(source: str) -> IO[bytes]:
    """Open a file or standard input; gzip is recognised by its first bytes, not its name."""
    handle = sys.stdin.buffer if source == STDIN else _open_file(source)
    buffered = handle if isinstance(handle, io.BufferedReader) else _buffered(handle)
    if buffered.peek(2)[:2] == _GZIP_MAGIC:
        return gzip.GzipFile(fileobj=buffered, mode="rb")  # type: ignore[return-value]
    return buffered


def _buffered(handle: IO[bytes]) -> io.BufferedReader:
    return io.BufferedReader(cast(io.RawIOBase, handle))


def _open_file(source: str) -> IO[bytes]:
    path = Path(source)
    try:
        return open(path, "rb")
    except FileNotFoundError:
        raise InputError([Problem(source, None, None, "file not found; check the path")]) from None
    except IsADirectoryError:
        raise InputError([Problem(source, None, None, "is a folder; give a .jsonl file")]) from None
    except PermissionError:
        raise InputError(
            [Problem(source, None, None, "permission denied; make the file readable")]
        ) from None


def iter_lines(source: str, digest: Any = None) -> Iterator[tuple[int, bytes]]:
    """Yield ``(line_number, bytes)`` for each line, feeding ``digest`` if given.

    Raises InputError for a file that cannot be opened or decompressed.
    """
    handle = _open_binary(source)
    number = 0
    try:
        for number, raw in enumerate(handle, start=1):
            if digest is not None:
                digest.update(raw)
            yield number, raw[3:] if number == 1 and raw.startswith(_BOM) else raw
    except (OSError, EOFError, zlib.error) as exc:
        reason = "is truncated" if isinstance(exc, EOFError) else f"cannot be read ({exc})"
        raise InputError(
            [Problem(source, number + 1, None, f"the compressed file {reason}; write it again")]
        ) from None
    finally:
        if source != STDIN:
            handle.close()


def parse_json_line(source: str, number: int, raw: bytes) -> Any:
    """Decode one line, or raise InputError with where and why."""
    line = raw.rstrip(b"\r\n")
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise InputError([Problem(source, number, None, _json_problem(line, exc))]) from None


def _json_problem(line: bytes, exc: orjson.JSONDecodeError) -> str:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return "line is not valid UTF-8; save the file as UTF-8"
    rest = line[exc.pos : exc.pos + 9].lstrip(b"-")
    if rest.startswith((b"NaN", b"Infinity")):
        return f"not valid JSON at column {exc.pos + 1}: NaN and Infinity are not JSON; write null"
    reason = exc.msg.split(":")[0]
    return f"not valid JSON at column {exc.pos + 1} ({reason}); each line must be one JSON object"


def validation_problems(source: str, number: int, exc: ValidationError) -> list[Problem]:
    return [
        Problem(source, number, field_path(err["loc"]) or None, describe(err))
        for err in exc.errors(include_url=False)
    ]


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
    seen: dict[str, int] = field(default_factory=dict)
    """run_id -> the line it was first seen on."""
    progress: Progress | None = None
    """Told the size of each line read, for a progress bar."""

    def __iter__(self) -> Iterator[tuple[int, RunRecord]]:
        for number, raw in iter_lines(self.source, self.digest):
            if self.progress is not None:
                self.progress(len(raw))
            if not raw.strip():
                continue
            record = self._record(number, raw)
            if record is not None:
                yield number, record

    def _record(self, number: int, raw: bytes) -> RunRecord | None:
        record, problems = self._parse(number, raw)
        if problems:
            self.problems.extend(problems)
            self.invalid_lines += 1
            return None
        return record

    def _parse(self, number: int, raw: bytes) -> tuple[RunRecord | None, list[Problem]]:
        try:
            data = parse_json_line(self.source, number, raw)
        except InputError as exc:
            return None, exc.problems
        if not isinstance(data, dict):
            message = f"expected a JSON object, got {show_value(data)}"
            return None, [Problem(self.source, number, None, message)]
        try:
            record = RunRecord.model_validate(data)
        except ValidationError as exc:
            return None, validation_problems(self.source, number, exc)
        problems = self._check_unique(number, record) + self._join_task(number, record)
        if record.task is None and self.tasks is not None and not problems:
            record = record.model_copy(update={"task": self.tasks[record.task_id]})
        return record, problems

    def _check_unique(self, number: int, record: RunRecord) -> list[Problem]:
        first = self.seen.setdefault(record.run_id, number)
        if first == number:
            return []
        message = (
            f"duplicate run_id {record.run_id!r} (first on line {first}); run ids must be unique"
        )
        return [Problem(self.source, number, "run_id", message)]

    def _join_task(self, number: int, record: RunRecord) -> list[Problem]:
        if record.task is not None or self.tasks is None or record.task_id in self.tasks:
            return []
        message = (
            f"unknown task {record.task_id!r}: not in the tasks file and the record has no 'task'; "
            "add the task to the tasks file"
        )
        return [Problem(self.source, number, "task_id", message)]

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
    return tasks


def _add_task(tasks: dict[str, Task], source: str, number: int, data: Any) -> list[Problem]:
    if not isinstance(data, dict):
        return [Problem(source, number, None, "expected a JSON object with a task_id")]
    task_id = data.pop("task_id", None)
    if not isinstance(task_id, str) or not task_id:
        return [Problem(source, number, "task_id", "required field is missing; add it")]
    if task_id in tasks:
        return [Problem(source, number, "task_id", f"duplicate task_id {task_id!r}")]
    try:
        tasks[task_id] = Task.model_validate(data)
    except ValidationError as exc:
        return validation_problems(source, number, exc)
    return []


def _mode_for(path: Path) -> int:
    """Keep an existing file's permissions; give a new one what the umask allows."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that an interrupted write leaves the old file whole."""
    folder = path.parent
    if not folder.is_dir():
        raise OutputError(f"cannot write {path}: folder {str(folder)!r} does not exist; create it")
    try:
        fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, _mode_for(path))
        os.replace(temp, path)
    except BaseException as exc:
        Path(temp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write {path}: {exc.strerror}") from None
        raise
