"""Outcome match: how well a run's result matches the task's expected result.

In order: equal after normalisation scores 1.0; the expected value standing
inside the result (whole words for text, a sub-object for JSON) scores 0.9;
otherwise a graded similarity capped below 0.9. An empty result scores 0.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

import orjson

from taskgate.model.jsondepth import decode_json_text
from taskgate.scoring.text import fuzzy, is_number, keyword_recall, keywords, text_of, tokens

EXACT = 1.0
CONTAINED = 0.9
GRADED_CEILING = 0.85


def canonical(value: Any) -> Any:
    """A JSON value with case, Unicode, white space and number format folded away."""
    if isinstance(value, str):  # the most common value: tested first
        return _canonical_text(value) if len(value) <= _CACHED_TEXT else " ".join(tokens(value))
    if isinstance(value, dict):
        # Sorted first, so that keys which fold to the same name resolve the
        # same way whatever order they came in.
        return {_key(k): canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, list):
        return [canonical(item) for item in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if value is None:
        return None
    if isinstance(value, int):  # written as str() writes it, and as short
        return _canonical_text(str(value))
    return " ".join(tokens(text_of(value)))


# Argument values and keys are short and repeat across the calls and runs of a file.
_CACHED_TEXT = 256


class FoldedObject(Mapping[str, Any]):
    """canonical() of a JSON object, each value folded when it is first read.

    Calls are compared on the keys an expected call names; folding the free text of the
    others (a note, a search query) was most of comparing them, and is now never done.
    Keys fold as canonical() folds them, the same key winning when two fold alike.
    """

    def __init__(self, value: dict[Any, Any]) -> None:
        ordered = sorted(value.items(), key=lambda kv: str(kv[0]))
        self._raw = {_key(k): v for k, v in ordered}
        self._folded: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        if key not in self._folded:
            self._folded[key] = canonical(self._raw[key])
        return self._folded[key]

    def __contains__(self, key: object) -> bool:
        return key in self._raw

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)


@lru_cache(maxsize=65536)
def _canonical_text(value: str) -> str:
    return " ".join(tokens(value))


# orjson writes a whole float as "5.0" or with an exponent ("1e+16"), never as "5". Bytes
# without either hold no whole float; a string that merely looks like one (a false alarm)
# only sends the value down the slower, exact path.
_MAYBE_WHOLE_FLOAT = re.compile(rb"\d\.0(?!\d)|\de")


def value_key(value: Any) -> bytes:
    """Bytes equal for JSON values that are equal by value: key order and 5 vs 5.0 aside.
    Much cheaper than canonical(), which also folds the text inside strings."""
    try:
        key = orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
        if _MAYBE_WHOLE_FLOAT.search(key) is None:
            return key
        return orjson.dumps(_whole_numbers(value), option=orjson.OPT_SORT_KEYS)
    except TypeError:  # integers beyond 64 bits
        return text_of(value).encode()


def _whole_numbers(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _whole_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_whole_numbers(v) for v in value]
    return value


@lru_cache(maxsize=4096)
def _key(key: Any) -> str:
    return unicodedata.normalize("NFKC", str(key)).casefold().strip()


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | dict) and not canonical(value))


def _structured(value: Any) -> Any:
    """A result given as a JSON string is compared as the value it encodes."""
    if isinstance(value, str) and value.lstrip()[:1] in ("{", "["):
        return decode_json_text(value)
    return value


def _sub_value(expected: Any, actual: Any) -> bool:
    """True when every key of ``expected`` is in ``actual`` with an equal value."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        return all(k in actual and _sub_value(v, actual[k]) for k, v in expected.items())
    return bool(expected == actual)


def outcome_match(expected: Any, result: Any) -> float:
    """Score in [0, 1] for ``result`` against ``expected`` (neither may be empty)."""
    if is_empty(result) or is_empty(expected):
        return 0.0
    want, got = canonical(expected), canonical(_structured(result))
    if want == got:
        return EXACT
    if isinstance(want, dict) and isinstance(got, dict):
        return CONTAINED if _sub_value(want, got) else graded(expected, result)
    if isinstance(want, str) and isinstance(got, str) and f" {want} " in f" {got} ":
        return CONTAINED
    return graded(expected, result)


def outcome_score(expected: Any, result: Any, holds: bool) -> float:
    """1.0 equal, 0.9 matched under the task's mode (``holds``), else a graded similarity
    below both."""
    if canonical(expected) == canonical(result):
        return EXACT
    if holds:
        return CONTAINED
    return 0.0 if is_empty(result) else graded(expected, result)


def graded(expected: Any, result: Any) -> float:
    """Keyword recall and fuzzy similarity; numbers are facts and weigh extra."""
    want_text, got_text = text_of(expected), text_of(result)
    want = keywords(want_text)
    got = keywords(got_text)
    similarity = 0.7 * keyword_recall(want, got) + 0.3 * fuzzy(
        " ".join(tokens(want_text)), " ".join(tokens(got_text))
    )
    numbers = [word for word in want if is_number(word)]
    if numbers:
        similarity *= 0.5 + 0.5 * keyword_recall(numbers, got)
    return round(min(GRADED_CEILING, GRADED_CEILING * similarity), 6)
