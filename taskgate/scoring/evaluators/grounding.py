"""grounding: are the facts the final result states backed by what the run saw?

The share of the numbers, amounts, dates, times, ids and codes in the result that the run saw
(or, for a number, derived from two it saw); null when the result states none. See
``taskgate.scoring.grounding`` for what counts as seen.
"""

from __future__ import annotations

from taskgate.scoring.context import RunContext
from taskgate.scoring.evaluators.base import Evaluator, Score
from taskgate.scoring.grounding import Grounding

SHOWN = 5
"""Facts named in a reason before the rest are counted."""


def grounding() -> Evaluator:
    def score(ctx: RunContext) -> Score:
        if not ctx.result_text.strip():
            return Score(None, "No final result to check.", {})
        facts = ctx.grounding
        if facts.share is None:
            return Score(None, "The result states no numbers, dates, times, ids or codes.", {})
        return Score(facts.share, lambda: grounding_reason(facts), lambda: _details(facts))

    return score


def grounding_reason(facts: Grounding) -> str:
    backed = len(facts.found) + len(facts.derived)
    parts = [f"Facts backed by what the run saw: {backed}/{facts.stated}."]
    if facts.ungrounded:
        parts.append(f"Ungrounded: {_listed(facts.ungrounded)}.")
    if facts.unverified:
        unseen = _listed(facts.unverified)
        parts.append(f"Unverified (not seen; maybe the run's own sums): {unseen}.")
    if facts.derived:
        parts.append(f"Derived: {_listed([f'{fact} = {how}' for fact, how in facts.derived])}.")
    return " ".join(parts)


def _listed(items: tuple[str, ...] | list[str]) -> str:
    shown = ", ".join(items[:SHOWN])
    return shown if len(items) <= SHOWN else f"{shown} and {len(items) - SHOWN} more"


def _details(facts: Grounding) -> dict[str, object]:
    return {
        "found": list(facts.found),
        "derived": [{"fact": fact, "from": how} for fact, how in facts.derived],
        "unverified": list(facts.unverified),
        "ungrounded": list(facts.ungrounded),
    }
