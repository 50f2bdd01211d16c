"""Whether an expected phrase stands in a result text, read as a careful reviewer reads it.

Both texts become *content words*: tokens without articles and filler stopwords, stemmed,
numbers canonical and signed (20.50 -> 20.5, 5th -> 5, -3 is not 3). Negations (not, no,
never, n't, unable, failed to ...) and modal verbs (may, could, will ...) are content: they
change what a sentence claims, so neither "refund was not issued" nor "refund may be issued"
contains "refund issued". The expected's content words must appear as one contiguous run of
the result's, at an occurrence that passes every guard:

- not negated: no negation among the 4 content words before it in its clause (a clause ends at
  , ; : . ! ? a line break or "but"), and not only asked (in a question: a sentence opening
  with would, can, is, what ... and ending with "?");
- not part of a larger value: a number, weekday or month joined to another by a dash, "to",
  "through", "until" or "between ... and" is a range (1982-1988); a number or code glued to
  more letters or digits by - _ / . : with no space is a longer code (1182-B, HAT136/2);
- not part of a larger name, when the expected is a proper name (its words all capitalised):
  directly next to another capitalised word (New York City; a capitalised word that only
  starts a sentence does not count), or after "Capitalised, " (Albany, New York) unless a
  list goes on after it (Boston, New York and Chicago).

No key token can be swapped for another: numbers and codes are never stemmed, weekday and
month names are compared as written, and so are the words of a proper name. An expected of
filler words only ("yes") is found as whole words.

numbers_of() reads the numbers a value states, for the numeric mode.
"""

from __future__ import annotations

import math
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any, NamedTuple

