"""Expected calls paired with the calls a run made.

Expected calls are paired with the calls made under the task's call order: an optimal
one-to-one assignment, or an order-preserving alignment for ``strict``. A pair needs the same
tool name and, when the expected call names one, the same user turn; it earns the share of
arguments that agree (by value, under the config mode and the task's per-argument modes:
see arguments.py). Precision and recall come from the credit of the pairs, so a near-miss
earns part of a call, never all or nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from taskgate.config.fields import ArgumentMatch
from taskgate.model.names import CallOrder
from taskgate.scoring.arguments import (
    ArgumentComparison,
    check_patterns,
    compare_arguments,
    folded_credit,
)
from taskgate.scoring.facts import RunFacts
from taskgate.scoring.outcome import canonical
from taskgate.scoring.scores import clamp
from taskgate.scoring.sparse_matching import align_sparse, assign_sparse

Credits = list[dict[int, float]]
"""Per expected call, {index of a call made: credit} for the calls that may stand for it."""
MAX_GROUP_PAIRS = 1_000_000
"""Expected calls x calls made to one tool compared in full, at most: beyond (a run making
thousands of calls to one tool), each expected call is compared with the calls nearest its
place, so the work stays linear in the run."""


def credit_matrix(ctx: RunFacts, mode: ArgumentMatch) -> Credits:
    """Credit of every (expected, actual) pair that can be made; a pair left out cannot.

    A pair needs the same tool name, the expected call's turn when it names one (a call a
    turn early or late answers another message), and a call that did not fail: a failed
    call did not do what was expected of it (it still counts as a call made, against
    precision).
    """
    return [_credit_row(ctx, index, mode) for index in range(len(ctx.task.expected_calls))]


def _credit_row(ctx: RunFacts, expected_index: int, mode: ArgumentMatch) -> dict[int, float]:
    want = ctx.task.expected_calls[expected_index]
    if want.match:
        # A bad pattern is the task's mistake, reported whatever calls this run made.
        check_patterns(want.arguments, want.match, _field(expected_index))
    candidates = _candidates(ctx, expected_index)
    if mode == "ignore" or want.arguments is None:
        return dict.fromkeys(candidates, 1.0)
    if want.match:
        # Per-argument modes read raw values: the slower, key-by-key comparison.
        return {i: compare_call(ctx, expected_index, i, mode).credit for i in candidates}
    wanted = canonical(want.arguments)
    return {i: folded_credit(wanted, ctx.canonical_arguments(i), mode) for i in candidates}


def _candidates(ctx: RunFacts, expected_index: int) -> list[int]:
    """The calls that may stand for expected call ``expected_index``: same tool, no error,
    the right turn; in a group too large to compare in full, the nearest to its place among
    the expected calls to that tool."""
    want = ctx.task.expected_calls[expected_index]
    found = [
        index
        for index in ctx.working_calls.get(want.name, ())
        if want.turn is None or ctx.call_turns[index] == want.turn
    ]
    place, same_tool = ctx.expected_places[expected_index]
    if len(found) * same_tool <= MAX_GROUP_PAIRS:
        return found
    width = max(MAX_GROUP_PAIRS // same_tool, 1)
    centre = place * len(found) // same_tool
    start = min(max(centre - width // 2, 0), len(found) - width)
    return found[start : start + width]


def compare_call(
    ctx: RunFacts, expected_index: int, made_index: int, mode: ArgumentMatch
) -> ArgumentComparison:
    """The arguments of expected call ``expected_index`` against those of call
    ``made_index``, key by key (tool name, turn and errors aside: credit_matrix sees to
    those)."""
    want = ctx.task.expected_calls[expected_index]
    actual = ctx.calls[made_index].arguments
    field = _field(expected_index)
    return compare_arguments(want.arguments, actual, mode, want.match, field=field)


def _field(expected_index: int) -> str:
    return f"task.expected_calls[{expected_index}].arguments"


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


def match_calls(
    ctx: RunFacts, order: CallOrder, arguments: ArgumentMatch, credits: Credits
) -> CallMatch:
    """The task's expected calls paired with the run's calls, given the credit of every
    pair that can be made (``credit_matrix`` under ``arguments``)."""
    pair = align_sparse if order == "strict" else assign_sparse
    pairs = pair(credits, len(ctx.calls))
    return CallMatch(
        expected=[call.name for call in ctx.task.expected_calls],
        made=[call.name for call in ctx.calls],
        pairs=[(e, a, credits[e][a]) for e, a in pairs],
        order=order,
        arguments=arguments,
    )
