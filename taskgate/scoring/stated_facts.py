"""The checkable facts a text states: numbers and amounts, dates, times, ids and codes.

Two readings of text, on purpose unequal:

- ``stated_facts`` reads a final result strictly: each fact once, a date's or a time's digits
  never also a number, and bare one-digit counts ("2 bags", "step 3") left out, since a count
  is usually the agent's own tally of what it saw rather than a value it read.
- ``Seen`` reads what the run saw generously: every number, date, time and token in any
  spelling, so that a fact is never called invented because it was written another way
  (``$20.50`` and ``20.5``, ``2024-01-05`` and ``Jan 5, 2024``, ``3 PM`` and ``15:00``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

import regex

FactKind = Literal["number", "date", "time", "code"]
Reading = tuple[int, int, FactKind, frozenset[object]]

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
# Month names are read capitalised only: "may" and "march" are also words.
_MONTH = "(?:" + "|".join(sorted((n.capitalize() for n in _MONTHS), key=len, reverse=True)) + ")"
_ORDINAL = r"(?:st|nd|rd|th)?"
_ISO_DATE = re.compile(r"(?<![\w.-])(\d{4})-(\d{1,2})-(\d{1,2})(?=T\d|[^\w-]|$)")
_ANY_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")  # in ids too
_MONTH_FIRST = re.compile(rf"\b({_MONTH})\.?\s+(\d{{1,2}}){_ORDINAL}(?:,?\s+(\d{{4}}))?\b")
_DAY_FIRST = re.compile(rf"\b(\d{{1,2}}){_ORDINAL}\s+(?:of\s+)?({_MONTH})\.?(?:,?\s+(\d{{4}}))?\b")
_SLASHED = re.compile(r"(?<![\w/.])(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})(?![\w/])")
_HALF = r"([AaPp])(?:\.[Mm]\.|[Mm](?![^\W_]))"  # am, PM, a.m.: never the sentence's full stop
_CLOCK = re.compile(rf"(?<![\d:.])(\d{{1,2}}):(\d{{2}})(?::\d{{2}}(?:\.\d+)?)?(?:\s*{_HALF})?")
_HOUR = re.compile(rf"(?<![\w:.])(\d{{1,2}})\s*{_HALF}")
_TOKEN = re.compile(r"#?[^\W_]+(?:[-_/.][^\W_]+)*")
_NUMBER = re.compile(
    r"(?<![\w.,])([$€£¥])?\s?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![.,]?\d)(\s?(?:%|percent\b))?"
)
# A digit run, with any thousands groups and decimals: one pass reads both 1,234.5 and, for a
# list such as [1,234], its digit runs. Compiled by `regex`, whose scan over a run's text is
# nearly twice as fast as `re`'s for this pattern (benchmarks/speed.py).
_ANY_NUMBER = regex.compile(r"\d+(?:,\d{3}(?!\d))*(?:\.\d+)?")
_DIGIT, _LETTER = re.compile(r"\d"), re.compile(r"[^\W\d_]")
# 5kg, 20GB, 2x, 1st, 24-hour: a number counting something, not a code
_COUNTED = re.compile(r"\d+(?:\.\d+)?-?[^\W\d_]+")
_SEPARATORS = re.compile(r"[-_/.#]")
_JOINS = re.compile(r"[-_]")


@dataclass(frozen=True)
class Fact:
    """One checkable fact of a text."""

    kind: FactKind
    text: str
    """As the text states it."""
    values: frozenset[object]
    """What it may mean, canonical: a number's Decimal; a date's (year, month, day), or
    (month, day) without a year; a time's minutes after midnight; a code folded. A slashed
    date may mean either day order."""
    percent: bool = False


def stated_facts(text: str) -> list[Fact]:
    """The facts a result states, in order, each spelling once; of overlapping readings the
    first found wins (dates, then times, then codes, then numbers)."""
    taken: list[Reading] = []
    for reading in _readings(text):
        start, end = reading[0], reading[1]
        if not any(start < t_end and t_start < end for t_start, t_end, _, _ in taken):
            taken.append(reading)
    facts: dict[tuple[FactKind, str], Fact] = {}
    for start, end, kind, values in sorted(taken, key=lambda reading: reading[0]):
        stated = text[start:end].strip()
        percent = kind == "number" and stated.endswith(("%", "percent"))
        facts.setdefault((kind, stated), Fact(kind, stated, values, percent))
    return list(facts.values())


def _readings(text: str) -> Iterator[Reading]:
    yield from _dates(text)
    yield from _times(text)
    for match in _TOKEN.finditer(text):
        if is_code(match[0]):
            yield match.start(), match.end(), "code", frozenset({fold_code(match[0])})
    for match in _NUMBER.finditer(text):
        if match[1] or match[3] or match[4] or len(match[2]) > 1:  # not a bare one-digit count
            value = number(match[2] + (match[3] or ""))
            yield match.start(), match.end(), "number", frozenset({value})


def _dates(text: str, iso: re.Pattern[str] = _ISO_DATE) -> Iterator[Reading]:
    for match in iso.finditer(text):
        day = _date(match[1], match[2], match[3])
        if day:
            yield match.start(), match.end(), "date", frozenset({day})
    for pattern, month_at in ((_MONTH_FIRST, 1), (_DAY_FIRST, 2)):
        for match in pattern.finditer(text):
            month = _MONTHS[match[month_at].lower()]
            day = _date(match[3], str(month), match[3 - month_at]) if match[3] else None
            yearless = (month, int(match[3 - month_at]))
            if day or (match[3] is None and 1 <= yearless[1] <= 31):
                yield match.start(), match.end(), "date", frozenset({day or yearless})
    for match in _SLASHED.finditer(text):
        year = match[3] if len(match[3]) == 4 else "20" + match[3]
        days = {_date(year, match[1], match[2]), _date(year, match[2], match[1])} - {None}
        if days:
            yield match.start(), match.end(), "date", frozenset(days)


def _times(text: str) -> Iterator[Reading]:
    for match in _CLOCK.finditer(text):
        minutes = _minutes(match[1], match[2], match[3])
        if minutes is not None:
            yield match.start(), match.end(), "time", frozenset({minutes})
    for match in _HOUR.finditer(text):
        minutes = _minutes(match[1], "00", match[2])
        if minutes is not None:
            yield match.start(), match.end(), "time", frozenset({minutes})


def _date(year: str, month: str, day: str) -> tuple[int, int, int] | None:
    y, m, d = int(year), int(month), int(day)
    return (y, m, d) if 1 <= m <= 12 and 1 <= d <= 31 else None


def _minutes(hour: str, minute: str, half: str | None) -> int | None:
    h, m = int(hour), int(minute)
    if half is not None:
        if not 1 <= h <= 12:
            return None
        h = h % 12 + (12 if half in "Pp" else 0)
    return h * 60 + m if h < 24 and m < 60 else None


def is_code(token: str) -> bool:
    """An id or a code: letters and digits together (W2378156, 4WQ150, ORD-1182), or three
    or more digit groups joined by dashes (555-123-4567); not a number with its unit (5kg,
    1st), a decimal (20.5) or a range (10-15)."""
    bare = token.lstrip("#").rstrip(".")
    if not _DIGIT.search(bare) or _COUNTED.fullmatch(bare):
        return False
    return bool(_LETTER.search(bare)) or len(_JOINS.findall(bare)) >= 2


def fold_code(token: str) -> str:
    return token.lstrip("#").casefold()


def number(digits: str) -> Decimal:
    return Decimal(digits.replace(",", "")).normalize()


def canonical(digits: str) -> str:
    """One spelling per value of an unsigned number without thousands separators ("020.50"
    is "20.5"), made with string operations: several times faster than by Decimal, and a
    run sees many numbers."""
    whole, _, fraction = digits.partition(".")
    whole, fraction = whole.lstrip("0") or "0", fraction.rstrip("0")
    return f"{whole}.{fraction}" if fraction else whole


def spelled(value: Decimal) -> str:
    """``value`` as ``canonical`` spells it."""
    return format(value.normalize(), "f")


class Seen:
    """What a run saw, read for facts in every spelling: each kind read once, when a stated
    fact of that kind is first looked for."""

    __slots__ = ("_compact", "_dates", "_spellings", "_times", "text")
    _spellings: frozenset[str]
    _dates: set[object]
    _times: set[object]
    _compact: str

    def __init__(self, texts: Iterable[str]) -> None:
        # One text, with a separator no pattern reads across, so the regular expressions run
        # once over it in C instead of once per text.
        self.text = "\x00".join(texts)

    @property
    def spellings(self) -> frozenset[str]:
        """Every number seen, spelled as ``canonical`` spells it: digit runs and
        comma-grouped amounts; far fewer than the numbers a run saw."""
        try:
            return self._spellings
        except AttributeError:
            self._spellings = _spellings(self.text)
            return self._spellings

    @property
    def dates(self) -> set[object]:
        """Every date, and every full date's (month, day), which a yearless date may be."""
        try:
            return self._dates
        except AttributeError:
            seen: set[object] = set()
            for _, _, _, values in _dates(self.text, _ANY_ISO_DATE):
                seen |= values
                seen |= {_day_of(value) for value in values} - {None}
            self._dates = seen
            return seen

    @property
    def times(self) -> set[object]:
        try:
            return self._times
        except AttributeError:
            self._times = {value for _, _, _, values in _times(self.text) for value in values}
            return self._times

    @property
    def compact(self) -> str:
        """The text folded, without the separators a code may be written with or without."""
        try:
            return self._compact
        except AttributeError:
            self._compact = _SEPARATORS.sub("", self.text.casefold())
            return self._compact

    def holds(self, fact: Fact) -> bool:
        """The fact, in some spelling, is among what was seen."""
        if fact.kind == "number":
            return self._ends_a_number(fact.text) or any(
                self._has_number(value, fact.percent) for value in fact.values
            )
        if fact.kind == "date":
            return any(v in self.dates or _day_of(v) in self.dates for v in fact.values)
        if fact.kind == "time":
            return bool(fact.values & self.times)
        return any(self._has_code(_SEPARATORS.sub("", str(value))) for value in fact.values)

    def _has_number(self, value: object, percent: bool) -> bool:
        if not isinstance(value, Decimal):
            return False
        seen = self.spellings
        return spelled(value) in seen or (percent and spelled(value / 100) in seen)

    def _ends_a_number(self, stated: str) -> bool:
        """Four to six digits that end a longer digit run: "the card ending in 1784"."""
        digits = stated.lstrip("#")
        if not (digits.isdigit() and 4 <= len(digits) <= 6):
            return False
        return _occurs(
            self.text, digits, lambda before, after: before.isdigit() and not after.isdigit()
        )

    def _has_code(self, code: str) -> bool:
        return _occurs(
            self.compact, code, lambda before, after: not before.isalnum() and not after.isalnum()
        )


def _spellings(text: str) -> frozenset[str]:
    spelled = set(_ANY_NUMBER.findall(text))
    for grouped in [digits for digits in spelled if "," in digits]:
        runs = grouped.split(",")
        spelled.update(runs)
        spelled.discard(grouped)
        if len(runs[0]) <= 3:  # 1234,567 is two numbers, not one
            spelled.add("".join(runs))
    # Most digit runs are already canonical: no leading zero, no decimals.
    return frozenset(
        digits if digits[0] != "0" and "." not in digits else canonical(digits)
        for digits in spelled
    )


def _occurs(text: str, part: str, bounded: Callable[[str, str], bool]) -> bool:
    """``part`` occurs in ``text`` where ``bounded(the character before, the one after)``
    holds ("" at either end): a plain search, which needs no pattern made per fact."""
    start = 0
    while (at := text.find(part, start)) != -1:
        end = at + len(part)
        if bounded(text[at - 1] if at else "", text[end] if end < len(text) else ""):
            return True
        start = at + 1
    return False


def _day_of(value: object) -> object:
    """A full date's (month, day), which a date seen without its year may hold."""
    return value[1:] if isinstance(value, tuple) and len(value) == 3 else None
