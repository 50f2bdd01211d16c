"""How deeply JSON nests, and decoding JSON held in strings without exhausting the stack.

A record's line is checked once when it is read, but a string inside it may hold JSON of
its own (tool-call arguments, a final result, an expected value) that is decoded later and
walked by recursive comparisons: every such string goes through ``decode_json_text``.
"""

from __future__ import annotations

import re
from typing import Any

import orjson

MAX_DEPTH = 100
"""Deepest nesting of lists and objects a record may have; deeper would exhaust the stack."""

_ESCAPE = re.compile(rb"\\.", re.DOTALL)
_STRING = re.compile(rb'"[^"]*"')
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'[]{}"')
_AS_PARENTHESES = bytes.maketrans(b"[]{}", b"()()")


def nesting_depth(line: bytes, beyond: int | None = None) -> int:
    """How deeply a JSON line nests lists and objects, read from its bytes.

    Escapes go first, then everything but brackets and quotes, then strings: what is
    left is the brackets of the structure, and each pass that removes the innermost
    pairs removes one level. All in C, far cheaper than walking the decoded value.
    ``beyond``: stop once the depth is known to exceed it (each level is a pass over the
    line, and only whether a line is too deep matters).
    """
    if b"\\" in line:
        line = _ESCAPE.sub(b"", line)
    skeleton = line.translate(None, _NOT_STRUCTURE)
    # Two quotes side by side are an empty string, or the end of one string and the start
    # of the next: dropping them leaves every bracket where it was, in or out of a string.
    # Most strings hold no bracket, so this one pass leaves little for the slower one.
    skeleton = skeleton.replace(b'""', b"")
    if b'"' in skeleton:
        skeleton = _STRING.sub(b"", skeleton)
    skeleton = skeleton.translate(_AS_PARENTHESES)
    depth = 0
    while skeleton and (beyond is None or depth <= beyond):
        inner = skeleton.replace(b"()", b"")
        if len(inner) == len(skeleton):  # unbalanced: orjson would have refused the line
            break
        skeleton, depth = inner, depth + 1
    return depth


def decode_json_text(text: str) -> Any:
    """The value a string of JSON encodes; the string itself when it is not JSON or nests
    deeper than MAX_DEPTH (compared as text then, never decoded into a value too deep to
    walk)."""
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:  # orjson's own limit (1024) included
        return text
    # n levels take 2n characters at least: most strings are too short to need the scan
    if isinstance(value, dict | list) and len(text) > 2 * MAX_DEPTH and too_deep_text(text):
        return text
    return value


def too_deep_text(text: str) -> bool:
    """True when a string of JSON nests deeper than MAX_DEPTH."""
    return nesting_depth(text.encode("utf-8", "surrogatepass"), MAX_DEPTH) > MAX_DEPTH


TOO_DEEP = f"nested more than {MAX_DEPTH} lists or objects deep; flatten the value"


def decode_task_json_text(value: Any) -> Any:
    """Like ``decode_json_text`` for what a task expects: there a string of JSON nested too
    deeply is the task's mistake, said when the record is read (ValueError)."""
    if not isinstance(value, str):
        return value
    decoded = decode_json_text(value)
    if decoded is value and value.lstrip()[:1] in ("{", "[") and too_deep_text(value):
        raise ValueError(f"a JSON string {TOO_DEEP}")
    return decoded
