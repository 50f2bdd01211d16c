"""task_completion: did the agent finish the task?

Final step reached, outcome match and success criteria met, blended by the
configured weights. A task that lists expected calls but no success criteria
has those calls as its criteria: each is met when a call that did not fail
made it with all its arguments right. A part the task gives nothing to judge
by is dropped and the rest re-weighted; the run is then flagged underspecified.
"""

from __future__ import annotations

from collections.abc import Mapping

from taskgate.config import ArgumentMatch, CallOrder
from taskgate.evaluators.base import Evaluator, Score, weighted
from taskgate.evaluators.context import RunContext
from taskgate.evaluators.criteria import CriterionResult, evaluate_criteria
from taskgate.evaluators.function_calls import match_calls
from taskgate.evaluators.outcome import is_empty, outcome_match


def task_completion(
    weights: Mapping[str, float],
    keyword_share: float,
    default_order: CallOrder = "unordered",
    arguments: ArgumentMatch = "exact",
) -> Evaluator:
    """``weights`` has keys final_step, outcome and criteria; ``default_order`` and
    ``arguments`` say how expected calls are matched when they stand in for criteria."""

    def score(ctx: RunContext) -> Score:
        task = ctx.task
        has_expected = not is_empty(task.expected_result)
        if task.success_criteria:
            met = evaluate_criteria(ctx, keyword_share)
        else:
            met = expected_calls_made(ctx, task.call_order or default_order, arguments)
        parts = {"final_step": (weights["final_step"], float(ctx.final_step_reached))}
        outcome = outcome_match(task.expected_result, ctx.result) if has_expected else None
        if outcome is not None:
            parts["outcome"] = (weights["outcome"], outcome)
        if met:
            parts["criteria"] = (weights["criteria"], sum(r.met for r in met) / len(met))
        reason = " ".join(
            [_final_step_reason(ctx), _outcome_reason(ctx, outcome), _criteria_reason(met)]
        )
        details = {
            "has_final_step": ctx.has_final_step,
            "result_produced": not is_empty(ctx.result),
            "step_budget_exceeded": ctx.budget_exhausted,
            "outcome": outcome,
            "criteria": parts["criteria"][1] if met else None,
            "criteria_met": [r.name for r in met if r.met],
            "criteria_unmet": [r.name for r in met if not r.met],
            "underspecified": not has_expected or not met,
            "final_step_only": not has_expected and not met,
        }
        return Score(weighted(parts), reason, details)

    return score


def expected_calls_made(
    ctx: RunContext, order: CallOrder, arguments: ArgumentMatch
) -> list[CriterionResult]:
    """Each expected call as a criterion: met when matched with full argument credit."""
    if not ctx.task.expected_calls:
        return []
    match = match_calls(ctx, order, arguments)
    made = {index for index, _, credit in match.pairs if credit >= 1.0}
    return [CriterionResult(f"call {name}", i in made) for i, name in enumerate(match.expected)]


def _final_step_reason(ctx: RunContext) -> str:
    if ctx.final_step_reached:
        return "Final step reached."
    if ctx.has_final_step:
        return "Final step reached, but the step budget ran out."
    return "No final step" + (" (step budget exhausted)." if ctx.budget_exhausted else ".")


def _outcome_reason(ctx: RunContext, outcome: float | None) -> str:
    if outcome is None:
        return "No expected result to compare."
    if is_empty(ctx.result):
        return "No result produced."
    verb = "matches" if outcome >= 0.9 else "partly matches" if outcome > 0 else "does not match"
    return f"Result {verb} expected ({outcome:.0%})."


def _criteria_reason(met: list[CriterionResult]) -> str:
    if not met:
        return "No success criteria."
    unmet = [r.name for r in met if not r.met]
    text = f"Criteria: {len(met) - len(unmet)}/{len(met)} met."
    return f"{text} Unmet: {', '.join(unmet)}" if unmet else text
