"""function_calls: were the right calls made, with the right arguments?

Expected calls are paired with the calls made under the task's call order: an optimal
one-to-one assignment, or an order-preserving alignment for ``strict``. A pair needs the same
tool name; it earns the share of arguments that agree by value. Precision and recall come
from the credit of the pairs, so a near-miss earns part of a call, never all or nothing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from taskgate.config import ArgumentMatch, CallOrder
from taskgate.evaluators.base import Evaluator, Score, clamp
from taskgate.evaluators.context import RunContext
from taskgate.evaluators.matching import align, assign
from taskgate.evaluators.outcome import canonical

MISSING_SHOWN = 3
_FULL_CREDIT = {
    "exact": " with exact arguments",
    "subset": " with matching arguments",
    "superset": " with matching arguments",
    "ignore": "",
}


def argument_credit(expected: Any, actual: Any, mode: ArgumentMatch) -> float:
    """How well ``actual`` arguments fit ``expected`` ones, in [0, 1], compared by value."""
    if mode == "ignore" or expected is None:
        # An expected call that states no arguments asks only for the tool.
        return 1.0
    return _credit(canonical(expected), canonical({} if actual is None else actual), mode)


def _credit(want: Any, got: Any, mode: ArgumentMatch) -> float:
    """argument_credit of arguments already in canonical form (``got`` may be a
    FoldedObject: only the values of keys both sides have are read)."""
    if not isinstance(want, dict) or not isinstance(got, Mapping):
        return float(want == got)
    judged = {"exact": want.keys() | got.keys(), "subset": got.keys(), "superset": want.keys()}
    keys = judged[mode]
    if not keys:
        return 1.0
    return sum(1 for key in keys if key in want and key in got and want[key] == got[key]) / len(
        keys
    )


Credits = list[list[float | None]]


def credit_matrix(ctx: RunContext, mode: ArgumentMatch) -> Credits:
    """Credit of every (expected, actual) pair; None where the pair cannot be made.

    A pair needs the same tool name and a call that did not fail: a failed call did not do
    what was expected of it (it still counts as a call made, against precision).
    """
    return ctx.shared(("credit_matrix", mode), lambda: _credit_matrix(ctx, mode))


def _credit_matrix(ctx: RunContext, mode: ArgumentMatch) -> Credits:
    made = [(call.name, call.failed) for call in ctx.calls]
    rows: Credits = []
    for want in ctx.task.expected_calls:
        name_only = mode == "ignore" or want.arguments is None
        wanted = None if name_only else canonical(want.arguments)
        rows.append(
            [
                None
                if name != want.name or failed
                else 1.0
                if name_only
                else _credit(wanted, ctx.canonical_arguments(index), mode)
                for index, (name, failed) in enumerate(made)
            ]
        )
    return rows


@dataclass(frozen=True)
class CallMatch:
    """Expected calls paired with the calls made; the pairs carry their argument credit."""

    expected: list[str]
    made: list[str]
    pairs: list[tuple[int, int, float]]
    """(expected index, actual index, credit), by expected index."""
    order: CallOrder
    arguments: ArgumentMatch

    @property
    def precision(self) -> float:
        return self._credit / len(self.made) if self.made else 0.0

    @property
    def recall(self) -> float:
        return self._credit / len(self.expected)

    @property
    def value(self) -> float:
        # superset: extra calls are allowed, so only recall counts; subset: missing calls
        # are allowed, so only precision counts.
        precision, recall = self.precision, self.recall
        if self.order == "superset":
            return clamp(recall)
        if self.order == "subset":
            return clamp(precision)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
        return clamp(f1)

    @property
    def missing(self) -> list[str]:
        paired = {e for e, _, _ in self.pairs}
        return [name for i, name in enumerate(self.expected) if i not in paired]

    @property
    def extra(self) -> list[str]:
        paired = {a for _, a, _ in self.pairs}
        return [name for i, name in enumerate(self.made) if i not in paired]

    @property
    def _credit(self) -> float:
        return math.fsum(credit for _, _, credit in self.pairs)


def match_calls(ctx: RunContext, order: CallOrder, arguments: ArgumentMatch) -> CallMatch:
    """The task's expected calls paired with the run's calls; once per run and setting."""
    return ctx.shared(("match_calls", order, arguments), lambda: _match(ctx, order, arguments))


def _match(ctx: RunContext, order: CallOrder, arguments: ArgumentMatch) -> CallMatch:
    credits = credit_matrix(ctx, arguments)
    pairs = align(credits) if order == "strict" else assign(credits)
    return CallMatch(
        expected=[call.name for call in ctx.task.expected_calls],
        made=[call.name for call in ctx.calls],
        pairs=[(e, a, credits[e][a] or 0.0) for e, a in pairs],
        order=order,
        arguments=arguments,
    )


def function_calls(default_order: CallOrder, arguments: ArgumentMatch) -> Evaluator:
    """``default_order`` applies when the task sets no call_order."""

    def score(ctx: RunContext) -> Score:
        expected = ctx.task.expected_calls
        if not expected:
            return Score(None, "No expected calls to compare.", {})
        order = ctx.task.call_order or default_order
        match = match_calls(ctx, order, arguments)
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
