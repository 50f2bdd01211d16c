"""A run file scored, streaming: read -> score, in this process or in workers.

The parent reads lines (so the digest and the progress bar see every byte) and keeps
everything that needs the whole file: which run ids it has seen, the problems in line
order, the invalid count. Workers parse, validate, join tasks and score, which is where
the time goes. Either way the outcomes are accepted in line order, so the report is
byte-identical whatever the number of workers. Only the small per-run results are kept;
each record is dropped as soon as it is scored, so memory does not grow with the size
of trajectories.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import TypeVar, cast

from taskgate.config.model import Config, JudgeSettings
from taskgate.errors import MAX_KEPT_PROBLEMS, EvaluatorError, InputError, Problem, RecordError
from taskgate.model.record import Task
from taskgate.model.report import RunResult
from taskgate.parallel import map_in_order
from taskgate.read.runs import Progress, RunReader, read_record
from taskgate.scoring.judge_command import answer_problems, ask, load_cache, save_cache
from taskgate.scoring.judging import Judging, Question
from taskgate.scoring.scorer import Scorer, shared_cohort

BATCH_LINES = 64
BATCH_BYTES = 4 << 20
# Below this many bytes of input, starting workers costs more than it saves.
PARALLEL_MIN_BYTES = 8_000_000

Lines = list[tuple[int, bytes]]


@dataclass
class ScoredRuns:
    """The scored runs of one source, and what was wrong with the lines that were not."""

    source: str
    runs: list[RunResult]
    invalid: int
    """Lines that were not valid run records, skipped."""
    problems: list[Problem]
    """Their problems, the first MAX_KEPT_PROBLEMS of them."""
    sha256: str
    unkept: int = 0
    """Problems counted beyond those kept."""

    @property
    def skipped(self) -> list[str]:
        """Every problem kept, then how many more there were: the report's dataset.skipped."""
        more = Problem(self.source, None, None, f"... and {self.unkept} more problems, not kept")
        return [str(problem) for problem in [*self.problems, *([more] if self.unkept else [])]]


def score_file(
    source: str,
    config: Config,
    tasks: dict[str, Task] | None = None,
    progress: Progress | None = None,
    workers: int | None = None,
) -> ScoredRuns:
    """Score every run of ``source``; raise InputError when the file cannot be judged.

    ``workers`` processes parse and score (None: one per core for a large file); the
    result is the same whatever their number.
    """
    if config.judge is not None:
        return _judged(source, config, config.judge, tasks, progress, workers)
    reader = RunReader(source, tasks, progress=progress)
    scored = collected(reader, list(iter_scored(reader, config, worker_count(source, workers))))
    refuse_unjudgeable(scored, config.gate.invalid_runs.max)
    return scored


def _judged(
    source: str,
    config: Config,
    judge: JudgeSettings,
    tasks: dict[str, Task] | None,
    progress: Progress | None,
    workers: int | None,
) -> ScoredRuns:
    """Scored with the judge: a first pass finds the questions the cache does not answer;
    when there are any, the judge is asked, the cache written, and the runs scored again
    with every verdict. Both passes use the workers."""
    known = load_cache(judge)
    first = Judging(judge, known.verdicts)
    reader = RunReader(source, tasks, progress=progress)
    count = worker_count(source, workers)
    scored = collected(reader, list(iter_scored(reader, config, count, judging=first)))
    refuse_unjudgeable(scored, config.gate.invalid_runs.max)  # before asking anything
    if first.pending:
        if source == "-":
            raise InputError(
                [
                    Problem(
                        source,
                        None,
                        "judge",
                        f"{len(first.pending)} question(s) for the judge are not in its cache, "
                        "and standard input cannot be read a second time to score with the "
                        "answers; give the runs as a file, or use --no-judge",
                    )
                ]
            )
        answers = ask(judge, list(first.pending.values()))
        save_cache(judge, known, answers)
        problems = answer_problems(judge, answers)
        if problems:
            asked = len(answers)
            headline = (
                f"the judge did not answer {len(problems)} of {asked} question(s); the "
                f"verdicts it gave are cached in {judge.cache}; fix the command and run again"
            )
            raise InputError(problems, headline=headline)
        verdicts = {**known.verdicts, **{a.question.key: a.verdict for a in answers if a.verdict}}
        reader = RunReader(source, tasks)
        second = Judging(judge, verdicts, asking=False)
        scored = collected(reader, list(iter_scored(reader, config, count, judging=second)))
    refuse_unjudgeable(scored, config.gate.invalid_runs.max)
    return scored


def collected(reader: RunReader, runs: list[RunResult]) -> ScoredRuns:
    """The runs a reader let through, with what it found wrong with the other lines."""
    return ScoredRuns(
        reader.source, runs, reader.invalid_lines, reader.problems, reader.sha256, reader.unkept
    )


