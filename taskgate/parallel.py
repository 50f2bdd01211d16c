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
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from taskgate.config import Config
from taskgate.errors import Problem, RecordError, WorkerError
from taskgate.io import RunReader, read_record
from taskgate.models import Task
from taskgate.results import RunResult

BATCH_LINES = 64
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


_worker: _Worker | None = None


def _start(config: Config, tasks: dict[str, Task] | None, source: str) -> None:
    # Ctrl-C reaches the whole process group. The parent alone answers it (exit 130) and
    # stops the pool; a worker's own KeyboardInterrupt would print its traceback. A stop
    # (SIGTERM) ends a worker at once, as the pool expects when it ends them itself; the
    # parent's own handler for it is not for workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    global _worker
    _worker = _Worker(config, tasks, source)


def _batch(lines: list[tuple[int, bytes]]) -> list[Outcome]:
    assert _worker is not None, "worker used before _start"
    return _worker.batch(lines)


def _batches(lines: Iterable[tuple[int, bytes]]) -> Iterator[list[tuple[int, bytes]]]:
    batch: list[tuple[int, bytes]] = []
    for line in lines:
        batch.append(line)
        if len(batch) == BATCH_LINES:
            yield batch
            batch = []
    if batch:
        yield batch


def worker_count(source: str, requested: int | None) -> int:
    """``requested`` workers, or (None) as many as pay: one per core for a large file."""
    if requested is not None:
        return max(1, requested)
    try:
        large = source == "-" or os.path.getsize(source) >= PARALLEL_MIN_BYTES
    except OSError:
        large = False
    return min(os.cpu_count() or 1, 8) if large else 1


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


def _in_workers(reader: RunReader, config: Config, workers: int) -> Iterator[RunResult]:
    context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    arguments = (config, reader.tasks, reader.source)
    pool = ProcessPoolExecutor(workers, context, initializer=_start, initargs=arguments)
    try:
        # Only a few batches in flight: memory stays flat however long the file is.
        pending: deque[Future[list[Outcome]]] = deque()
        for batch in _batches(reader.lines()):
            pending.append(pool.submit(_batch, batch))
            while len(pending) > 2 * workers:
                yield from _accept(reader, _outcomes(pending.popleft()))
        while pending:
            yield from _accept(reader, _outcomes(pending.popleft()))
    finally:
        # Interrupted or failed: drop the batches not started; the few running end soon.
        pool.shutdown(wait=True, cancel_futures=True)


def _outcomes(future: Future[list[Outcome]]) -> list[Outcome]:
    try:
        return future.result()
    except BrokenProcessPool:
        # A worker killed from outside (out of memory, kill -9): without this check the
        # parent would wait for its batch for ever.
        raise WorkerError(
            "a worker process stopped before finishing its share of the runs (killed, or "
            "out of memory); nothing was written. Run again; --workers 1 scores in this "
            "process alone"
        ) from None


def _accept(reader: RunReader, outcomes: list[Outcome]) -> Iterator[RunResult]:
    """Check each outcome against the whole file (is its run_id new?) and keep it or not."""
    for outcome in outcomes:
        # A duplicate is rejected as one, whatever scoring it would have found.
        problems = reader.check_unique(outcome.number, outcome.run_id) + outcome.problems
        if not problems and outcome.scoring_problem is not None:
            problems = [outcome.scoring_problem]
        if problems:
            reader.problems.extend(problems)
            reader.invalid_lines += 1
        elif outcome.result is not None:
            yield _shared(outcome.result)


def _shared(result: RunResult) -> RunResult:
    """Results that crossed from a worker come with their own copies of shared values."""
    from taskgate.scoring import shared_cohort

    cohort = shared_cohort(result.cohort)
    if cohort is not result.cohort:
        object.__setattr__(result, "cohort", cohort)  # same value, one object for all runs
    return result
