"""taskgate's own errors: each carries a message a user can act on.

The CLI catches :class:`TaskgateError` in one place and exits with its message and
code (2, or 3 for a worker lost); anything else is a bug and exits 3 with a saved traceback.
"""

from __future__ import annotations

import errno
from collections.abc import Sequence
from dataclasses import dataclass

from taskgate.printable import printable

MAX_LISTED_PROBLEMS = 20
MAX_KEPT_PROBLEMS = 1000
"""Problems of one file kept in memory; the rest are counted (a file of a million bad lines
would otherwise hold a million messages)."""


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with an input: where it is and what to do about it."""

    source: str
    """The file as the user named it (``-`` for standard input)."""
    line: int | None
    """1-based line number, when the problem has one."""
    field: str | None
    """Dotted path of the offending field or config key, when there is one."""
    message: str
    """What is wrong and what to do, in one sentence or two."""

    def __str__(self) -> str:
        source = printable(self.source) if self.source else '""'
        where = source if self.line is None else f"{source}:{self.line}"
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


class TaskgateError(Exception):
    """A problem the user can fix; the message says what and where."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InputError(TaskgateError):
    """One or more problems in a run file, tasks file, config or baseline."""

    def __init__(
        self, problems: Sequence[Problem], headline: str | None = None, unkept: int = 0
    ) -> None:
        self.problems = list(problems)
        super().__init__(format_problems(self.problems, headline, unkept))


class ConfigError(InputError):
    """The config file is not valid."""


class BaselineError(InputError):
    """The baseline report cannot be used."""


class OutputError(TaskgateError):
    """An output file cannot be written."""


class WorkerError(TaskgateError):
    """A worker process stopped before it finished (killed from outside): nothing to fix in
    the input, but nothing was judged either, so it exits as an internal failure does."""

    exit_code = 3


def format_problems(
    problems: Sequence[Problem], headline: str | None = None, unkept: int = 0
) -> str:
    """List the first problems, then say how many more there are (``unkept``: problems
    counted but not kept, beyond MAX_KEPT_PROBLEMS)."""
    lines = [printable(headline)] if headline else []
    lines += [str(p) for p in problems[:MAX_LISTED_PROBLEMS]]
    hidden = len(problems) + unkept - MAX_LISTED_PROBLEMS
    if hidden > 0:
        lines.append(f"... and {hidden} more problem{'s' if hidden > 1 else ''}")
    return "\n".join(lines)


class RecordError(TaskgateError):
    """A record that validates but cannot be scored (e.g. a runaway regular expression).

    The reader turns it into a Problem with the file and line of the record.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class EvaluatorError(RecordError):
    """A record the configured evaluators cannot score through no fault of its own: a
    plugin that raises or returns a bad value, a judge of the agent's own model family, a
    verdict missing from the judge's cache.

    Never counted among the invalid lines ``gate.invalid_runs.max`` lets through: skipping
    the run could pass the gate on the runs that are left. The file is refused (exit 2).
    """


_PATH_PROBLEMS = {
    errno.ENOENT: "file not found; check the path",
    errno.EACCES: "permission denied; make the file readable",
    errno.EPERM: "permission denied; make the file readable",
    errno.ELOOP: "the path is a loop of symbolic links; point it at a file",
    errno.ENAMETOOLONG: "the path or one of its names is too long for the file system; "
    "give a shorter one",
    errno.ENOTDIR: "a part of the path is a file, not a folder; check the path",
}


def unreadable_path(error: OSError, folder: str, missing: str | None = None) -> str:
    """What to tell the user when a file they named cannot be opened. ``folder``: what to
    say when the path is a folder ("give a .jsonl file"); ``missing``: what to say when there
    is no such file, if more than to check the path."""
    if error.errno == errno.EISDIR or isinstance(error, IsADirectoryError):
        return f"is a folder; {folder}"
    if error.errno == errno.ENOENT and missing is not None:
        return missing
    known = _PATH_PROBLEMS.get(error.errno or 0)
    if known is not None:
        return known
    return f"cannot be read ({error.strerror or type(error).__name__})"
