"""The error boundary: every command runs inside ``guarded``.

taskgate's own errors become exit 2 with their message, Ctrl-C 130, SIGTERM 143,
and any other exception (a bug) exit 3 with the traceback saved to a file.
"""

from __future__ import annotations

import os
import tempfile
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from rich.console import Console

EXIT_BUG, EXIT_INTERRUPT, EXIT_TERMINATED = 3, 130, 143  # exit 2 is TaskgateError.exit_code


def make_console(stderr: bool = False, color: bool = True) -> Console:
    """Rich picks colour by itself (none when NO_COLOR is set or the stream is not a terminal);
    ``color=False`` (--no-color) drops every escape code, bold included."""
    from rich.console import Console

    if color:
        return Console(stderr=stderr, highlight=False, soft_wrap=True)
    return Console(stderr=stderr, highlight=False, soft_wrap=True, color_system=None)


def _save_traceback(details: str) -> str:
    fd, path = tempfile.mkstemp(prefix="taskgate-crash-", suffix=".log")
    with os.fdopen(fd, "w") as handle:
        handle.write(details)
    return path


def _bug_report(exc: Exception) -> str:
    """One line naming the saved traceback; the traceback itself if it cannot be saved."""
    details = traceback.format_exc()
    message = f"internal error ({type(exc).__name__}): this is a bug in taskgate. "
    try:
        return f"{message}Traceback saved to {_save_traceback(details)}"
    except OSError as error:  # never let the report of a bug become another crash
        return f"{message}The traceback could not be saved ({error.strerror}):\n{details.rstrip()}"


class Terminated(BaseException):
    """SIGTERM (a CI job cancelled, a container stopped): unwound like Ctrl-C, so outputs
    staged but not yet in place are removed and old ones stay whole."""


def _terminate(signum: int, frame: object) -> None:
    raise Terminated


@contextmanager
def _stoppable() -> Iterator[None]:
    """SIGTERM raises Terminated while a command runs (signals go to the main thread only)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def guarded(action: Callable[[], int]) -> None:
    """Run a command body and exit with the code the outcome calls for."""
    from taskgate.errors import TaskgateError

    try:
        with _stoppable():
            code = action()
    except TaskgateError as exc:
        make_console(stderr=True).print(f"error: {exc.message}", markup=False)
        code = exc.exit_code
    except (KeyboardInterrupt, Terminated) as exc:
        code = _stopped(exc)
    except Exception as exc:
        # Python wraps a signal's exception raised at some points (a class being created
        # while a module is imported) in a RuntimeError: still a stop, not a bug.
        cause = exc.__cause__
        if isinstance(cause, KeyboardInterrupt | Terminated):
            code = _stopped(cause)
        else:  # a bug: one line for the user, the traceback on disk
            make_console(stderr=True).print(_bug_report(exc), markup=False)
            code = EXIT_BUG
    raise typer.Exit(code)


def _stopped(signal: BaseException) -> int:
    what = "interrupted" if isinstance(signal, KeyboardInterrupt) else "terminated"
    make_console(stderr=True).print(f"{what}; no output was written", markup=False)
    return EXIT_INTERRUPT if isinstance(signal, KeyboardInterrupt) else EXIT_TERMINATED
