"""Read a run file and score every run: read -> score, streaming.

Only the small per-run results are kept; each record is dropped as soon as
it is scored, so memory does not grow with the size of trajectories.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from taskgate.config import Config
from taskgate.errors import InputError, Problem, RecordError
from taskgate.evaluators.base import Evaluator, Score
from taskgate.evaluators.context import RunContext
from taskgate.evaluators.task_completion import task_completion
from taskgate.io import RunReader
from taskgate.metrics import MetricName
from taskgate.models import RunRecord, Task
from taskgate.results import RunResult

PRIMARY: MetricName = "task_completion"


def build_evaluators(config: Config) -> dict[str, Evaluator]:
    """The evaluator panel, configured; the registry is this dict."""
    settings = config.evaluators
    completion = settings.task_completion
    return {
        PRIMARY: task_completion(
            completion.weights.model_dump(), completion.criteria_keyword_share
        ),
    }


def score_run(record: RunRecord, evaluators: dict[str, Evaluator], config: Config) -> RunResult:
    ctx = RunContext(record)
    scores: dict[str, Score] = {name: evaluate(ctx) for name, evaluate in evaluators.items()}
    completion = scores[PRIMARY]
    green = config.thresholds[PRIMARY].green
    passed = (
        record.status == "completed"
        and ctx.final_step_reached
        and completion.value is not None
        and completion.value >= green
    )
    return RunResult(
        run_id=record.run_id,
        task_id=record.task_id,
        trial=record.trial,
        cohort=record.cohort,
        scores={name: score.value for name, score in scores.items()},
        passed=passed,
        reason=completion.reason,
        status=record.status,
        underspecified=bool(completion.details["underspecified"]),
        step_budget_exceeded=ctx.budget_exhausted,
        steps=len(record.steps),
        cost_usd=record.usage.cost_usd,
        tokens=record.usage.tokens,
    )


@dataclass
class ScoredRuns:
    source: str
    runs: list[RunResult]
    invalid: int
    problems: list[Problem]
    sha256: str


def iter_scored(reader: RunReader, config: Config) -> Iterator[RunResult]:
    """Score each valid record; a record that cannot be scored becomes a problem."""
    evaluators = build_evaluators(config)
    for number, record in reader:
        try:
            yield score_run(record, evaluators, config)
        except RecordError as exc:
            reader.problems.append(Problem(reader.source, number, exc.field, exc.message))
            reader.invalid_lines += 1


def score_file(source: str, config: Config, tasks: dict[str, Task] | None = None) -> ScoredRuns:
    """Score every run of ``source``; raise InputError when the file cannot be judged."""
    reader = RunReader(source, tasks)
    runs = list(iter_scored(reader, config))
    allowed = config.gate.invalid_runs.max
    if reader.invalid_lines > allowed:
        total = reader.invalid_lines + len(runs)
        headline = (
            f"{source}: {reader.invalid_lines} of {total} records are not valid run records "
            f"(gate.invalid_runs.max allows {allowed}); fix them and run again"
        )
        raise InputError(reader.problems, headline=headline)
    if not runs:
        raise InputError([Problem(source, None, None, "no run records; nothing to judge")])
    return ScoredRuns(source, runs, reader.invalid_lines, reader.problems, reader.sha256)