def refuse_unjudgeable(scored: ScoredRuns, allowed: int) -> None:
    """InputError when more lines were invalid than the config allows, or none was a run."""
    source = scored.source
    if scored.invalid > allowed:
        total = scored.invalid + len(scored.runs)
        headline = (
            f"{source}: {scored.invalid} of {total} records are not valid run records "
            f"(gate.invalid_runs.max allows {allowed}); fix them and run again"
        )
        raise InputError(scored.problems, headline=headline, unkept=scored.unkept)
    if not scored.runs:
        raise InputError([Problem(source, None, None, "no run records; nothing to judge")])


@dataclass(frozen=True)
class LineOutcome:
    """What became of one line: a scored run, or the problems that stopped it."""

    line: int
    run_id: str | None
    """Set when the line was a valid record, so the parent can check it is unique."""
    result: RunResult | None
    problems: list[Problem]
    """What stopped the line being read as a run record (JSON, fields, an unknown task)."""
    scoring_problem: Problem | None = None
    """What stopped a record that was read from being scored (a runaway regular expression)."""
    evaluator_problem: Problem | None = None
    """What stopped the configured evaluators scoring a valid record (a broken plugin, a
    judge of the agent's family): it refuses the file, never counted as an invalid line."""
    questions: tuple[Question, ...] = ()
    """The questions for the judge scoring this run found uncached (from a worker, whose
    Judging is its own copy)."""
    reduced: object = None
    """With a ``reduce``, what it made of the result, which is then not sent (see
    iter_reduced)."""


class LineScorer:
    """Reads and scores lines of one source: the per-process state of a worker."""

    def __init__(
        self,
        config: Config,
        tasks: dict[str, Task] | None,
        source: str,
        judging: Judging | None = None,
        observe: bool = False,
        reduce: Callable[[RunResult], object] | None = None,
    ) -> None:
        self.scorer, self.tasks, self.source = Scorer(config, judging, observe), tasks, source
        self.judging, self.observe, self.reduce = judging, observe, reduce

    def outcome(self, line: int, raw: bytes) -> LineOutcome:
        record, problems = read_record(self.source, line, raw, self.tasks)
        if record is None or problems:
            return LineOutcome(line, record.run_id if record else None, None, problems)
        if self.observe and record.started_at is None:
            return LineOutcome(line, record.run_id, None, [self._unplaced(line)])
        try:
            result = self.scorer.score(record).result
            questions = self._questions()
            if self.reduce is not None:
                reduced = self.reduce(result)
                return LineOutcome(
                    line, record.run_id, None, [], questions=questions, reduced=reduced
                )
            return LineOutcome(line, record.run_id, result, [], questions=questions)
        except EvaluatorError as exc:
            problem = Problem(self.source, line, exc.field, exc.message)
            return LineOutcome(line, record.run_id, None, [], evaluator_problem=problem)
        except RecordError as exc:
            problem = Problem(self.source, line, exc.field, exc.message)
            return LineOutcome(line, record.run_id, None, [], problem)

    def _unplaced(self, line: int) -> Problem:
        message = (
            "monitor puts every run in the window its start falls in, and this one has no "
            "started_at; give it as an RFC 3339 time, such as 2026-11-03T14:22:05Z"
        )
        return Problem(self.source, line, "started_at", message)

    def _questions(self) -> tuple[Question, ...]:
        """The questions the last run found, taken from the Judging (the parent's own, when
        scoring in one process: iter_scored puts them back in line order)."""
        if self.judging is None or not self.judging.pending:
            return ()
        questions = tuple(self.judging.pending.values())
        self.judging.pending.clear()
        return questions

    def batch(self, lines: Lines) -> list[LineOutcome]:
        return [self.outcome(line, raw) for line, raw in lines]


def _batch_scorer(
    config: Config,
    tasks: dict[str, Task] | None,
    source: str,
    judging: Judging | None,
    observe: bool,
    reduce: Callable[[RunResult], object] | None = None,
) -> Callable[[Lines], list[LineOutcome]]:
    return LineScorer(config, tasks, source, judging, observe, reduce).batch


T = TypeVar("T")
_LOST = (
    "a worker process stopped before finishing its share of the runs (killed, or out of "
    "memory); nothing was written. Run again; --workers 1 scores in this process alone"
)


def iter_scored(
    reader: RunReader,
    config: Config,
    workers: int = 1,
    lines: Iterable[tuple[int, bytes]] | None = None,
    judging: Judging | None = None,
    observe: bool = False,
) -> Iterator[RunResult]:
    """Score every line the reader reads (or ``lines``, given); problems go to the reader,
    results come out in line order. ``judging``: the judge's verdicts (see Scorer);
    ``observe``: keep what monitor reads of each run (RunResult.observed).

    Raises InputError, once every line is read, when the evaluators could not score some
    valid record (see EvaluatorError): a gate that skipped those runs could pass on the rest.
    """
    for outcome in _accepted(reader, config, workers, lines, judging, observe, None):
        assert outcome.result is not None
        yield _shared(outcome.result)


