"""Parse-and-score in batches, in this process or in worker processes.

The parent reads lines (so the digest and the progress bar see every byte)
and keeps everything that needs the whole file: which run ids it has seen,
the problems in line order, the invalid count. Workers parse, validate, join
tasks and score, which is where the time goes. Both paths hand batches to
the same function and accept the outcomes in the same order, so the report
is byte-identical whatever the number of workers.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import traceback
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any, cast

from taskgate.config import Config
from taskgate.errors import Problem, RecordError, WorkerError
from taskgate.io import RunReader, read_record
from taskgate.models import Task
from taskgate.results import RunResult

BATCH_LINES = 64
BATCH_BYTES = 4 << 20
# Below this many bytes of input, starting workers costs more than it saves.
PARALLEL_MIN_BYTES = 8_000_000


@dataclass(frozen=True)
class Outcome:
    """What became of one line: a scored run, or the problems that stopped it."""

    number: int
    run_id: str | None
    """Set when the line was a valid record, so the parent can check it is unique."""
    result: RunResult | None
    problems: list[Problem]
    """What stopped the line being read as a run record (JSON, fields, an unknown task)."""
    scoring_problem: Problem | None = None
    """What stopped a record that was read from being scored (a runaway regular expression)."""


class _Worker:
    """The per-process state: the configured scorer and the tasks to join."""

    def __init__(self, config: Config, tasks: dict[str, Task] | None, source: str) -> None:
        from taskgate.scoring import Scorer

        self.scorer, self.tasks, self.source = Scorer(config), tasks, source

    def outcome(self, number: int, raw: bytes) -> Outcome:
        record, problems = read_record(self.source, number, raw, self.tasks)
        if record is None or problems:
            return Outcome(number, record.run_id if record else None, None, problems)
        try:
            return Outcome(number, record.run_id, self.scorer.score(record).result, [])
        except RecordError as exc:
            problem = Problem(self.source, number, exc.field, exc.message)
            return Outcome(number, record.run_id, None, [], problem)

    def batch(self, lines: list[tuple[int, bytes]]) -> list[Outcome]:
        return [self.outcome(number, raw) for number, raw in lines]


def _serve(pipe: Connection, config: Config, tasks: dict[str, Task] | None, source: str) -> None:
    """A worker's life: score each batch it is sent, until it is sent None."""
    # Ctrl-C reaches the whole process group. The parent alone answers it (exit 130) and
    # stops the workers; a worker's own KeyboardInterrupt would print its traceback. A stop
    # (SIGTERM) ends a worker at once: the parent's own handler for it is not for workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _stops(signal.SIG_UNBLOCK)  # blocked by the parent across the fork: see _hire
    worker = _Worker(config, tasks, source)
    while (lines := pipe.recv()) is not None:
        try:
            pipe.send(worker.batch(lines))
        except MemoryError:  # the machine's limit, not a bug: the parent says so
            pipe.send(_Failed(traceback.format_exc(), out_of_memory=True))
        except Exception:  # a bug: the parent reports it, with this traceback
            pipe.send(_Failed(traceback.format_exc()))


@dataclass(frozen=True)
class _Failed:
    traceback: str
    out_of_memory: bool = False


def _batches(lines: Iterable[tuple[int, bytes]]) -> Iterator[list[tuple[int, bytes]]]:
    """Runs of at most BATCH_LINES lines and BATCH_BYTES bytes: 64 lines of 10 MB each
    held by every worker and in the pipes took gigabytes."""
    batch: list[tuple[int, bytes]] = []
    size = 0
    for line in lines:
        batch.append(line)
        size += len(line[1])
        if len(batch) == BATCH_LINES or size >= BATCH_BYTES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def worker_count(source: str, requested: int | None) -> int:
    """``requested`` workers, or (None) as many as pay: one per core for a large file."""
    cores = os.cpu_count() or 1
    if requested is not None:  # more processes than cores only cost memory and start-up
        return max(1, min(requested, cores))
    try:
        large = source == "-" or os.path.getsize(source) >= PARALLEL_MIN_BYTES
    except OSError:
        large = False
    return min(cores, 8) if large else 1


