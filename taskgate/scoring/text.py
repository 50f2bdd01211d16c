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


def tokens(text: str) -> tuple[str, ...]:
    """Case-, Unicode- and number-format-insensitive tokens of a text.

    ``"Refund of $20.50"`` -> ``("refund", "of", "20.5")``; ``"1,000"`` -> ``("1000",)``.
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    return tuple(_canonical_number(t) if t[0].isdigit() else t for t in _TOKEN.findall(folded))


@lru_cache(maxsize=65536)  # a vocabulary repeats across runs: each word is stemmed once
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


@lru_cache(maxsize=2048)  # criteria and expected results repeat across the trials of a task
def keywords(text: str) -> tuple[str, ...]:
    """Stemmed tokens that carry meaning, in first-seen order, without repeats."""
    seen: dict[str, None] = {}
    for token in tokens(text):
        if token not in STOPWORDS:
            seen.setdefault(stem(token), None)
    return tuple(seen)


def fold(text: str) -> str:
    """Unicode- and case-folded text, as tokens() sees it."""
    return unicodedata.normalize("NFKC", text).casefold()


_DIGITS = re.compile(r"\d+")


class KeywordIndex:
    """Answers "does this keyword occur in these texts?" without tokenising them all.

    Evidence can be long (every observation and tool result of a run) while a criterion
    has a few keywords, so each keyword is looked up with str.find on the folded text and
    the word found is stemmed, instead of stemming every word. Numbers, which change form
    when canonicalised (1,000 -> 1000), are collected once per text.

    ``texts`` is read lazily, one text at a time and only as far as a keyword needs:
    give the text most likely to hold the keywords first (a run's result) and the costly
    rest after it.
    """

    def __init__(self, texts: Iterable[str]) -> None:
        self._unread = iter(texts)
        self._texts: list[str] = []
        self._numbers: list[frozenset[str] | None] = []

    def __contains__(self, keyword: object) -> bool:
        if not isinstance(keyword, str) or not keyword:
            return False
        number = is_number(keyword)
        index = 0
        while index < len(self._texts) or self._read_one():
            if self._holds(index, keyword, number):
                return True
            index += 1
        return False

    def _read_one(self) -> bool:
        text = next(self._unread, None)
        if text is None:
            return False
        self._texts.append(fold(text))
        self._numbers.append(None)
        return True

    def _holds(self, index: int, keyword: str, number: bool) -> bool:
        if not number:
            return _has_word(self._texts[index], keyword)
        numbers = self._numbers[index]
        if numbers is None:
            numbers = self._numbers[index] = _numbers_in(self._texts[index])
        return keyword in numbers


def _numbers_in(text: str) -> frozenset[str]:
    """The number tokens of a folded text, canonicalised: each stretch of letters, digits,
    dots and commas around a digit is tokenised exactly as tokens() would."""
    covered = -1
    found: set[str] = set()
    for match in _DIGITS.finditer(text):
        if match.start() < covered:
            continue
        start, covered = _stretch(text, match.start(), -1), _stretch(text, match.end(), 1)
        found.update(t for t in tokens(text[start:covered]) if is_number(t))
    return frozenset(found)


def _has_word(text: str, keyword: str) -> bool:
    # A word stems to a prefix of itself, except -ies -> -y: look for the keyword
    # without its final y, then check the whole word found.
    probe = keyword[:-1] if keyword.endswith("y") and len(keyword) > 1 else keyword
    start = text.find(probe)
    for _ in range(_OCCURRENCES_BY_HAND):
        if start == -1:
            return False
        if start == 0 or not _is_word_char(text[start - 1]):
            word = text[start : _word_end(text, start + len(probe))]
            if word not in STOPWORDS and stem(word) == keyword:
                return True
        start = text.find(probe, start + 1)
    # Many occurrences, none the word yet (the keyword inside longer words, megabytes of
    # them): the distinct words that start with it, found in one pass, each stemmed once.
    words = set(_words_starting(probe).findall(text, start))
    return any(word not in STOPWORDS and stem(word) == keyword for word in words)


_OCCURRENCES_BY_HAND = 16


@lru_cache(maxsize=1024)
def _words_starting(probe: str) -> re.Pattern[str]:
    # A word character is a letter or digit (not "_"), as in _is_word_char.
    return re.compile(rf"(?<![^\W_]){re.escape(probe)}[^\W_]*")


def _is_word_char(char: str) -> bool:
    return char.isalnum() and char != "_"


def _stretch(text: str, position: int, step: int) -> int:
    """Where a stretch of letters, digits, dots and commas ends, going by ``step``."""
    if step < 0:
        while position > 0 and (_is_word_char(text[position - 1]) or text[position - 1] in ".,"):
            position -= 1
        return position
    while position < len(text) and (_is_word_char(text[position]) or text[position] in ".,"):
        position += 1
    return position


def _word_end(text: str, position: int) -> int:
    while position < len(text) and _is_word_char(text[position]):
        position += 1
    return position


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


FUZZY_CHARS = 20_000
"""How much of each text the fuzzy similarity reads: its cost grows with the product of
the two lengths (two texts of 1 MB took minutes), while keywords read the whole text."""


def fuzzy(a: str, b: str) -> float:
    """rapidfuzz's token-set similarity of two texts, in [0, 1], over the first FUZZY_CHARS
    characters of each."""
    return float(fuzz.token_set_ratio(a[:FUZZY_CHARS], b[:FUZZY_CHARS])) / 100.0