def iter_reduced(
    reader: RunReader,
    config: Config,
    reduce: Callable[[RunResult], T],
    workers: int = 1,
    lines: Iterable[tuple[int, bytes]] | None = None,
) -> Iterator[T]:
    """``iter_scored`` with ``reduce`` applied to every result where it was scored (in the
    workers), observing: what a consumer that keeps only a little of each run needs sent
    back, rather than the whole result. ``reduce`` must be a module-level function."""
    for outcome in _accepted(reader, config, workers, lines, None, True, reduce):
        yield cast(T, outcome.reduced)


def _accepted(
    reader: RunReader,
    config: Config,
    workers: int,
    lines: Iterable[tuple[int, bytes]] | None,
    judging: Judging | None,
    observe: bool,
    reduce: Callable[[RunResult], object] | None,
) -> Iterator[LineOutcome]:
    """The outcomes of the runs the reader accepts, in line order (see iter_scored)."""
    start = partial(_batch_scorer, config, reader.tasks, reader.source, judging, observe, reduce)
    numbered = reader.lines() if lines is None else lines
    unscored: list[Problem] = []
    count = 0
    for outcomes in map_in_order(start, batches(numbered), workers, lost=_LOST):
        for outcome in outcomes:
            if outcome.evaluator_problem is not None:
                count += 1
                if len(unscored) < MAX_KEPT_PROBLEMS:
                    unscored.append(outcome.evaluator_problem)
                continue
            # A duplicate is rejected as one, whatever scoring it would have found.
            problems = outcome.problems
            if not problems and outcome.scoring_problem is not None:
                problems = [outcome.scoring_problem]
            scored = outcome.result is not None or outcome.reduced is not None
            if reader.accept(outcome.line, outcome.run_id, problems) and scored:
                if judging is not None:
                    for question in outcome.questions:
                        judging.pending.setdefault(question.key, question)
                yield outcome
    if unscored:
        headline = (
            f"{reader.source}: the evaluators could not score {count} run(s), so nothing was "
            "judged (gate.invalid_runs.max does not skip these: the gate could pass on the "
            "runs left); fix what each line says and run again"
        )
        raise InputError(unscored, headline=headline, unkept=count - len(unscored))


def _shared(result: RunResult) -> RunResult:
    """One object for each value many results hold: every result is kept to the end, and
    each came with its own copies (sent back by a worker, or fresh from the scorer)."""
    values = result.__dict__
    values["cohort"] = shared_cohort(result.cohort)  # same value, one object for all runs
    for field in ("reason", "task_id", "task_digest"):
        text = values[field]
        if text is not None:
            values[field] = _TEXTS.setdefault(text, text)
    tools = result.tools
    if tools:
        values["tools"] = {_TEXTS.setdefault(name, name): count for name, count in tools.items()}
    scores = result.scores
    for metric, value in scores.items():
        if value is not None:
            scores[metric] = _shared_score(value)
    if len(_TEXTS) > _MOST_SHARED or len(_SCORE_VALUES) > _MOST_SHARED:
        _TEXTS.clear()  # mostly distinct: sharing no longer pays for the table
        _SCORE_VALUES.clear()
    object.__setattr__(result, "__dict__", _compact(values))
    return result


def _compact(values: dict[str, object]) -> dict[str, object]:
    """The same fields in a dict of the kind a fresh instance hands out, which keeps the
    field names once for the class (264 bytes a result on CPython 3.11, against 832 for the
    dict pydantic fills). Filled one key at a time: update() on an empty dict copies the
    other's layout."""
    compact = RunResult.__new__(RunResult).__dict__
    for field, value in values.items():
        compact[field] = value
    return compact


# The class's shared names are set by the first dict filled this way, and each instance made
# meanwhile leaves room for fewer: fill one with every field now, before any is scored.
_compact(dict.fromkeys(RunResult.model_fields))


def _shared_score(value: float) -> float:
    if value == 0.0:  # 0.0 and -0.0 are one key, and print apart: each kept as it is
        return _ZERO if math.copysign(1.0, value) > 0 else value
    if value != value:  # NaN equals no key, itself included
        return value
    return _SCORE_VALUES.setdefault(value, value)


# A file's results say few distinct reasons (the failed check, the outcome's verdict), name
# few tools, repeat each task over its trials, and hold few distinct scores (rounded to six
# places; many are 0, 0.5 or 1).
_TEXTS: dict[str, str] = {}
_SCORE_VALUES: dict[float, float] = {}
_MOST_SHARED = 1 << 16
_ZERO = 0.0


def batches(lines: Iterable[tuple[int, bytes]]) -> Iterator[Lines]:
    """Runs of at most BATCH_LINES lines and BATCH_BYTES bytes: 64 lines of 10 MB each
    held by every worker and in the pipes took gigabytes."""
    batch: Lines = []
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
