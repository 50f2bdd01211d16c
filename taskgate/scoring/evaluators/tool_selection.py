"""tool_selection: did the agent reach for the right tools?

Coverage of the required tools, less the share of calls to tools it must not use
(forbidden) or that do not exist (hallucinated), less half the share of calls that errored.
Any forbidden call caps the score: using a tool the task forbids is never a good run.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from functools import partial

from taskgate.model.record import Task
from taskgate.model.trajectory import ToolCall
from taskgate.scoring.context import RunContext
from taskgate.scoring.evaluators.base import Evaluator, Score
from taskgate.scoring.scores import clamp

FORBIDDEN_CAP = 0.25
ERROR_PENALTY = 0.5


@dataclass(frozen=True)
class ToolUse:
    """What a run did with its tools, against what its task asked; the score's details."""

    required_called: list[str]
    required_missing: list[str]
    hallucinated: dict[str, int]
    """Calls per tool outside available_tools, by name."""
    forbidden: list[str]
    forbidden_calls: int
    errored_calls: int
    calls: int

    @property
    def coverage(self) -> float:
        required = len(self.required_called) + len(self.required_missing)
        return len(self.required_called) / required if required else 1.0


def tool_selection() -> Evaluator:
    def score(ctx: RunContext) -> Score:
        task, calls = ctx.task, ctx.calls
        if not calls and not _has_expectations(task):
            return Score(None, "No tool expectations to judge.", {})
        use = tool_use(task, calls)
        if not calls and not task.required_tools:
            return Score(1.0, "No tools required and none called.", partial(asdict, use))
        return Score(_value(use), lambda: _reason(use), partial(asdict, use))

    return score


def _has_expectations(task: Task) -> bool:
    return bool(task.required_tools or task.forbidden_tools or task.available_tools)


def tool_use(task: Task, calls: tuple[ToolCall, ...]) -> ToolUse:
    called = {call.name for call in calls}
    required = list(dict.fromkeys(task.required_tools))
    forbidden = set(task.forbidden_tools)
    available = task.available_tools
    # A forbidden tool is reported as forbidden even when it is also not available.
    unknown = Counter(
        call.name
        for call in calls
        if available is not None and call.name not in available and call.name not in forbidden
    )
    return ToolUse(
        required_called=[name for name in required if name in called],
        required_missing=[name for name in required if name not in called],
        hallucinated=dict(sorted(unknown.items())),
        forbidden=sorted(called & forbidden),
        forbidden_calls=sum(1 for call in calls if call.name in forbidden),
        errored_calls=sum(1 for call in calls if call.failed),
        calls=len(calls),
    )


def _value(use: ToolUse) -> float:
    if use.calls == 0:
        return 0.0  # tools were required and none was called
    bad = use.forbidden_calls + sum(use.hallucinated.values())
    value = (
        use.coverage * (1 - bad / use.calls) * (1 - ERROR_PENALTY * use.errored_calls / use.calls)
    )
    return clamp(min(value, FORBIDDEN_CAP) if use.forbidden else value)


def _reason(use: ToolUse) -> str:
    parts = [_required_reason(use)]
    if use.forbidden_calls:
        noun = "a forbidden tool" if len(use.forbidden) == 1 else "forbidden tools"
        names = ", ".join(use.forbidden)
        parts.append(f"{_plural(use.forbidden_calls, 'call')} to {noun} ({names}).")
    if use.hallucinated:
        total = sum(use.hallucinated.values())
        parts.append(f"{_plural(total, 'hallucinated call')} ({', '.join(use.hallucinated)}).")
    if use.errored_calls:
        parts.append(f"{use.errored_calls}/{use.calls} calls errored.")
    if not use.calls:
        parts.append("No calls made.")
    return " ".join(parts)


def _required_reason(use: ToolUse) -> str:
    required = len(use.required_called) + len(use.required_missing)
    if not required:
        return "No tools required."
    text = f"Required tools: {len(use.required_called)}/{required} called"
    if use.required_missing:
        return f"{text} (missing: {', '.join(use.required_missing)})."
    return f"{text}."


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
