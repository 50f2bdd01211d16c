"""task_completion: how far did the agent get with the task? The graded score for ranking.

Final step reached, outcome match and success criteria met, blended by the configured
weights. A task that lists expected calls but no success criteria has its required calls as
its criteria (each met when a call that did not fail made it in full), and, when its write
tools are known, "no unaccounted write" as one more. A part the task gives nothing to judge
by is dropped and the rest re-weighted; the run is then flagged underspecified. A run whose
task states no goal at all is unjudged: the score is None, never a made-up 1.0.

Whether a run passes is not this score's business: :mod:`taskgate.scoring.checks`
decides that, check by check.
"""

from __future__ import annotations

from collections.abc import Mapping

from taskgate.scoring.checks import CheckSettings, RunChecks
from taskgate.scoring.context import RunContext
from taskgate.scoring.criteria import CriterionResult
from taskgate.scoring.evaluators.base import Evaluator, Score, weighted
from taskgate.scoring.outcome import CONTAINED, is_empty, outcome_score
from taskgate.scoring.outcome_modes import OutcomeCheck
from taskgate.scoring.text import FUZZY_CHARS, text_of


def task_completion(weights: Mapping[str, float], settings: CheckSettings) -> Evaluator:
    """``weights`` has keys final_step, outcome and criteria."""

    def score(ctx: RunContext) -> Score:
        checks = ctx.checks_for(settings)
        outcome_check = ctx.outcome_for(settings.outcome_match, settings.outcome_tolerance)
        outcome = None if outcome_check is None else outcome_value(ctx, outcome_check)
        met = _criteria(ctx, settings, checks)
        parts = {"final_step": (weights["final_step"], float(ctx.final_step_reached))}
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
            "outcome_holds": None if outcome_check is None else outcome_check.holds,
            "criteria": parts["criteria"][1] if met else None,
            "criteria_met": [r.name for r in met if r.met],
            "criteria_unmet": [r.name for r in met if not r.met],
            "underspecified": outcome is None or not met,
            "final_step_only": not checks.judged,
        }
        if not checks.judged:
            return Score(None, "Unjudged: " + reason, details)
        return Score(weighted(parts), reason, details)

    return score


def outcome_value(ctx: RunContext, check: OutcomeCheck) -> float:
    """1.0 equal, 0.9 matched under the task's mode, else a graded similarity below both."""
    return outcome_score(ctx.task.expected_result, ctx.result, check.holds)


def _criteria(ctx: RunContext, settings: CheckSettings, checks: RunChecks) -> list[CriterionResult]:
    """The success criteria; without them, the task's other stated checks of what the run did."""
    if ctx.task.success_criteria:
        return ctx.criteria_for(settings.keyword_share)
    stated = [
        CriterionResult(f"{_STATED[check.name]} {check.subject}", check.holds)
        for check in checks.checks
        if check.name in _STATED
    ]
    stated += [
        CriterionResult("no unaccounted write", check.holds)
        for check in checks.checks
        if check.name == "write"
    ]
    return stated


_STATED = {
    "expected_call": "call",
    "extra_call": "call",
    "expected_handoff": "handoff",
    "extra_handoff": "handoff",
}
"""The checks that stand for criteria when a task states none: what they are called."""


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
    bounded = outcome < CONTAINED and _longer_than_fuzzy(ctx)
    note = f"; similarity read the first {FUZZY_CHARS:,} characters" if bounded else ""
    return f"Result {verb} expected ({outcome:.0%}{note})."


def _longer_than_fuzzy(ctx: RunContext) -> bool:
    return max(len(ctx.result_text), len(text_of(ctx.task.expected_result))) > FUZZY_CHARS


def _criteria_reason(met: list[CriterionResult]) -> str:
    if not met:
        return "No success criteria."
    unmet = [r.name for r in met if not r.met]
    text = f"Criteria: {len(met) - len(unmet)}/{len(met)} met."
    return f"{text} Unmet: {', '.join(unmet)}" if unmet else text