def iter_scored(reader: RunReader, config: Config, workers: int = 1) -> Iterator[RunResult]:
    """Score every line the reader reads; problems go to the reader, results come out in
    file order."""
    if workers <= 1:
        worker = _Worker(config, reader.tasks, reader.source)
        outcomes: Iterator[list[Outcome]] = map(worker.batch, _batches(reader.lines()))
        for batch in outcomes:
            yield from _accept(reader, batch)
        return
    yield from _in_workers(reader, config, workers)


@dataclass
class _Hand:
    """A worker process, the parent's end of its pipe, and the batch it is scoring."""

    process: BaseProcess
    pipe: Connection
    batch: int | None = None


def _in_workers(reader: RunReader, config: Config, workers: int) -> Iterator[RunResult]:
    """Batches go to idle workers; outcomes are accepted in batch order. A pipe of its own
    per worker, rather than a pool: the parent sees at once when a worker dies (killed,
    out of memory), where a pool can wait for the lost batch for ever."""
    hands = [_hire(config, reader) for _ in range(workers)]
    batches = enumerate(_batches(reader.lines()))
    finished: dict[int, list[Outcome]] = {}
    accepted = 0
    try:
        while True:
            # Finished batches wait for an earlier one; only a few, so memory stays flat.
            for hand in hands:
                if hand.batch is None and len(finished) <= 2 * workers:
                    item = next(batches, None)
                    if item is not None:
                        hand.batch = item[0]
                        _send(hand, item[1])
            while accepted in finished:
                yield from _accept(reader, finished.pop(accepted))
                accepted += 1
            busy = {hand.pipe: (hand, hand.batch) for hand in hands if hand.batch is not None}
            if not busy:
                return
            for ready in wait(list(busy)):
                hand, number = busy[cast(Connection, ready)]
                finished[number] = _receive(hand)
                hand.batch = None
    finally:
        for hand in hands:  # idle, or interrupted: either way, done with
            # SIGKILL, not SIGTERM: a worker just forked may not yet have set its own
            # SIGTERM handling, and a SIGTERM caught then is lost, leaving it waiting on
            # its pipe for ever. Workers hold nothing that needs cleaning up.
            hand.process.kill()
            hand.process.join()
            hand.pipe.close()


def _hire(config: Config, reader: RunReader) -> _Hand:
    context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    mine, theirs = context.Pipe()
    arguments = (theirs, config, reader.tasks, reader.source)
    process: BaseProcess = context.Process(  # type: ignore[attr-defined]
        target=_serve, args=arguments, daemon=True
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
    return _Hand(process, mine)


def _stops(how: int) -> None:
    if hasattr(signal, "pthread_sigmask"):  # POSIX; elsewhere workers are spawned, not forked
        signal.pthread_sigmask(how, {signal.SIGINT, signal.SIGTERM})


_LOST = (
    "a worker process stopped before finishing its share of the runs (killed, or out of "
    "memory); nothing was written. Run again; --workers 1 scores in this process alone"
)


def _send(hand: _Hand, lines: list[tuple[int, bytes]]) -> None:
    try:
        hand.pipe.send(lines)
    except (BrokenPipeError, ConnectionError):
        raise WorkerError(_LOST) from None


def _receive(hand: _Hand) -> list[Outcome]:
    try:
        answer: Any = hand.pipe.recv()
    except (EOFError, ConnectionError):
        raise WorkerError(_LOST) from None
    if isinstance(answer, _Failed) and answer.out_of_memory:
        raise MemoryError
    if isinstance(answer, _Failed):
        raise RuntimeError(f"a worker process failed:\n{answer.traceback}")
    outcomes: list[Outcome] = answer
    return outcomes


def _accept(reader: RunReader, outcomes: list[Outcome]) -> Iterator[RunResult]:
    """Check each outcome against the whole file (is its run_id new?) and keep it or not."""
    for outcome in outcomes:
        # A duplicate is rejected as one, whatever scoring it would have found.
        problems = reader.check_unique(outcome.number, outcome.run_id) + outcome.problems
        if not problems and outcome.scoring_problem is not None:
            problems = [outcome.scoring_problem]
        if problems:
            reader.reject(problems)
        elif outcome.result is not None:
            yield _shared(outcome.result)


def _shared(result: RunResult) -> RunResult:
    """Results that crossed from a worker come with their own copies of shared values."""
    from taskgate.scoring import shared_cohort

    cohort = shared_cohort(result.cohort)
    if cohort is not result.cohort:
        object.__setattr__(result, "cohort", cohort)  # same value, one object for all runs
    return result
