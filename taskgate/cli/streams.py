"""Standard streams that cannot change an exit code.

A full disk (``>/dev/full``), a closed pipe (``| head -1``) or a broken terminal makes a
write to stdout or stderr raise. Left alone, that turned a passing gate into exit 1, an
input error into exit 1 and a verdict into "this is a bug" (exit 3). While a command runs,
both streams are wrapped: the first failed write is remembered, later writes are dropped,
and the command's own outcome decides the exit code.
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TextIO


class GuardedStream:
    """A text stream that remembers its first failure instead of raising it."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.failure: OSError | None = None

    def write(self, text: str) -> int:
        if self.failure is None:
            try:
                return self._stream.write(text)
            except OSError as error:
                self._failed(error)
        return len(text)

    def flush(self) -> None:
        if self.failure is None:
            try:
                self._stream.flush()
            except OSError as error:
                self._failed(error)

    def _failed(self, error: OSError) -> None:
        self.failure = error
        _silence(self._stream)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _silence(stream: TextIO) -> None:
    """Point the failed stream's descriptor at /dev/null, so the bytes still buffered in it
    do not fail again when the interpreter flushes it on exit (which sets exit code 120)."""
    try:
        descriptor = stream.fileno()
    except (OSError, ValueError, AttributeError):  # not a real file (a test's capture)
        return
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, descriptor)
    finally:
        os.close(null)


@dataclass(frozen=True)
class Streams:
    out: GuardedStream
    err: GuardedStream

    def settle(self) -> None:
        self.out.flush()
        self.err.flush()

    def lost_output(self) -> str | None:
        """Why standard output could not be written, unless its reader simply stopped
        reading (``| head``), which is no error."""
        failure = self.out.failure
        if failure is None or failure.errno in (errno.EPIPE, errno.ECONNRESET):
            return None
        return failure.strerror or type(failure).__name__


class _Closed:
    """What a stream closed by the shell (``>&-``) is: Python gives None, which every
    write would crash on; this one fails as a closed descriptor does."""

    encoding = "utf-8"

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, "the stream is closed")

    def flush(self) -> None:
        return None

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        raise OSError(errno.EBADF, "the stream is closed")


@contextmanager
def guarded_streams() -> Iterator[Streams]:
    saved = sys.stdout, sys.stderr
    out = GuardedStream(saved[0] if saved[0] is not None else _Closed())  # type: ignore[arg-type]
    err = GuardedStream(saved[1] if saved[1] is not None else _Closed())  # type: ignore[arg-type]
    streams = Streams(out, err)
    sys.stdout, sys.stderr = streams.out, streams.err
    try:
        yield streams
    finally:
        streams.settle()
        sys.stdout, sys.stderr = saved
