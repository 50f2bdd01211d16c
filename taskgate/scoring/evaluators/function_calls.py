"""function_calls: were the right calls made, with the right arguments?

The F1 of the pairing of expected calls with the calls made (``scoring/calls.py``): recall
alone under ``superset``, precision alone under ``subset``.
"""

from __future__ import annotations

from typing import Any

from taskgate.config.fields import ArgumentMatch
from taskgate.model.names import CallOrder
from taskgate.scoring.calls import CallMatch
from taskgate.scoring.context import RunContext
from taskgate.scoring.evaluators.base import Evaluator, Score
from taskgate.scoring.scores import clamp

MISSING_SHOWN = 3
_FULL_CREDIT = {
    "exact": " with exact arguments",
    "subset": " with matching arguments",
    "superset": " with matching arguments",
    "ignore": "",
}


def function_calls(default_order: CallOrder, arguments: ArgumentMatch) -> Evaluator:
    """``default_order`` applies when the task sets no call_order."""

    def score(ctx: RunContext) -> Score:
        expected = ctx.task.expected_calls
        if not expected:
            return Score(None, "No expected calls to compare.", {})
        order = ctx.task.call_order or default_order
        match = ctx.call_match_for(order, arguments)
        return Score(match.value, lambda: _reason(match), lambda: _details(match))

    return score


def _details(match: CallMatch) -> dict[str, Any]:
    return {
        "matched": [{"expected": e, "actual": a, "credit": clamp(c)} for e, a, c in match.pairs],
        "missing": match.missing,
        "extra": match.extra,
        "precision": clamp(match.precision),
        "recall": clamp(match.recall),
        "order": match.order,
        "arguments": match.arguments,
    }


def _reason(match: CallMatch) -> str:
    text = f"{len(match.pairs)}/{len(match.expected)} expected calls matched"
    full_credit = _FULL_CREDIT[match.arguments]
    if full_credit and match.pairs:
        full = sum(1 for _, _, credit in match.pairs if credit >= 1.0)
        text += f" ({full}{full_credit})"
    extra = len(match.extra)
    if extra:
        text += f", {extra} extra call{'s' if extra > 1 else ''}"
    measure = {"superset": "recall", "subset": "precision"}.get(match.order, "F1")
    text += f"; {measure} {match.value:.2f}."
    return f"{text} Missing: {_first_few(match.missing)}" if match.missing else text


def _first_few(names: list[str]) -> str:
    shown = ", ".join(names[:MISSING_SHOWN])
    more = len(names) - MISSING_SHOWN
    return f"{shown} (+{more} more)" if more > 0 else shown
