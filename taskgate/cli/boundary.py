"""The error boundary: every command runs inside ``guarded``.

taskgate's own errors become exit 2 with their message, Ctrl-C 130, SIGTERM 143,
and any other exception (a bug) exit 3 with the traceback saved to a file.
"""

from __future__ import annotations

import errno
import os
import tempfile
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from rich.console import Console

EXIT_INPUT, EXIT_BUG, EXIT_INTERRUPT, EXIT_TERMINATED = 2, 3, 130, 143


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


def guarded(action: Callable[[], int], *, product_on_stdout: bool = False) -> None:
    """Run a command body and exit with the code the outcome calls for.

    Streams that cannot be written never change that code, with one exception: a command
    whose only product is what it prints (``product_on_stdout``) exits 2 when standard
    output could not take it, since exit 0 would say it was printed."""
    from taskgate.cli.streams import guarded_streams

    with guarded_streams() as streams:
        code = _outcome(action)
        streams.settle()
        lost = streams.lost_output()
        if lost is not None:
            code = _after_lost_output(lost, code, product_on_stdout)
    raise typer.Exit(code)


def _outcome(action: Callable[[], int]) -> int:
    from taskgate.errors import TaskgateError
    from taskgate.printable import printable

    try:
        with _stoppable():
            return action()
    except TaskgateError as exc:
        shown = "\n".join(map(printable, exc.message.split("\n")))  # names from the input
        make_console(stderr=True).print(f"error: {shown}", markup=False)
        return exc.exit_code
    except (KeyboardInterrupt, Terminated) as exc:
        return _stopped(exc)
    except MemoryError:
        make_console(stderr=True).print(_OUT_OF_MEMORY, markup=False)
        return EXIT_BUG
    except OSError as exc:
        if exc.errno not in (errno.EMFILE, errno.ENFILE):
            return _bug(exc)
        make_console(stderr=True).print(_out_of_handles(), markup=False)
        return EXIT_BUG
    except Exception as exc:
        # Python wraps a signal's exception raised at some points (a class being created
        # while a module is imported) in a RuntimeError: still a stop, not a bug.
        cause = exc.__cause__
        if isinstance(cause, KeyboardInterrupt | Terminated):
            return _stopped(cause)
        return _bug(exc)


def _bug(exc: Exception) -> int:
    """One line for the user, the traceback on disk."""
    make_console(stderr=True).print(_bug_report(exc), markup=False)
    return EXIT_BUG


# Not bugs, and nothing wrong with the input: the machine ran out of something. Exit 3 all
# the same, since nothing was judged.
_OUT_OF_MEMORY = (
    "error: out of memory; nothing was judged or written. Raise the memory limit "
    "(ulimit -v, the container's limit), or score with --workers 1"
)


def _out_of_handles() -> str:
    try:
        import resource

        limit = f" (ulimit -n is {resource.getrlimit(resource.RLIMIT_NOFILE)[0]})"
    except (ImportError, OSError, ValueError):
        limit = ""
    return (
        f"error: out of file handles{limit}; nothing was judged or written. Raise the limit "
        "(ulimit -n 1024), or score with fewer --workers"
    )


def _after_lost_output(reason: str, code: int, product_on_stdout: bool) -> int:
    errors = make_console(stderr=True)
    if product_on_stdout and code == 0:
        errors.print(
            f"error: standard output could not be written ({reason}); "
            + (
                "free space on its device or redirect it elsewhere"
                if "space" in reason
                else "redirect it to a file or a pipe"
            ),
            markup=False,
        )
        return EXIT_INPUT
    errors.print(
        f"warning: standard output could not be written ({reason}); "
        f"the exit code ({code}) is still the command's outcome",
        markup=False,
    )
    return code


def _stopped(signal: BaseException) -> int:
    what = "interrupted" if isinstance(signal, KeyboardInterrupt) else "terminated"
    make_console(stderr=True).print(f"{what}; no output was written", markup=False)
    return EXIT_INTERRUPT if isinstance(signal, KeyboardInterrupt) else EXIT_TERMINATED