from taskgate.scoring.text import (
    _TOKEN,
    STOPWORDS,
    _canonical_number,
    contains_words,
    is_number,
    stem,
    tokens,
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


Verdict = tuple[bool, str]
STANDS = "the expected stands in the result"
ABSENT = "the expected phrase is not in the result"

NEGATIONS = _words("not no never none nothing nobody nowhere without nor neither cannot non unable")
MODALS = _words("will would can could should shall may might must")
_FILLER = (STOPWORDS | {"but"}) - NEGATIONS - MODALS
_ARTICLES = frozenset({"a", "an", "the"})
_DAYS = _words("monday tuesday wednesday thursday friday saturday sunday")
_MONTHS = _words(
    "january february march april may june july august september october november december"
)
_CALENDAR = {name: name for name in _DAYS | _MONTHS} | {f"{day}s": day for day in _DAYS}
_RANGE_WORDS = frozenset({"to", "through", "thru", "until", "till"})
_DASHES = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2212")  # hyphens, dashes, minus
_GLUE = _DASHES | frozenset("_/.:")
_APOSTROPHES = frozenset("'\u2019")
_CLITICS = frozenset({"s", "re", "ll", "ve", "d", "m"})  # it's, we're: not words of their own
# "Yes, New York" is an answer, not a place "Yes" in New York: interjections and sentence
# adverbs (any word in -ly) before a comma are not the first half of a "City, Region" name.
_DISCOURSE = _words("yes sure okay ok well however also now great done hi hello thanks")
# A sentence that opens with one of these and ends with "?" asks; it states nothing.
_QUESTION_OPENERS = MODALS | _words(
    "do does did is are was were have has had what which who whom whose when where why how"
)
_NEGATING_VERBS = _words("fail fails failed failing refuse refuses refused refusing")
_CONTEXTUAL = _NEGATING_VERBS | {"no"}
_SCOPE = 4
_QUOTE = 48

_CLAUSE_END = re.compile(r"[,;!?\n]|[.:][\"')\]\u2019\u201d]*\s")
_SENTENCE_END = re.compile(r"[!?\n]|\.[\"')\]\u2019\u201d]*\s")
_SENTENCE_START = re.compile(r"[.!?:\n]")
_ORDINAL = re.compile(r"(\d+)(?:st|nd|rd|th)")
_NUMBER_SIGN = re.compile(r"\.\s*\d")
_TO = re.compile(r"\s+to\b")


class _Word(NamedTuple):  # a tuple: made for every word of a result, it must be cheap
    key: str
    folded: str
    kind: str  # word, negation, number, code or calendar
    first: int  # its first and last token
    last: int


@dataclass(frozen=True, slots=True)
class _Text:
    text: str  # NFKC, casing kept: the name guard reads capitals
    spans: list[tuple[int, int]]
    starts: list[int]
    words: tuple[_Word, ...]
    keys: tuple[str, ...]
    ends: list[int]  # where sentences end: clause and sentence facts are read on demand

    def raw(self, token: int) -> str:
        start, end = self.spans[token]
        return self.text[start:end]

    def gap(self, token: int) -> str:
        """The text between a token and the next one."""
        return self.text[self.spans[token][1] : self.spans[token + 1][0]]

    def quote(self, first: int, last: int) -> str:
        quoted = " ".join(self.text[self.spans[first][0] : self.spans[last][1]].split())
        return quoted if len(quoted) <= _QUOTE else quoted[: _QUOTE - 1] + "…"

    def same_clause(self, first: int, last: int) -> bool:
        if _CLAUSE_END.search(self.text, self.spans[first][1], self.spans[last][0]):
            return False
        return all(self.raw(token).casefold() != "but" for token in range(first + 1, last))

    def asks(self, token: int) -> bool:
        """Whether the token's sentence is a question: it ends with "?" and opens with an
        auxiliary or a wh-word."""
        after = bisect_left(self.ends, self.spans[token][1])
        if after == len(self.ends) or self.text[self.ends[after]] != "?":
            return False
        opener = bisect_left(self.starts, self.ends[after - 1] + 1) if after else 0
        return self.raw(opener).casefold() in _QUESTION_OPENERS


def _analyse(text: str) -> _Text:
    text = unicodedata.normalize("NFKC", text)
    spans: list[tuple[int, int]] = []
    words: list[_Word] = []
    for match in _TOKEN.finditer(text):
        index, (start, end), low = len(spans), match.span(), match.group().casefold()
        spans.append((start, end))
        if index and text[start - 1] in _APOSTROPHES and spans[-2][1] == start - 1:
            if low == "t" and text[start - 2] in "nN":  # didn't, can't: a negation
                if words and words[-1].last == index - 1:
                    words.pop()
                words.append(_Word("not", "not", "negation", index - 1, index))
                continue
            if low in _CLITICS:
                continue
        key = _key(low)
        if low in _CONTEXTUAL:
            key = _in_context(low, key, text, end)
        elif key is not None and key[1] == "number" and _signed(text, start):
            key = ("-" + key[0], "number")
        if key is not None:
            words.append(_Word(key[0], low, key[1], index, index))
    ends = [match.start() for match in _SENTENCE_END.finditer(text)]
    keys = tuple(word.key for word in words)
    return _Text(text, spans, [start for start, _ in spans], tuple(words), keys, ends)


@lru_cache(maxsize=65536)  # a vocabulary repeats: each word is classified once
def _key(low: str) -> tuple[str, str] | None:
    """The key a token is matched by and its kind; None for a filler."""
    if low[0].isdigit():
        if is_number(low):
            return _canonical_number(low), "number"
        ordinal = _ORDINAL.fullmatch(low)  # 5th is the number 5
        return (ordinal.group(1), "number") if ordinal else (low, "code")
    if any(char.isdigit() for char in low):
        return low, "code"
    if low in _CALENDAR:  # "@" never starts a token: March stays apart from marched
        return "@" + _CALENDAR[low], "calendar"
    if low in NEGATIONS:
        return low, "negation"
    return None if low in _FILLER else (stem(low), "word")


def signed_tokens(text: str) -> str:
    """tokens() of a text, joined, with a minus sign kept on the numbers that have one."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    words = []
    for match in _TOKEN.finditer(folded):
        word = match.group()
        if word[0].isdigit():
            word = ("-" if _signed(folded, match.start()) else "") + _canonical_number(word)
        words.append(word)
    return " ".join(words)


def _signed(text: str, start: int) -> bool:
    """-3, not 5-3: a minus sign stands right before the number and after no word."""
    return text[start - 1 : start] in ("-", "\u2212") and not text[start - 2 : start - 1].isalnum()


def _in_context(
    low: str, key: tuple[str, str] | None, text: str, end: int
) -> tuple[str, str] | None:
    if low == "no":  # "order no. 1182": a number sign, not a negation
        return None if _NUMBER_SIGN.match(text, end) else key
    return (stem(low), "negation") if _TO.match(text, end) else key  # failed to issue


_short_result = lru_cache(maxsize=4096)(_analyse)  # short answers repeat across trials


def _result_text(text: str) -> _Text:
    return _short_result(text) if len(text) <= 256 else _analyse(text)


@dataclass(frozen=True, slots=True)
class _Phrase:
    keys: tuple[str, ...]
    words: tuple[_Word, ...]
    shown: tuple[str, ...]  # each word as written, for a reason line
    name: bool  # a proper name: its words must be found as written, and not in a longer name
    negated: bool


@lru_cache(maxsize=4096)  # expected results repeat across the trials of a task
def _phrase(expected: str) -> _Phrase | None:
    text = _analyse(expected)
    if not text.words:
        return None
    shown = tuple(
        ("-" if w.key[0] == "-" else "") + text.quote(w.first, w.last) for w in text.words
    )
    names = [raw for w, raw in zip(text.words, shown, strict=True) if w.kind == "word"]
    name = bool(names) and all(raw[:1].isupper() for raw in names)
    negated = any(w.kind == "negation" for w in text.words)
    return _Phrase(text.keys, text.words, shown, name, negated)


def phrase_in(expected: str, result: str) -> Verdict:
    """Whether ``expected`` stands as a whole phrase in ``result`` (see the module docstring)."""
    phrase = _phrase(expected)
    if phrase is None:  # filler words only ("yes"): found as whole words
        found = contains_words(_plain(result), _plain(expected))
        return (True, STANDS) if found else (False, ABSENT)
    text = _result_text(result)
    rejected = None
    for start in _occurrences(phrase, text):
        why = _rejection(phrase, text, start)
        if why is None:
            return True, STANDS
        rejected = rejected or why
    return False, rejected or _negated_inside(phrase, text) or _absent(phrase, text)


def _plain(text: str) -> list[str]:
    return [word for word in tokens(text) if word not in _ARTICLES]


def _occurrences(phrase: _Phrase, text: _Text) -> Iterator[int]:
    return (at for at in _runs(text.keys, phrase.keys) if _same_names(phrase, text, at))


def _runs(keys: tuple[str, ...], wanted: tuple[str, ...]) -> Iterator[int]:
    """Where ``wanted`` starts as a contiguous run of ``keys``: one pass, in C, to each
    candidate first word."""
    at = -1
    while True:
        try:
            at = keys.index(wanted[0], at + 1)
        except ValueError:
            return
        if keys[at : at + len(wanted)] == wanted:
            yield at


def _same_names(phrase: _Phrase, text: _Text, start: int) -> bool:
    if not phrase.name:
        return True
    pairs = zip(phrase.words, text.words[start : start + len(phrase.words)], strict=True)
    return all(want.kind != "word" or want.folded == got.folded for want, got in pairs)


def _rejection(phrase: _Phrase, text: _Text, start: int) -> str | None:
    end = start + len(phrase.keys) - 1
    first, last = text.words[start].first, text.words[end].last
    return (
        _negation(text, start, last)
        or _question(text, first, last)
        or _larger_value(text, first, last)
        or (_larger_name(text, first, last) if phrase.name else None)
    )


def _negation(text: _Text, start: int, last: int) -> str | None:
    first = text.words[start].first
    for word in reversed(text.words[max(0, start - _SCOPE) : start]):
        if not text.same_clause(word.last, first):
            return None
        if word.kind == "negation":
            return f"negated in the result ({text.quote(word.first, last)})"
    return None


def _question(text: _Text, first: int, last: int) -> str | None:
    return f"only asked in the result ({text.quote(first, last)}?)" if text.asks(last) else None


def _larger_value(text: _Text, first: int, last: int) -> str | None:
    left, right = _joined(text, first, -1, first), _joined(text, last, 1, first)
    if left is not None:
        return f"part of a larger value ({text.quote(left, first)})"
    if right is not None:
        return f"part of a larger value ({text.quote(last, right)})"
    return None


def _joined(text: _Text, edge: int, step: int, first: int) -> int | None:
    """The token that makes the edge token of an occurrence part of a range or a longer code."""
    near, far = edge + step, edge + 2 * step
    if not 0 <= near < len(text.spans):
        return None
    gap = text.gap(min(edge, near))
    if gap in _GLUE and (_has_digit(text.raw(edge)) or _has_digit(text.raw(near))):
        return near
    if not _rangeable(text, edge):
        return None
    if gap.strip() in _DASHES and _rangeable(text, near):
        return near
    if not (0 <= far < len(text.spans) and _rangeable(text, far)):
        return None
    word = text.raw(near).casefold()
    if word in _RANGE_WORDS:
        return far
    opener = far - 1 if step < 0 else first - 1  # "between" stands before the range
    if word == "and" and opener >= 0 and text.raw(opener).casefold() == "between":
        return far
    return None


def _rangeable(text: _Text, token: int) -> bool:
    low = text.raw(token).casefold()
    return is_number(low) or bool(_ORDINAL.fullmatch(low)) or low in _CALENDAR


def _has_digit(raw: str) -> bool:
    return any(char.isdigit() for char in raw)


def _larger_name(text: _Text, first: int, last: int) -> str | None:
    if last + 1 < len(text.spans) and _inline(text.gap(last)) and _capital(text, last + 1):
        return f"part of a larger name ({text.quote(first, last + 1)})"
    if first == 0 or not _capital(text, first - 1):
        return None
    gap, before = text.gap(first - 1), text.raw(first - 1).casefold()
    if _inline(gap) and not _starts_sentence(text, first - 1):
        return f"part of a larger name ({text.quote(first - 1, last)})"
    adverb = before in _DISCOURSE or before.endswith("ly")
    if gap.replace(" ", "") == "," and not adverb and not _list_goes_on(text, last):
        return f"part of a larger name ({text.quote(first - 1, last)})"
    return None


def _inline(gap: str) -> bool:
    return not gap.strip(" \t")


def _capital(text: _Text, token: int) -> bool:
    raw = text.raw(token)
    return raw[0].isupper() and raw.isalpha() and raw.casefold() not in STOPWORDS


def _starts_sentence(text: _Text, token: int) -> bool:
    return token == 0 or bool(_SENTENCE_START.search(text.gap(token - 1)))


def _list_goes_on(text: _Text, last: int) -> bool:
    """Boston, New York and Chicago: after the occurrence, the list has another item."""
    if last + 1 >= len(text.spans):
        return False
    gap, after = text.gap(last).strip(), text.raw(last + 1).casefold()
    return (
        (gap in ("", ",") and after in ("and", "or"))
        or gap == "&"
        or (gap == "," and _capital(text, last + 1))
    )


def _negated_inside(phrase: _Phrase, text: _Text) -> str | None:
    """The expected stands in the result but for a negation inside it (refund was not issued)."""
    if phrase.negated:
        return None
    kept = [index for index, word in enumerate(text.words) if word.kind != "negation"]
    for at in _runs(tuple(text.keys[index] for index in kept), phrase.keys):
        start, end = kept[at], kept[at + len(phrase.keys) - 1]
        negation = next((w for w in text.words[start:end] if w.kind == "negation"), None)
        if negation is not None:
            return f"negated in the result ({text.quote(negation.first, text.words[end].last)})"
    return None


def _absent(phrase: _Phrase, text: _Text) -> str:
    keys, written = set(text.keys), {word.folded for word in text.words}
    for word, shown in zip(phrase.words, phrase.shown, strict=True):
        if phrase.name and word.kind == "word" and word.folded not in written:
            return f"expected {shown} not found"
        if word.kind in ("number", "code", "calendar") and word.key not in keys:
            return f"expected {shown} not found"
    return ABSENT


Number = tuple[Decimal, str]
"""A number's value and how it is written."""

# A sign only where no word or number runs into it (1982-1988 is two numbers, not 1982 and
# -1988); letters may follow (87mg, 5th) but none may come before (HAT136 is a code).
_WRITTEN_NUMBER = re.compile(
    r"(?<![\w.])([-+\u2212]?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?:[eE]([-+]?\d+))?(?![\d_])"
)


def numbers_of(value: Any) -> list[Number]:
    """The numbers a JSON value states: its numbers, and the numbers written in its strings."""
    if isinstance(value, str):
        return list(_cached_numbers(value) if len(value) <= 256 else _written_numbers(value))
    if isinstance(value, bool) or value is None:
        return []
    if isinstance(value, dict):
        return [number for item in value.values() for number in numbers_of(item)]
    if isinstance(value, list):
        return [number for item in value for number in numbers_of(item)]
    if isinstance(value, float) and math.isnan(value):
        return []
    try:
        return [(Decimal(repr(value)), repr(value))]
    except (ValueError, ArithmeticError):  # an integer too long to write out
        return []


def _written_numbers(text: str) -> tuple[Number, ...]:
    found = []
    for match in _WRITTEN_NUMBER.finditer(unicodedata.normalize("NFKC", text)):
        sign, whole, fraction, exponent = match.groups()
        exponent = f"e{exponent}" if exponent else ""
        minus = "-" if sign and sign != "+" else ""
        written = f"{minus}{whole.replace(',', '')}{fraction or ''}"
        found.append((Decimal(written + exponent), match.group().lstrip("+")))
    return tuple(found)


_cached_numbers = lru_cache(maxsize=4096)(_written_numbers)  # expected results repeat
