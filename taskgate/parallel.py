"""Map a function over batches in worker processes, the results in batch order.

Generic plumbing: it knows nothing of what the batches hold. A pipe of its own per
worker, rather than a pool: the parent sees at once when a worker dies (killed, out of
memory), where a pool can wait for the lost batch for ever.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Generic, TypeVar, cast

from taskgate.errors import WorkerError

B = TypeVar("B")
R = TypeVar("R")

Start = Callable[[], Callable[[B], R]]
"""Called once in each worker process (once in this one when there are no workers):
returns the function that handles one batch there."""


def map_in_order(
    start: Start[B, R], batches: Iterable[B], workers: int, *, lost: str
) -> Iterator[R]:
    """``start()``'s function applied to every batch, the results in batch order.

    ``workers`` <= 1 runs here; else that many processes. A worker's exception is
    re-raised here with its traceback; ``lost`` is the message of the WorkerError raised
    when a worker process dies.
    """
    if workers <= 1:
        yield from map(start(), batches)
        return
    yield from _in_workers(start, iter(batches), workers, lost)


@dataclass
class _Worker(Generic[B]):
    """A worker process, the parent's end of its pipe, and the number of its batch."""

    process: BaseProcess
    pipe: Connection
    batch: int | None = None


def _in_workers(start: Start[B, R], batches: Iterator[B], workers: int, lost: str) -> Iterator[R]:
    pool = [_start_worker(start) for _ in range(workers)]
    numbered = enumerate(batches)
    finished: dict[int, R] = {}
    handed_out = 0
    try:
        while True:
            # Finished batches wait for an earlier one; only a few, so memory stays flat.
            for worker in pool:
                if worker.batch is None and len(finished) <= 2 * workers:
                    item = next(numbered, None)
                    if item is not None:
                        worker.batch = item[0]
                        _send(worker, item[1], lost)
            while handed_out in finished:
                yield finished.pop(handed_out)
                handed_out += 1
            busy = {w.pipe: (w, w.batch) for w in pool if w.batch is not None}
            if not busy:
                return
            for ready in wait(list(busy)):
                worker, number = busy[cast(Connection, ready)]
                finished[number] = cast(R, _receive(worker, lost))
                worker.batch = None
    finally:
        for worker in pool:  # idle, or interrupted: either way, done with
            # SIGKILL, not SIGTERM: a worker just forked may not yet have set its own
            # SIGTERM handling, and a SIGTERM caught then is lost, leaving it waiting on
            # its pipe for ever. Workers hold nothing that needs cleaning up.
            worker.process.kill()
            worker.process.join()
            worker.pipe.close()


def _start_worker(start: Start[B, R]) -> _Worker[B]:
    context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    mine, theirs = context.Pipe()
    process: BaseProcess = context.Process(  # type: ignore[attr-defined]
        target=_serve, args=(theirs, start), daemon=True
    )
    # A stop between the fork and _serve's own handling would reach the worker's copy of the
    # parent's handlers: a Ctrl-C would print the worker's KeyboardInterrupt traceback. Both
    # signals are blocked until then; pending, a SIGTERM ends the worker quietly and a
    # Ctrl-C is ignored by it (the parent, unblocked, takes its own).
    _stops(signal.SIG_BLOCK)
    try:
        process.start()
    finally:
        _stops(signal.SIG_UNBLOCK)
    theirs.close()  # so that the worker's end closes, and reads here end, when it dies
    return _Worker(process, mine)


def _serve(pipe: Connection, start: Start[B, R]) -> None:
    """A worker's life: handle each batch it is sent, until it is sent None."""
    # Ctrl-C reaches the whole process group. The parent alone answers it (exit 130) and
    # stops the workers; a worker's own KeyboardInterrupt would print its traceback. A stop
    # (SIGTERM) ends a worker at once: the parent's own handler for it is not for workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _stops(signal.SIG_UNBLOCK)  # blocked by the parent across the fork: see _start_worker
    handle = start()
    while (batch := pipe.recv()) is not None:
        try:
            pipe.send(handle(batch))
        except MemoryError:  # the machine's limit, not a bug: the parent says so
            pipe.send(_Failed(traceback.format_exc(), out_of_memory=True))
        except Exception:  # a bug: the parent reports it, with this traceback
            pipe.send(_Failed(traceback.format_exc()))


@dataclass(frozen=True)
class _Failed:
    traceback: str
    out_of_memory: bool = False


def _stops(how: int) -> None:
    if hasattr(signal, "pthread_sigmask"):  # POSIX; elsewhere workers are spawned, not forked
        signal.pthread_sigmask(how, {signal.SIGINT, signal.SIGTERM})


def _send(worker: _Worker[B], batch: B, lost: str) -> None:
    try:
        worker.pipe.send(batch)
    except (BrokenPipeError, ConnectionError):
        raise WorkerError(lost) from None


def _receive(worker: _Worker[B], lost: str) -> object:
    try:
        answer = worker.pipe.recv()
    except (EOFError, ConnectionError):
        raise WorkerError(lost) from None
    if isinstance(answer, _Failed) and answer.out_of_memory:
        raise MemoryError
    if isinstance(answer, _Failed):
        raise RuntimeError(f"a worker process failed:\n{answer.traceback}")
    return answer
