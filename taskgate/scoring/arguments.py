"""One expected call's arguments against one made call's, key by key.

Values compare as canonical() folds them (case, Unicode, white space, number formats, key
order, 5 vs 5.0). The config mode (``evaluators.function_calls.arguments``) picks the keys
judged and holds at every nesting level: ``exact`` judges the keys of both sides, ``subset``
the call's (missing keys allowed), ``superset`` the expected's (extra keys allowed). Lists
compare element by element, in order, with the same length. A task's per-argument modes
(``ExpectedCall.match``) override the config mode for a named top-level key; they never
change which keys are judged, except that ``ignore`` takes its key out.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

from taskgate.config.fields import ArgumentMatch
from taskgate.model.record import ArgumentMode
from taskgate.scoring import argument_modes
from taskgate.scoring.matching import assign
from taskgate.scoring.outcome import canonical
from taskgate.scoring.text import fold


class _Missing:
    """The side of a comparison that lacks the key."""

    def __repr__(self) -> str:
        return "(missing)"

    def __reduce__(self) -> str:
        # Pickled (to or from a worker) or copied, it is still the one sentinel.
        return "MISSING"


MISSING: Final = _Missing()


@dataclass(frozen=True)
class KeyComparison:
    """One top-level argument, expected against actual."""

    key: str
    """The argument's name, folded as keys compare; "" when the arguments are not an object
    and were compared whole."""
    mode: str
    """How it was compared: its per-argument mode, else the config mode."""
    expected: Any
    """The expected value as the task wrote it, or MISSING."""
    actual: Any
    """The call's value as the agent wrote it, or MISSING."""
    agrees: bool


@dataclass(frozen=True)
class ArgumentComparison:
    credit: float
    """Share of the judged keys that agree; 1.0 when no key is judged."""
    keys: tuple[KeyComparison, ...]
    """The judged keys, in sorted order."""

    @property
    def full(self) -> bool:
        return self.credit >= 1.0


def compare_arguments(
    expected: Any,
    actual: Any,
    mode: ArgumentMatch,
    per_key: Mapping[str, ArgumentMode] | None = None,
    *,
    field: str = "arguments",
) -> ArgumentComparison:
    """``actual`` arguments against ``expected``; ``field`` names the expected arguments in
    error messages (``task.expected_calls[0].arguments``)."""
    if expected is None or mode == "ignore":
        # An expected call that states no arguments asks only for the tool.
        return ArgumentComparison(1.0, ())
    actual = {} if actual is None else actual
    if not isinstance(expected, dict) or not isinstance(actual, dict):
        agrees = canonical(expected) == canonical(actual)
        whole = KeyComparison("", mode, expected, actual, agrees)
        return ArgumentComparison(float(agrees), (whole,))
    modes = {fold_key(key): value for key, value in (per_key or {}).items()}
    keys = _compare_objects(by_key(expected), by_key(actual), mode, modes, field)
    agreeing = sum(1 for key in keys if key.agrees)
    return ArgumentComparison(agreeing / len(keys) if keys else 1.0, keys)


def _compare_objects(
    want: dict[str, Any],
    got: dict[str, Any],
    mode: ArgumentMatch,
    modes: dict[str, ArgumentMode],
    field: str,
) -> tuple[KeyComparison, ...]:
    return tuple(
        _compare_key(key, want, got, mode, modes.get(key), field)
        for key in sorted(judged_keys(want.keys(), got.keys(), mode))
        if modes.get(key) != "ignore"
    )


def folded_credit(want: Any, got: Any, mode: ArgumentMatch) -> float:
    """compare_arguments(...).credit with no per-argument modes, for arguments already in
    canonical form, building nothing: it runs for every pair of same-named calls of a file.
    ``got`` may be a FoldedObject: only the values of keys judged on both sides are read."""
    if not isinstance(want, dict) or not isinstance(got, Mapping):
        return float(want == got)
    keys = judged_keys(want.keys(), got.keys(), mode)
    if not keys:
        return 1.0
    agreeing = sum(
        1 for key in keys if key in want and key in got and values_agree(want[key], got[key], mode)
    )
    return agreeing / len(keys)


