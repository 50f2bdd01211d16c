"""goal_progress: how far along did the run get, finished or not?

Milestones are the task's expected calls and its success criteria. An agent that makes three
of four expected calls and meets two of three criteria has made real progress, even if it
never reached a final step; task_completion would not show it.
"""

from __future__ import annotations

import math

from taskgate.model.names import CallOrder
from taskgate.scoring.context import RunContext
from taskgate.scoring.evaluators.base import Evaluator, Score
from taskgate.scoring.scores import clamp
from taskgate.scoring.sparse_matching import assign_sparse, matched_prefix_sparse

MADE = 0.5
"""Argument credit at which an expected call counts as made."""


def goal_progress(keyword_share: float, default_order: CallOrder = "unordered") -> Evaluator:
    """``default_order`` applies when the task sets no call_order (as for function_calls)."""

    def score(ctx: RunContext) -> Score:
        task = ctx.task
        criteria = ctx.criteria_for(keyword_share)
        strict = (task.call_order or default_order) == "strict"
        reached = calls_reached(ctx, strict)
        expected, met = len(task.expected_calls), sum(r.met for r in criteria)
        details = {
            "calls_reached": reached,
            "calls_expected": expected,
            "criteria_met": met,
            "criteria_total": len(criteria),
        }
        parts = [reached / expected] if expected else []
        parts += [met / len(criteria)] if criteria else []
        if not parts:
            return Score(None, "No expected calls or criteria to measure progress by.", details)
        return Score(
            clamp(math.fsum(parts) / len(parts)), lambda: _reason(details, strict), details
        )

    return score


def calls_reached(ctx: RunContext, strict: bool) -> int:
    """Expected calls made with at least MADE argument credit (exact arguments).

    In strict order, the longest prefix made in order; otherwise the most that can be
    paired one-to-one with calls made.
    """
    credits = ctx.credits_for("exact")
    made = [sorted(c for c, credit in row.items() if credit >= MADE) for row in credits]
    if strict:
        return matched_prefix_sparse(made)
    # Every made pair weighs the same, so the assignment maximises the count itself.
    return len(assign_sparse([dict.fromkeys(row, 1.0) for row in made], len(ctx.calls)))


def _reason(details: dict[str, int], strict: bool) -> str:
    parts = []
    if details["calls_expected"]:
        in_order = " in order" if strict else ""
        parts.append(
            f"Reached {details['calls_reached']}/{details['calls_expected']} expected calls"
            f"{in_order}"
        )
    if details["criteria_total"]:
        parts.append(f"{details['criteria_met']}/{details['criteria_total']} criteria met")
    return "; ".join(parts) + "."
