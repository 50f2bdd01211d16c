"""step_efficiency: did the agent get there without wasted steps?

The optimal step count against the steps taken, less the share of calls that were wasted:
calls repeating an earlier identical call that already succeeded, and the retries inside a
retry storm (the same call failing three or more times in a row). Running out of the step
budget caps the score, whatever else went well.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import partial
from typing import NamedTuple

from taskgate.model.trajectory import ToolCall
from taskgate.scoring.context import RunContext
from taskgate.scoring.evaluators.base import Evaluator, Score
from taskgate.scoring.outcome import value_key
from taskgate.scoring.scores import clamp

STORM_LENGTH = 3
BUDGET_CAP = 0.2
TIMES = "\N{MULTIPLICATION SIGN}"

CallKey = tuple[str, bytes]


@dataclass(frozen=True)
class RetryStorm:
    name: str
    length: int
    first_step: int
    """0-based index of the step holding the storm's first call."""


class _Call(NamedTuple):  # one per call of every run: a tuple is cheap to make
    step: int
    key: CallKey
    failed: bool


def call_key(call: ToolCall) -> CallKey:
    """Name and arguments by value: two calls with equal keys are the same call."""
    return call.name, value_key(call.arguments)


@dataclass(frozen=True)
class Efficiency:
    steps: int
    optimal_steps: int | None
    calls: int
    repeated_calls: int
    retry_storms: list[RetryStorm]
    wasted_calls: int
    """Repeats and storm retries together, a call that is both counted once."""
    budget_exhausted: bool

    @property
    def length(self) -> float:
        if not self.optimal_steps:
            return 1.0
        return min(1.0, self.optimal_steps / self.steps) if self.steps else 0.0

    @property
    def value(self) -> float:
        if self.steps == 0:
            return 0.0
        value = self.length * (1 - self.wasted_calls / self.calls) if self.calls else self.length
        return clamp(min(value, BUDGET_CAP) if self.budget_exhausted else value)


def measure(ctx: RunContext) -> Efficiency:
    calls = [
        _Call(i, call_key(call), call.failed)
        for i, step in enumerate(ctx.agent_steps)
        for call in step.tool_calls
    ]
    repeats, spans = _repeated_calls(calls), _storm_spans(calls)
    # A storm's first call was a fair attempt; the retries after it were not.
    wasted = repeats.union(*(span[1:] for span in spans))
    return Efficiency(
        steps=len(ctx.agent_steps),
        optimal_steps=ctx.task.optimal_steps,
        calls=len(calls),
        repeated_calls=len(repeats),
        retry_storms=[_storm(calls, span) for span in spans],
        wasted_calls=len(wasted),
        budget_exhausted=ctx.budget_exhausted,
    )


def step_efficiency() -> Evaluator:
    def score(ctx: RunContext) -> Score:
        efficiency = measure(ctx)
        details = partial(asdict, efficiency)  # read by explain, not by score
        if not efficiency.steps:
            return Score(efficiency.value, "No steps taken.", details)
        return Score(efficiency.value, lambda: _reason(efficiency), details)

    return score


def _repeated_calls(calls: list[_Call]) -> set[int]:
    """Indices of calls identical to an earlier call that succeeded."""
    succeeded: set[CallKey] = set()
    repeats: set[int] = set()
    for index, call in enumerate(calls):
        if call.key in succeeded:
            repeats.add(index)
        if not call.failed:
            succeeded.add(call.key)
    return repeats


def _storm_spans(calls: list[_Call]) -> list[range]:
    """Runs of STORM_LENGTH or more consecutive identical calls that all failed."""
    spans: list[range] = []
    start = 0
    for end in range(1, len(calls) + 1):
        if end < len(calls) and _same_failure(calls[start], calls[end]):
            continue
        if calls[start].failed and end - start >= STORM_LENGTH:
            spans.append(range(start, end))
        start = end
    return spans


def _same_failure(first: _Call, later: _Call) -> bool:
    return first.failed and later.failed and first.key == later.key


def _storm(calls: list[_Call], span: range) -> RetryStorm:
    first = calls[span.start]
    return RetryStorm(first.key[0], len(span), first.step)


def _reason(efficiency: Efficiency) -> str:
    steps, optimal = efficiency.steps, efficiency.optimal_steps
    if optimal:
        parts = [f"{steps} steps for an optimal {optimal} ({efficiency.length:.0%})."]
    else:
        parts = [f"{steps} step{'s' if steps != 1 else ''}; no optimal_steps; length not judged."]
    repeats, storms = efficiency.repeated_calls, efficiency.retry_storms
    if repeats:
        parts.append(f"{repeats} repeated call{'s' if repeats != 1 else ''}.")
    if storms:
        label = "Retry storm" if len(storms) == 1 else "Retry storms"
        listed = ", ".join(f"{s.length}{TIMES} {s.name} failing" for s in storms)
        parts.append(f"{label}: {listed}.")
    if not repeats and not storms:
        parts.append("No repeated calls or retry storms.")
    if efficiency.budget_exhausted:
        parts.append("Step budget exhausted.")
    return " ".join(parts)
