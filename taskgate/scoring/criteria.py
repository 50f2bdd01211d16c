"""Success criteria: is each one met by what the run did and said?"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import regex

from taskgate.errors import RecordError
from taskgate.model.record import CalledTool, Criterion
from taskgate.scoring.facts import RunFacts
from taskgate.scoring.outcome import canonical
from taskgate.scoring.text import contains_words, keywords, tokens

# A user's regular expression gets this long per search, and all of a task's this long per
# run, before it counts as a runaway; it is then an input error, never a silent pass or fail.
REGEX_TIMEOUT_S = 1.0
REGEX_RUN_BUDGET_S = 2.0


@dataclass(frozen=True)
class CriterionResult:
    name: str
    met: bool
    judged_by: str | None = None
    """The judge that decided it, and why; None: the rules did."""


def criterion_name(criterion: str | Criterion) -> str:
    """How reasons refer to a criterion: its id, else a short rendering of it."""
    if isinstance(criterion, str):
        return repr(criterion)
    if criterion.id:
        return criterion.id
    value = criterion.check_value(criterion.check)
    if criterion.check == "not":
        return f"not({criterion_name(value)})"
    shown = value.name if isinstance(value, CalledTool) else value
    return (
        f"{criterion.check} {shown!r}"
        if criterion.check != "tool_called"
        else f"tool_called {shown}"
    )


def evaluate_criteria(ctx: RunFacts, keyword_share: float) -> list[CriterionResult]:
    """The task's success criteria, each met or not (a phrase when ``keyword_share`` of its
    keywords are found)."""
    return [
        CriterionResult(criterion_name(c), is_met(ctx, c, keyword_share, f"[{i}]"))
        for i, c in enumerate(ctx.task.success_criteria)
    ]


def phrase_share(ctx: RunFacts, phrase: str) -> float | None:
    """The share of a phrase criterion's keywords found in the evidence; None without any."""
    wanted = keywords(phrase)
    if not wanted:
        return None
    return sum(1 for word in wanted if word in ctx.evidence) / len(wanted)


def is_met(ctx: RunFacts, criterion: str | Criterion, keyword_share: float, where: str) -> bool:
    if isinstance(criterion, str):
        share = phrase_share(ctx, criterion)
        return share is not None and share >= keyword_share
    value = criterion.check_value(criterion.check)
    if criterion.check == "not":
        return not is_met(ctx, value, keyword_share, where)
    if criterion.check == "tool_called":
        return _tool_called(ctx, value)
    if criterion.check == "result_contains":
        return contains_words(ctx.result_tokens, tokens(value))
    if criterion.check == "observation_contains":
        needle = tokens(value)
        return bool(needle) and f" {' '.join(needle)} " in ctx.observation_words
    return _matches(ctx, value, where)


def _tool_called(ctx: RunFacts, wanted: str | CalledTool) -> bool:
    """A successful call to the tool, with at least the given arguments."""
    name = wanted if isinstance(wanted, str) else wanted.name
    arguments = {} if isinstance(wanted, str) else canonical(wanted.arguments)
    return any(
        call.name == name
        and not call.failed
        and _has_arguments(
            None if call.arguments is None else ctx.canonical_arguments(i), arguments
        )
        for i, call in enumerate(ctx.calls)
    )


def _has_arguments(actual: Any, wanted: dict[str, Any]) -> bool:
    if not wanted:
        return True
    return isinstance(actual, Mapping) and all(actual.get(k) == v for k, v in wanted.items())


def _matches(ctx: RunFacts, pattern: str, where: str) -> bool:
    """The pattern searched in the result, within what is left of the run's budget: ten
    patterns that each take just under the per-search limit would take ten times it."""
    clock = ctx.regex_clock
    left = REGEX_RUN_BUDGET_S - clock.spent
    started = time.perf_counter()
    try:
        if left <= 0:
            raise TimeoutError
        found = _compiled(pattern).search(ctx.result_text, timeout=min(REGEX_TIMEOUT_S, left))
    except TimeoutError:
        ran = (
            f"ran for over {REGEX_TIMEOUT_S:g} s"
            if left >= REGEX_TIMEOUT_S
            else f"took the task's expressions past {REGEX_RUN_BUDGET_S:g} s together"
        )
        raise RecordError(
            f"task.success_criteria{where}.result_matches",
            f"the regular expression {pattern!r} {ran} on this run's result; simplify it "
            "(avoid nested repetition such as (a+)+)",
        ) from None
    finally:
        clock.spent += time.perf_counter() - started
    return found is not None


@lru_cache(maxsize=1024)
def _compiled(pattern: str) -> regex.Pattern[str]:
    """Each distinct pattern compiled once per process (patterns compile when the record is
    read, so this cannot fail)."""
    return regex.compile(pattern)
