"""Renderers: one per output format, each a function of the report.

The format is chosen by the output file's name; the registry is a dict.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from taskgate.errors import TaskgateError
from taskgate.report.html import render_html
from taskgate.report.json import render_json, render_jsonl
from taskgate.report.junit import render_junit
from taskgate.report.markdown import render_markdown
from taskgate.results import Report

Renderer = Callable[[Report], bytes]

RENDERERS: dict[str, Renderer] = {
    ".json": render_json,
    ".jsonl": render_jsonl,
    ".md": render_markdown,
    ".html": render_html,
    ".xml": render_junit,
}


def renderer_for(path: Path) -> Renderer:
    """The renderer for an output path, by its suffix."""
    suffix = path.suffix.lower()
    if suffix not in RENDERERS:
        known = ", ".join(sorted(RENDERERS))
        raise TaskgateError(
            f"-o {path}: unknown output format {suffix or '(no suffix)'!r}; "
            f"name the file with one of: {known}"
        )
    return RENDERERS[suffix]
