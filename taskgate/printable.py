"""Text from the input made safe to print: control characters shown as escapes.

Run ids, cohort values, reasons and paths come from files anyone may write. Printed raw, an
escape sequence can rewrite the terminal (hide a FAIL line, set the window title), a
right-to-left override can make ``gpt-4`` read as something else, and a newline in a path
splits a ``file:line:`` message in two. Every such character is shown as its escape instead.
"""

from __future__ import annotations

import html
import re

# C0 and C1 controls and DEL, and the format characters that reorder or hide text
# (bidirectional embeddings, overrides and isolates, zero-width marks, the BOM), and the
# Unicode line and paragraph separators.
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]"
)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char)
    if named is not None:
        return named
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with every control or reordering character shown as an escape."""
    return _UNSAFE.sub(_escape, text) if _UNSAFE.search(text) else text


def html_text(text: str, quote: bool = True) -> str:
    """User text for an HTML page or an SVG chart: escaped, control characters shown."""
    return html.escape(printable(text), quote)
