"""The per-argument modes that read a value as written: numeric, fuzzy and regex.

canonical() drops a minus sign and the punctuation a pattern may be about, so these modes
take the raw values of both sides.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import regex
from rapidfuzz import fuzz

from taskgate.errors import RecordError
from taskgate.scoring.criteria import REGEX_TIMEOUT_S
from taskgate.scoring.text import fold, is_number, keywords, text_of, tokens

NUMERIC_TOLERANCE = 1e-9
"""Relative tolerance of the numeric mode: float noise, never a different amount."""

FUZZY_THRESHOLD = 0.85
"""Least similarity (see similarity()) at which two free texts say the same thing.

Measured on message bodies and notes: rewordings ("was approved" / "has been approved", a
moved phrase, a greeting changed) score 0.89 and up; one fact word changed in a short text
("approved" / "denied", "cancel" / "keep") scores 0.84 and below. One word changed in a
longer text ("refund" / "exchange" in a six-word note, "issued" / "cancelled" in a message)
still passes: no similarity of characters or words knows which word is the fact. Numbers
and negations, the facts it misses most, are checked on their own (texts_agree)."""

# A number as a person writes one: a sign, a currency symbol or an ISO 4217 code, thousands
# separators, a decimal part, an exponent. "20.50", "$20.50", "-$5", "20.50 USD", "1,000".
_NUMBER = regex.compile(
    r"\s*(?:[A-Z]{3}\s*)?(?P<sign>[+-]?)\s*\p{Sc}?\s*(?P<after>[+-]?)"
    r"(?P<digits>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)(?P<exponent>[eE][+-]?\d+)?"
    r"\s*(?:[A-Z]{3})?\s*"
)
# Words that turn a statement into its opposite; "n't" is split off by tokens(), so it is
# looked for in the text.
_NEGATION = regex.compile(
    r"\b(?:not|no|never|nor|neither|cannot|none|nothing|nobody|without)\b|n['\u2019]t\b"
)


def number(value: Any) -> float | None:
    """A number, or a string that holds exactly one number; None for anything else."""
    if isinstance(value, bool):  # JSON true is not 1
        return None
    if isinstance(value, str):
        match = _NUMBER.fullmatch(value)
        if match is None or (match["sign"] and match["after"]):
            return None
        result = _finite(match["digits"].replace(",", "") + (match["exponent"] or ""))
        negative = "-" in (match["sign"], match["after"])
        return -result if negative and result is not None else result
    return _finite(value) if isinstance(value, int | float) else None


def _finite(value: str | float) -> float | None:
    try:
        result = float(value)
    except OverflowError:  # an integer beyond any float
        return None
    return result if math.isfinite(result) else None  # "1e999"


def numbers_agree(want: Any, got: Any) -> bool:
    a, b = number(want), number(got)
    return a is not None and b is not None and math.isclose(a, b, rel_tol=NUMERIC_TOLERANCE)


def texts_agree(want: Any, got: Any) -> bool:
    """The fuzzy mode: similar texts that state the same numbers and the same negations, so
    a changed amount or a "not" fails however similar the rest is."""
    want_text, got_text = text_of(want), text_of(got)
    return (
        _numbers_in(want_text) == _numbers_in(got_text)
        and _negations(want_text) == _negations(got_text)
        and similarity(want_text, got_text) >= FUZZY_THRESHOLD
    )


def similarity(a: str, b: str) -> float:
    """Mean of two measures of the folded texts, in [0, 1]: rapidfuzz's character similarity
    (the better of fuzz.ratio, which tolerates small edits, and fuzz.token_sort_ratio, which
    tolerates moved words) and the overlap (F1) of their content words, where one word
    replaced in a short text costs much more than a few characters do."""
    folded_a, folded_b = " ".join(tokens(a)), " ".join(tokens(b))
    characters = max(fuzz.ratio(folded_a, folded_b), fuzz.token_sort_ratio(folded_a, folded_b))
    return (characters / 100.0 + _word_overlap(a, b)) / 2


def _word_overlap(a: str, b: str) -> float:
    words_a, words_b = set(keywords(a)), set(keywords(b))
    if not words_a and not words_b:
        return 1.0
    return 2 * len(words_a & words_b) / (len(words_a) + len(words_b))


def _numbers_in(text: str) -> frozenset[str]:
    return frozenset(token for token in tokens(text) if is_number(token))


def _negations(text: str) -> int:
    return len(_NEGATION.findall(fold(text)))


def pattern_agrees(want: Any, got: Any, field: str) -> bool:
    """The regex mode: the expected value, a regular expression, matches the whole of the
    actual value's text (case-sensitive, as written; (?i) makes it not)."""
    compiled = pattern(want, field)
    try:
        return compiled.fullmatch(text_of(got), timeout=REGEX_TIMEOUT_S) is not None
    except TimeoutError:
        raise RecordError(
            field,
            f"the regular expression {compiled.pattern!r} ran for over {REGEX_TIMEOUT_S:g} s on "
            "this run's argument; simplify it (avoid nested repetition such as (a+)+)",
        ) from None


def pattern(value: Any, field: str) -> regex.Pattern[str]:
    """The compiled pattern of a regex-mode argument; RecordError when it is not one."""
    if not isinstance(value, str):
        raise RecordError(
            field,
            f"match mode regex needs a regular expression as a string, got {text_of(value)}; "
            "write the pattern as a string or choose another mode",
        )
    try:
        return _compiled(value)
    except regex.error as error:
        raise RecordError(
            field, f"not a valid regular expression ({error}); fix the pattern"
        ) from None


@lru_cache(maxsize=1024)  # the expected calls of a task repeat over its trials
def _compiled(value: str) -> regex.Pattern[str]:
    return regex.compile(value)
