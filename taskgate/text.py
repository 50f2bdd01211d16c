"""Text normalisation, tokens and similarity shared by the evaluators.

Everything compares *tokens*, never raw substrings, so "4" does not match
"14 items" and "data" does not match "database".
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

import orjson
from rapidfuzz import fuzz

# A number (thousands separators and decimals allowed) standing alone, or a run
# of letters and digits such as HAT136. Underscores split words, so
# parse_receipt -> parse, receipt.
_TOKEN = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![^\W_])|\d+(?:\.\d+)?(?![^\W_])|[^\W_]+")
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")

STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "for",
        "to",
        "in",
        "on",
        "at",
        "by",
        "with",
        "and",
        "or",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "as",
        "from",
        "into",
        "has",
        "have",
        "had",
        "do",
        "does",
        "did",
        "not",
        "no",
        "yes",
        "i",
        "you",
        "we",
        "they",
        "he",
        "she",
        "me",
        "my",
        "your",
        "our",
        "their",
        "his",
        "her",
        "them",
        "us",
        "will",
        "would",
        "can",
        "could",
        "should",
        "shall",
        "may",
        "might",
        "must",
        "so",
        "if",
        "then",
        "than",
        "there",
        "here",
        "about",
        "please",
    ]
)


def text_of(value: Any) -> str:
    """Any JSON value as searchable text: strings as they are, the rest as JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    except TypeError:  # integers beyond 64 bits, non-string keys
        return json.dumps(value, sort_keys=True, default=str)


def _canonical_number(token: str) -> str:
    plain = token.replace(",", "")
    if "." not in plain:
        return plain
    try:
        text = format(Decimal(plain).normalize(), "f")
    except InvalidOperation:
        return plain
    return text


@lru_cache(maxsize=65536)
def tokens(text: str) -> tuple[str, ...]:
    """Case-, Unicode- and number-format-insensitive tokens of a text.

    ``"Refund of $20.50"`` -> ``("refund", "of", "20.5")``; ``"1,000"`` -> ``("1000",)``.
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    return tuple(_canonical_number(t) if t[0].isdigit() else t for t in _TOKEN.findall(folded))


def stem(word: str) -> str:
    """A light suffix stripper, so that parsed/parse and refunds/refund meet."""
    if len(word) <= 3 or word[0].isdigit():
        return word
    for suffix, replacement in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and not word.endswith("ss") and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + replacement
            break
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    # cancelled/cancel, stopped/stop: one of a doubled final consonant goes.
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeious":
        word = word[:-1]
    return word


def keywords(text: str) -> tuple[str, ...]:
    """Stemmed tokens that carry meaning, in first-seen order, without repeats."""
    seen: dict[str, None] = {}
    for token in tokens(text):
        if token not in STOPWORDS:
            seen.setdefault(stem(token), None)
    return tuple(seen)


def contains_words(haystack: Sequence[str], needle: Sequence[str]) -> bool:
    """True when ``needle`` stands as a run of whole tokens inside ``haystack``."""
    if not needle:
        return False
    return f" {' '.join(needle)} " in f" {' '.join(haystack)} "


def is_number(token: str) -> bool:
    return bool(_NUMBER.fullmatch(token))


def keyword_recall(expected: Sequence[str], found: Iterable[str]) -> float:
    """Share of ``expected`` keywords present in ``found``; 0.0 when nothing is expected."""
    if not expected:
        return 0.0
    present = set(found)
    return sum(1 for word in expected if word in present) / len(expected)


def fuzzy(a: str, b: str) -> float:
    """rapidfuzz's token-set similarity of two texts, in [0, 1]."""
    return float(fuzz.token_set_ratio(a, b)) / 100.0
