"""How a failed run failed (failure_shape) and where it broke (diagnosis).

A fixed decision procedure, checked in this order; the first that holds wins:

1. ``passed`` — the run passed.
   ``infrastructure`` — it errored or timed out with ``error_kind: infrastructure``: what the
   agent ran on failed (model API, network, harness), not the agent. Still a failure.
   ``abandoned_handoff`` — its first failed check is ``final_agent``: the agent holding the
   run at its end never took the final step (a sub-agent's "done" is not the run's).
2. ``tool_misuse`` — it called a forbidden tool, or one outside ``available_tools``, or its
   first failed check is a write or a call that no expected call accounts for.
3. ``loop_exhaustion`` — it has no final step within its budget and it ran out: budget exceeded,
   steps at the budget, or status ``timeout``.
4. ``early_stop`` — a fault stopped it: status ``error``, or it finished right after a tool error
   (in its last two steps) with criteria unmet.
5. ``tool_misuse`` — it used the wrong tool: a required tool was never called, and a tool that
   is not required was called in its place.
6. ``early_stop`` — it finished giving up: no result, or a result that says it could not do the
   task (sorry, unable, cannot, unfortunately…), with criteria unmet.
7. ``hallucinated_result`` — it finished with a result stating facts (numbers, amounts,
   dates, times, ids, codes) the run never saw, or its first failed check is ``grounded``.
8. ``wrong_task_drift`` — it finished confidently with a result, but the result misses the
   expected one (outcome below 0.5) and the criteria are not all met.
9. ``early_stop`` — it finished in fewer steps than ``optimal_steps`` with criteria unmet.
10. ``other`` — anything else (e.g. a near miss just below the green threshold).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from taskgate.scoring.context import RunContext
from taskgate.scoring.evaluators.base import Score
from taskgate.scoring.text import tokens

MISS = 0.5
# Words with which an agent says it could not do the task (tokens: "couldn't" -> couldn, t).
GIVING_UP = frozenset(
    {"sorry", "unable", "cannot", "couldn", "apologies", "apologize", "unfortunately"}
)
# Diagnosis ties go to the earliest component here: the most upstream cause.
COMPONENTS = (
    "tool_selection",
    "function_calls",
    "step_efficiency",
    "final_step",
    "criteria",
    "outcome",
)


def misused_tools(ctx: RunContext) -> bool:
    forbidden, available = set(ctx.task.forbidden_tools), ctx.task.available_tools
    return any(
        call.name in forbidden or (available is not None and call.name not in available)
        for call in ctx.calls
    )


def _ran_out(ctx: RunContext) -> bool:
    budget = ctx.task.step_budget
    at_budget = budget is not None and len(ctx.agent_steps) >= budget
    return not ctx.final_step_reached and (
        ctx.budget_exhausted or at_budget or ctx.record.status == "timeout"
    )


def _unfinished(ctx: RunContext, criteria: float | None) -> bool:
    return ctx.has_final_step and (criteria is None or criteria < 1.0)


def _faulted(ctx: RunContext, criteria: float | None) -> bool:
    late_error = any(call.failed for step in ctx.agent_steps[-2:] for call in step.tool_calls)
    return ctx.record.status == "error" or (late_error and _unfinished(ctx, criteria))


def _wrong_tool(ctx: RunContext) -> bool:
    required = set(ctx.task.required_tools)
    called = {call.name for call in ctx.calls}
    return bool(required - called) and bool(called - required)


def _gave_up(ctx: RunContext, criteria: float | None) -> bool:
    said = set(tokens(ctx.result_text))
    return _unfinished(ctx, criteria) and (not said or bool(said & GIVING_UP))


def _short(ctx: RunContext, criteria: float | None) -> bool:
    optimal = ctx.task.optimal_steps
    return optimal is not None and len(ctx.agent_steps) < optimal and _unfinished(ctx, criteria)


def _drifted(ctx: RunContext, outcome: float | None, criteria: float | None) -> bool:
    if not ctx.final_step_reached or not ctx.result_text.strip():
        return False
    if outcome is None and criteria is None:
        return False
    return (outcome is None or outcome < MISS) and (criteria is None or criteria < 1.0)


def _invented(ctx: RunContext) -> bool:
    """It finished with a result stating facts the run never saw."""
    return ctx.final_step_reached and bool(ctx.grounding.ungrounded)


UNACCOUNTED = frozenset({"write", "extra_call"})
"""First failed checks that are a misuse of tools: a state change nobody asked for."""


def failure_shape(
    ctx: RunContext, passed: bool, scores: Mapping[str, Score], failed_check: str | None = None
) -> str:
    completion = scores["task_completion"].details
    outcome, criteria = completion.get("outcome"), completion.get("criteria")
    checks: tuple[tuple[str, Callable[[], bool]], ...] = (
        ("passed", lambda: passed),
        ("infrastructure", lambda: ctx.record.error_kind == "infrastructure"),
        ("abandoned_handoff", lambda: failed_check == "final_agent"),
        ("tool_misuse", lambda: misused_tools(ctx) or failed_check in UNACCOUNTED),
        ("loop_exhaustion", lambda: _ran_out(ctx)),
        ("early_stop", lambda: _faulted(ctx, criteria)),
        ("tool_misuse", lambda: _wrong_tool(ctx)),
        ("early_stop", lambda: _gave_up(ctx, criteria)),
        ("hallucinated_result", lambda: failed_check == "grounded" or _invented(ctx)),
        ("wrong_task_drift", lambda: _drifted(ctx, outcome, criteria)),
        ("early_stop", lambda: _short(ctx, criteria)),
    )
    return next((shape for shape, holds in checks if holds()), "other")


def diagnosis(ctx: RunContext, scores: Mapping[str, Score]) -> str:
    """The component with the lowest score; ties go to the most upstream one."""
    completion = scores["task_completion"].details
    values: dict[str, float | None] = {
        "final_step": float(ctx.final_step_reached),
        "outcome": completion.get("outcome"),
        "criteria": completion.get("criteria"),
    }
    for name in ("tool_selection", "function_calls", "step_efficiency"):
        if name in scores:
            values[name] = scores[name].value
    judged = [
        (value, COMPONENTS.index(name), name) for name, value in values.items() if value is not None
    ]
    return min(judged)[2]
