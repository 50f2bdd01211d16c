"""Turn pydantic's validation errors into messages people can act on."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pydantic_core import ErrorDetails

# Discriminator tags and validator wrappers appear in pydantic locations but
# are not keys the user wrote.
_NOT_KEYS = frozenset({"phrase", "check", "tool-name", "tool-call"})

_EXPECTED = {
    "string_type": "a string",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "finite_number": "a finite number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "dict_type": "an object",
    "list_type": "a list",
    "model_type": "an object",
    "model_attributes_type": "an object",
}
BOUNDS = {
    "greater_than_equal": ("ge", "at least"),
    "greater_than": ("gt", "above"),
    "less_than_equal": ("le", "at most"),
    "less_than": ("lt", "below"),
}
"""pydantic's bound errors: the key of the bound in the error's context, and its words."""


def field_path(loc: Iterable[int | str]) -> str:
    """``("task", "steps", 3, "name")`` -> ``task.steps[3].name``."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part in _NOT_KEYS or "[" in part:
            continue
        else:
            path += f".{part}" if path else part
    return path


def show_value(value: Any, limit: int = 40) -> str:
    """A short, readable rendering of the offending value."""
    if isinstance(value, dict):
        text = "an object"
    elif isinstance(value, list):
        text = "a list"
    elif value is None:
        text = "null"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    else:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def describe(error: ErrorDetails) -> str:
    """One sentence saying what is wrong and what is expected."""
    kind = error["type"]
    if kind == "missing":
        return "required field is missing; add it"
    if kind == "extra_forbidden":
        return "unknown key; remove it or check its spelling"
    value = error.get("input")
    if kind == "int_type" and isinstance(value, float) and abs(value) >= 2.0**63:
        kind = "int_parsing_size"  # a 30-digit number, read as a float: say why it is refused
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}, got {show_value(error.get('input'))}"
    if kind == "int_parsing_size":
        return f"expected a whole number, got {show_value(error.get('input'))}, which is too large"
    if kind in BOUNDS:
        name, words = BOUNDS[kind]
        bound = (error.get("ctx") or {}).get(name)
        if isinstance(bound, float) and bound.is_integer():
            bound = int(bound)  # 0, not 0.0
        return f"must be {words} {show_value(bound)}, got {show_value(error.get('input'))}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "literal_error":
        expected = (error.get("ctx") or {}).get("expected", "")
        return f"expected one of {expected}, got {show_value(error.get('input'))}"
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    message = str(error["msg"])
    return f"{message[0].lower()}{message[1:]}, got {show_value(error.get('input'))}"


def listed(names: Sequence[str], most: int = 5) -> str:
    """Names for a message: the first ``most``, then how many more."""
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")
