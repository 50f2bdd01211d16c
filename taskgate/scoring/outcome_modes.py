"""Does a run's result match the task's expected result? A yes or no, under one of four modes.

A pass rests on this, so every mode is a rule a careful reviewer would apply to any answer.
Expected and result are JSON values; a string that opens with { or [ is read as the JSON it
holds. An empty result never matches.

- ``exact``: equal once case, Unicode (NFKC), white space, punctuation, the articles a/an/the
  and number formats ($20.50 = 20.5, 1,000 = 1000) are folded away, a minus sign kept (-3 is
  not 3); JSON by value (key order, 5 = 5.0).
- ``contains``: exact, or the expected stands in the result. Text: as a whole phrase, not
  negated, not part of a larger value or name, no key token swapped (see outcome_text). JSON:
  every expected key with an equal value, recursively; extra keys allowed in objects; lists
  element-wise, in order, of the same length. A scalar expected is looked for as a phrase in
  the JSON text of a structured result ({"dose": 87} contains 87).
- ``numeric``: every number the expected states (JSON numbers; in strings, written numbers with
  sign, thousands separators, decimals, exponent, units glued after: -3, $1,020.50, 1e3, 87mg)
  is among the result's numbers within the tolerance (absolute, at the edge included; none:
  equal to 1e-9 relative). Expected numbers are a multiset: [5, 5] needs two fives. Numbers
  only: a number inside a range or a code counts, and the result need not be JSON.
- ``subset``: JSON. Every expected key and value is found in the result, recursively; lists
  are multisets (an optimal one-to-one matching of expected items to result items); a scalar
  expected is also found as the single value of one-element lists or one-key objects ([87],
  {"value": 87}), but not beside other values ({"value": 87, "unit": "mg"}).
A structured expected against a result that is not JSON never matches (numeric aside).
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Context, Decimal
from functools import lru_cache
from typing import Any

from taskgate.model.record import OutcomeMode
from taskgate.scoring.matching import assign
from taskgate.scoring.outcome import _key, _structured, canonical, is_empty
from taskgate.scoring.outcome_text import STANDS, Number, numbers_of, phrase_in, signed_tokens
from taskgate.scoring.text import text_of


@dataclass(frozen=True)
class OutcomeCheck:
    holds: bool
    """Whether the result matches the expected under the mode."""
    why: str
    """One short lower-case phrase for a reason line: "negated in the result (not issued)"."""


EQUAL = "equal to the expected"
DIFFERS = "not equal to the expected"
NOT_JSON = "the result is not JSON"


def check_outcome(
    expected: Any, result: Any, mode: OutcomeMode, tolerance: float | None = None
) -> OutcomeCheck:
    """Whether ``result`` matches ``expected`` under ``mode``; ``tolerance`` is for numeric."""
    if tolerance is not None and not (math.isfinite(tolerance) and tolerance >= 0):
        raise ValueError(f"tolerance must be a finite number >= 0, not {tolerance}")
    if is_empty(result):
        return OutcomeCheck(False, "no result produced")
    if is_empty(expected):
        return OutcomeCheck(False, "no expected result")
    return _MODES[mode](_structured(expected), _structured(result), tolerance)


def _exact(expected: Any, result: Any, tolerance: float | None) -> OutcomeCheck:
    want, got = _folded(expected), _folded(result)
    if want == got:
        return OutcomeCheck(True, EQUAL)
    if _is_json(want):
        return OutcomeCheck(False, _problem(want, got, "", "exact") or DIFFERS)
    return OutcomeCheck(False, DIFFERS)


def _contains(expected: Any, result: Any, tolerance: float | None) -> OutcomeCheck:
    want, got = _folded(expected), _folded(result)
    if want == got:
        return OutcomeCheck(True, EQUAL)
    if _is_json(want):
        problem = _problem(want, got, "", "contains")
        return OutcomeCheck(problem is None, problem or STANDS)
    wanted = expected if isinstance(expected, str) else str(want)
    return OutcomeCheck(*phrase_in(wanted, result if isinstance(result, str) else text_of(result)))


def _subset(expected: Any, result: Any, tolerance: float | None) -> OutcomeCheck:
    want, got = _folded(expected), _folded(result)
    if want == got:
        return OutcomeCheck(True, EQUAL)
    if _is_json(want):
        problem = _problem(want, got, "", "subset")
        return OutcomeCheck(problem is None, problem or STANDS)
    if not _is_json(got):
        return OutcomeCheck(False, DIFFERS)
    if _single_value(got) == want:
        return OutcomeCheck(True, "the single value of the result")
    return OutcomeCheck(False, f"expected {_show(want)} is not the single value of the result")


def _single_value(value: Any) -> Any:
    """[87], {"value": 87}, [{"value": 87}] -> 87: the value one-item wrappers hold."""
    while isinstance(value, list | dict) and len(value) == 1:
        value = next(iter(value.values())) if isinstance(value, dict) else value[0]
    return value


def _folded(value: Any) -> Any:
    """canonical(), but numbers keep their sign (-3 is not 3) and strings lose a/an/the."""
    if isinstance(value, str):  # short texts repeat (expected results, answers); long ones don't
        return _fold_short(value) if len(value) <= _CACHED else _fold_text(value)
    if isinstance(value, dict):
        ordered = sorted(value.items(), key=lambda item: str(item[0]))  # as canonical() does
        return {_key(key): _folded(item) for key, item in ordered}
    if isinstance(value, list):
        return [_folded(item) for item in value]
    if isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
        return f"-{canonical(-value)}"
    return canonical(value)


_ARTICLE = re.compile(r"(?:^| )(?:a|an|the)(?= |$)")
_MINUS = re.compile(r"[-\u2212]\d")
_CACHED = 256


def _fold_text(text: str) -> str:
    folded = signed_tokens(text) if _MINUS.search(text) else str(canonical(text))
    return " ".join(_ARTICLE.sub(" ", folded).split())


_fold_short = lru_cache(maxsize=65536)(_fold_text)


def _is_json(value: Any) -> bool:
    return isinstance(value, dict | list)


def _problem(want: Any, got: Any, path: str, mode: str) -> str | None:
    """What keeps folded ``got`` from holding folded ``want`` under ``mode``; None: nothing."""
    if not path and _is_json(want) and not _is_json(got):
        return NOT_JSON
    if isinstance(want, dict):
        return _object_problem(want, got, path, mode)
    if isinstance(want, list):
        if not isinstance(got, list):
            return f"{path or 'the result'} is not a list"
        if mode == "subset":
            return _multiset_problem(want, got, path)
        if len(want) != len(got):
            return f"{path or 'the result'} has {len(got)} items, not {len(want)}"
        for index, (item, found) in enumerate(zip(want, got, strict=True)):
            problem = _problem(item, found, f"{path}[{index}]", mode)
            if problem is not None:
                return problem
        return None
    return None if want == got else f"{path or 'the result'} is {_show(got)}, not {_show(want)}"


def _object_problem(want: dict[str, Any], got: Any, path: str, mode: str) -> str | None:
    if not isinstance(got, dict):
        return f"{path or 'the result'} is not an object"
    for key, value in want.items():
        if key not in got:
            return f"missing key {_child(path, key)}"
        problem = _problem(value, got[key], _child(path, key), mode)
        if problem is not None:
            return problem
    extra = [key for key in got if key not in want] if mode == "exact" else []
    return f"unexpected key {_child(path, extra[0])}" if extra else None


def _child(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _multiset_problem(want: list[Any], got: list[Any], path: str) -> str | None:
    missing = _unmatched(want, got)
    if missing is None:
        return None
    where = f" in {path}" if path else ""
    return f"expected {_show(want[missing])} not found{where}"


def _unmatched(want: list[Any], got: list[Any]) -> int | None:
    """An expected item left over by a maximum one-to-one matching, or None if there is none."""
    if not any(_is_json(item) for item in want):  # scalars: count them, no matching needed
        counts = Counter(item for item in got if not _is_json(item))
        for index, item in enumerate(want):
            if counts[item] == 0:
                return index
            counts[item] -= 1
        return None
    weights = [[1.0 if _problem(w, g, "", "subset") is None else None for g in got] for w in want]
    matched = {row for row, _ in assign(weights)} if got else set()
    return next((index for index in range(len(want)) if index not in matched), None)


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    text = "null" if value is None else str(value)
    return text if len(text) <= 40 else text[:39] + "…"


_RELATIVE = Decimal("1e-9")
_ARITHMETIC = Context(prec=60, traps=[])  # huge exponents overflow to infinity, never raise


def _numeric(expected: Any, result: Any, tolerance: float | None) -> OutcomeCheck:
    want = numbers_of(expected)
    if not want:
        return OutcomeCheck(False, "the expected states no number")
    got = numbers_of(result)
    if not got:
        return OutcomeCheck(False, "no number in the result")
    slack = None if tolerance is None else Decimal(repr(float(tolerance)))
    free = sorted(value for value, _ in got)
    # Each expected number is an interval; taken by upper end, each interval takes the lowest
    # free number in it. For intervals and points that greedy order is an optimal matching.
    for value, shown in sorted(want, key=lambda number: _bounds(number[0], slack)[1]):
        low, high = _bounds(value, slack)
        at = bisect_left(free, low)
        if at == len(free) or free[at] > high:
            return OutcomeCheck(False, _number_missed(value, shown, want, got, slack))
        del free[at]
    within = "found" if slack is None else f"within {_show_number(slack)}"
    return OutcomeCheck(True, f"every expected number {within}")


def _bounds(value: Decimal, slack: Decimal | None) -> tuple[Decimal, Decimal]:
    if not value.is_finite():
        return value, value
    width = _ARITHMETIC.multiply(value.copy_abs(), _RELATIVE) if slack is None else slack
    return _ARITHMETIC.subtract(value, width), _ARITHMETIC.add(value, width)


def _number_missed(
    value: Decimal, shown: str, want: list[Number], got: list[Number], slack: Decimal | None
) -> str:
    low, high = _bounds(value, slack)
    near = sum(1 for number, _ in got if low <= number <= high)
    if near:  # there, but fewer times than the expected states it
        stated = sum(1 for number, _ in want if low <= number <= high)
        return f"{shown} expected {stated} times, found {near}"
    finite = [number for number in got if number[0].is_finite()]
    if slack is None or not value.is_finite() or not finite:
        return f"expected {shown} not found"
    distance = {written: _ARITHMETIC.subtract(n, value).copy_abs() for n, written in finite}
    closest = min(distance, key=distance.__getitem__)
    return (
        f"{closest} is {_show_number(distance[closest])} from the expected {shown}"
        f" (tolerance {_show_number(slack)})"
    )


def _show_number(number: Decimal) -> str:
    if number.is_finite() and -12 <= number.adjusted() <= 15:
        return format(_ARITHMETIC.normalize(number), "f")
    return format(number, ".6g")


_MODES: dict[str, Callable[[Any, Any, float | None], OutcomeCheck]] = {
    "exact": _exact,
    "contains": _contains,
    "numeric": _numeric,
    "subset": _subset,
}
