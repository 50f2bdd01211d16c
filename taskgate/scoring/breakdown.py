"""One run, step by step: every component score and where the run broke."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process

from taskgate.config.fields import ArgumentMatch
from taskgate.config.model import Config
from taskgate.errors import InputError, Problem
from taskgate.model.record import RunRecord, Task
from taskgate.model.report import RunResult
from taskgate.read.runs import RunReader
from taskgate.scoring.arguments import MISSING, ArgumentComparison
from taskgate.scoring.calls import compare_call
from taskgate.scoring.checks import RunChecks
from taskgate.scoring.context import RunContext
from taskgate.scoring.evaluators.base import Score
from taskgate.scoring.evaluators.step_efficiency import CallKey, call_key
from taskgate.scoring.failure import misused_tools
from taskgate.scoring.scorer import Scorer


@dataclass(frozen=True)
class CallDiff:
    """An expected call the run did not make in full, against the closest call it made."""

    expected: int
    """Index of the expected call in task.expected_calls."""
    name: str
    turn: int | None
    made: int | None
    """Index of the closest call made (same tool, did not fail), or None when there is none."""
    made_turn: int | None
    comparison: ArgumentComparison | None

    def to_json(self) -> dict[str, Any]:
        keys = [] if self.comparison is None else self.comparison.keys
        return {
            "expected": self.expected,
            "name": self.name,
            "turn": self.turn,
            "made": self.made,
            "made_turn": self.made_turn,
            "credit": None if self.comparison is None else self.comparison.credit,
            "arguments": [
                {
                    "key": key.key,
                    "mode": key.mode,
                    "expected": _shown(key.expected),
                    "actual": _shown(key.actual),
                    "agrees": key.agrees,
                }
                for key in keys
            ],
        }


@dataclass(frozen=True)
class Explanation:
    record: RunRecord
    result: RunResult
    scores: dict[str, Score]
    breaking_step: int | None
    """0-based index of the step where the run went wrong, when it failed."""
    checks: RunChecks
    call_diffs: tuple[CallDiff, ...] = ()
    """Every required expected call not made in full, with the closest call made."""

    @property
    def breaking_step_number(self) -> int | None:
        """The same step as people count it, from 1: what the text timeline shows."""
        return None if self.breaking_step is None else self.breaking_step + 1

    def to_json(self) -> dict[str, Any]:
        return {
            "run": self.result.model_dump(mode="json"),
            "scores": {
                name: {"value": s.value, "reason": s.reason, "details": s.details}
                for name, s in self.scores.items()
            },
            "breaking_step": self.breaking_step_number,
            "checks": [
                {"check": c.name, "holds": c.holds, "message": c.message}
                for c in self.checks.checks
            ],
            "first_failed": None
            if self.checks.first_failed is None
            else self.checks.first_failed.message,
            "expected_calls": [diff.to_json() for diff in self.call_diffs],
            "steps": [step.as_dict() for step in self.record.steps],
        }


def find_run(source: str, run_id: str, tasks: dict[str, Task] | None = None) -> RunRecord:
    """Stream the file until the run turns up; say which ids are close when it does not."""
    from taskgate.importers.documents import refuse_documents

    refuse_documents(source)
    seen: dict[str, int] = {}
    reader = RunReader(source, tasks, seen=seen)
    for _, record in reader:
        if record.run_id == run_id:
            return record
    others = [other for other in seen if other != run_id]  # its own line was unreadable
    found = process.extract(run_id, others, scorer=fuzz.ratio, limit=3, score_cutoff=60)
    close = [choice for choice, _, _ in found]
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    message = f"no run with run_id {run_id!r} among {len(seen)} runs{hint}"
    if reader.problems:  # the run may be on a line that could not be read
        message += f"; {reader.invalid_lines} line(s) could not be read, listed below"
    raise InputError(
        [Problem(source, None, "run_id", message), *reader.problems], unkept=reader.unkept
    )


def explain_run(
    source: str, run_id: str, config: Config, tasks: dict[str, Task] | None = None
) -> Explanation:
    record = find_run(source, run_id, tasks)
    scored = Scorer(config).score(record)
    failed = scored.result.passed is False
    first = scored.checks.first_failed
    if failed and first is not None and first.call is not None:
        step = step_of_call(scored.ctx, first.call)
    else:
        step = breaking_step(scored.ctx, scored.result.failure_shape) if failed else None
    arguments = config.evaluators.function_calls.arguments
    diffs = tuple(call_diffs(scored.ctx, scored.checks, arguments))
    return Explanation(record, scored.result, scored.scores, step, scored.checks, diffs)


def call_diffs(ctx: RunContext, checks: RunChecks, mode: ArgumentMatch) -> list[CallDiff]:
    """The failed expected-call checks, each against the call made that comes closest."""
    failed = {c.subject for c in checks.checks if c.name == "expected_call" and not c.holds}
    diffs = []
    for index, want in enumerate(ctx.task.expected_calls):
        if want.optional or want.name not in failed:
            continue
        candidates = [i for i, c in enumerate(ctx.calls) if c.name == want.name and not c.failed]
        compared = [(compare_call(ctx, index, i, mode), i) for i in candidates]
        best = max(compared, key=lambda pair: pair[0].credit, default=None)
        made = None if best is None else best[1]
        diffs.append(
            CallDiff(
                expected=index,
                name=want.name,
                turn=want.turn,
                made=made,
                made_turn=None if made is None else ctx.call_turns[made],
                comparison=None if best is None else best[0],
            )
        )
    return diffs


def _shown(value: Any) -> Any:
    return "(missing)" if value is MISSING else value


def _first_step(ctx: RunContext, predicate: Any) -> int | None:
    return next(
        (
            i
            for i, step in enumerate(ctx.record.steps)
            if any(predicate(c) for c in step.tool_calls)
        ),
        None,
    )


def _first_repeat(ctx: RunContext) -> int | None:
    """The first step repeating a call, compared by value as step_efficiency compares them
    ({"n": 5} and {"n": 5.0} are one call): by their text, they were two."""
    seen: set[CallKey] = set()
    for index, step in enumerate(ctx.record.steps):
        for call in step.tool_calls:
            key = call_key(call)
            if key in seen:
                return index
            seen.add(key)
    return None


def step_of_call(ctx: RunContext, call: int) -> int | None:
    """The index in record.steps of the step that made call ``call`` (of ctx.calls)."""
    seen = 0
    for index, step in enumerate(ctx.record.steps):
        if step.is_user:
            continue
        seen += len(step.tool_calls)
        if call < seen:
            return index
    return None


def breaking_step(ctx: RunContext, shape: str | None) -> int | None:
    """Where a failed run went wrong, by its failure shape; None when no step stands out."""
    # The agent's last step, never a user turn: a user's reply is no evidence of the agent's work.
    agent = [i for i, step in enumerate(ctx.record.steps) if not step.is_user]
    last = agent[-1] if agent else None
    if shape == "tool_misuse" and misused_tools(ctx):
        forbidden, available = set(ctx.task.forbidden_tools), ctx.task.available_tools
        return _first_step(
            ctx,
            lambda c: c.name in forbidden or (available is not None and c.name not in available),
        )
    if shape == "loop_exhaustion":
        repeat = _first_repeat(ctx)
        return repeat if repeat is not None else last
    failed = _first_step(ctx, lambda c: c.failed)
    if shape == "early_stop" and failed is not None:
        return failed
    return last
