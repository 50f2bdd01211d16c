"""Config errors in words: pydantic's validation errors, phrased for a YAML file's keys.

Records' errors are worded in taskgate.messages; the words differ where the formats do
(a YAML mapping, a JSON object), and the bounds are shared."""

from __future__ import annotations

import difflib
import re
from typing import Any, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from taskgate.model.messages import BOUNDS
from taskgate.model.names import METRIC_NAMES, THRESHOLD_NAMES

Loc = tuple[str | int, ...]


def format_number(value: float) -> str:
    return f"{round(value, 6):g}"


# ----------------------------------------------------------------------------------

_EXPECTED = {
    "float_type": "a number",
    "finite_number": "a finite number",
    "int_type": "a whole number",
    "string_type": "text",
    "model_type": "a mapping",
    "dict_type": "a mapping",
    "list_type": "a list",
    "tuple_type": "a list",
}


def describe_config_error(error: ErrorDetails, root: type[BaseModel]) -> str:
    """One sentence for a config validation error; ``root`` is the config model."""
    kind, value, loc = error["type"], error["input"], error["loc"]
    context = error.get("ctx", {})
    if kind == "extra_forbidden":
        return _unknown(f"key '{loc[-1]}'", str(loc[-1]), _known_keys(root, loc[:-1]))
    if kind == "missing":
        return f"missing key '{loc[-1]}'; add it"
    if kind == "literal_error":
        return _not_a_choice(value, re.findall(r"'([^']*)'", str(context.get("expected", ""))))
    if kind in _EXPECTED:
        return _wrong_type(_EXPECTED[kind], value)
    if kind in BOUNDS:
        name, words = BOUNDS[kind]
        return f"must be {words} {show(context[name])}, got {show(value)}"
    if kind == "string_too_short":
        return "must not be empty"
    return str(error["msg"])


def _wrong_type(expected: str, value: object) -> str:
    if value is None:
        return f"expected {expected}, got an empty value; give one, or remove the key"
    return f"expected {expected}, got {show(value)}"


def _not_a_choice(value: object, choices: list[str]) -> str:
    if set(choices) <= set(THRESHOLD_NAMES) and isinstance(value, str):
        what = "metric" if set(choices) <= set(METRIC_NAMES) else "threshold"
        return _unknown(f"{what} '{value}'", value, choices)
    message = f"expected one of: {', '.join(choices)}; got {show(value)}"
    close = difflib.get_close_matches(value, choices, n=1) if isinstance(value, str) else []
    return f"{message}; did you mean '{close[0]}'?" if close else message


def unknown_name(what: str, name: str, choices: list[str]) -> str:
    """``unknown metric 'x'; expected one of: ...``, with the closest choice."""
    return _unknown(f"{what} '{name}'", name, choices)


def _unknown(what: str, name: str, choices: list[str]) -> str:
    message = f"unknown {what}; expected one of: {', '.join(choices)}"
    close = difflib.get_close_matches(name, choices, n=1)
    return f"{message}; did you mean '{close[0]}'?" if close else message


def _known_keys(root: type[BaseModel], loc: Loc) -> list[str]:
    """The keys a mapping at this place may hold."""
    kind: Any = root
    for part in loc:
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            kind = kind.model_fields[str(part)].annotation
        elif get_origin(kind) is dict:
            kind = get_args(kind)[1]
        else:
            return []
    return (
        sorted(kind.model_fields) if isinstance(kind, type) and issubclass(kind, BaseModel) else []
    )


def show(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, float):
        return format_number(value)
    return "an empty value" if value is None else str(value)