def judged_keys(want: Set[str], got: Set[str], mode: ArgumentMatch) -> Set[str]:
    if mode == "exact":
        return want | got
    if mode == "subset":
        return got
    if mode == "superset":
        return want
    return frozenset()


def values_agree(want: Any, got: Any, mode: ArgumentMatch) -> bool:
    """Canonical values under the config mode, at every level: an extra key inside a nested
    object is a difference under exact and subset, and allowed under superset."""
    if want == got:
        return True
    if mode not in ("subset", "superset"):
        return False
    if isinstance(want, dict) and isinstance(got, dict):
        keys = got.keys() if mode == "subset" else want.keys()
        return all(k in want and k in got and values_agree(want[k], got[k], mode) for k in keys)
    if isinstance(want, list) and isinstance(got, list):
        return len(want) == len(got) and all(
            values_agree(w, g, mode) for w, g in zip(want, got, strict=True)
        )
    return False


def contained(want: Any, got: Any) -> bool:
    """The per-argument ``subset`` mode, on canonical values: ``want`` found in ``got``,
    objects with extra keys allowed, lists as multisets paired one to one."""
    if isinstance(want, dict):
        return isinstance(got, dict) and all(
            key in got and contained(value, got[key]) for key, value in want.items()
        )
    if isinstance(want, list):
        return isinstance(got, list) and _found_in_list(want, got)
    return bool(want == got)


def _found_in_list(want: list[Any], got: list[Any]) -> bool:
    if len(want) > len(got):
        return False
    # Each expected item needs an item of its own: ["a", "a"] is not found in ["a", "b"].
    allowed = [[1.0 if contained(w, g) else None for g in got] for w in want]
    return len(assign(allowed)) == len(want)


def check_patterns(expected: Any, per_key: Mapping[str, ArgumentMode], field: str) -> None:
    """Raise RecordError for a regex-mode argument whose pattern does not compile, whether or
    not the run made a call it could be compared with."""
    if not isinstance(expected, dict):
        return
    want = by_key(expected)
    for key, mode in per_key.items():
        folded = fold_key(key)
        if mode == "regex" and folded in want:
            argument_modes.pattern(want[folded], f"{field}.{folded}")


def by_key(arguments: dict[Any, Any]) -> dict[str, Any]:
    """Raw values by folded key; of two keys that fold alike, the one canonical() keeps."""
    ordered = sorted(arguments.items(), key=lambda item: str(item[0]))
    return {fold_key(key): value for key, value in ordered}


@lru_cache(maxsize=4096)
def fold_key(key: Any) -> str:
    """A key as canonical() folds it."""
    return fold(str(key)).strip()


def _compare_key(
    key: str,
    want: dict[str, Any],
    got: dict[str, Any],
    mode: ArgumentMatch,
    task_mode: ArgumentMode | None,
    field: str,
) -> KeyComparison:
    expected, actual = want.get(key, MISSING), got.get(key, MISSING)
    agrees = expected is not MISSING and actual is not MISSING
    if agrees:
        agrees = _agrees(expected, actual, mode, task_mode, f"{field}.{key}")
    return KeyComparison(key, task_mode or mode, expected, actual, agrees)


def _agrees(
    want: Any, got: Any, mode: ArgumentMatch, task_mode: ArgumentMode | None, field: str
) -> bool:
    """Raw values under the key's per-argument mode, else under the config mode."""
    if task_mode is None or task_mode == "exact":
        return values_agree(canonical(want), canonical(got), mode if task_mode is None else "exact")
    if task_mode == "subset":
        return contained(canonical(want), canonical(got))
    if task_mode == "numeric":
        return argument_modes.numbers_agree(want, got)
    if task_mode == "fuzzy":
        return argument_modes.texts_agree(want, got)
    return argument_modes.pattern_agrees(want, got, field)
