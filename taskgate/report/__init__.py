"""Renderers: one per output format, each a function of the report.

The format is chosen by the output file's name; the registry is a dict.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING

from taskgate.errors import TaskgateError

if TYPE_CHECKING:
    from taskgate.model.report import Report

Renderer = Callable[["Report"], bytes]


def _when_used(module: str, name: str) -> Renderer:
    """The renderer ``name`` of ``taskgate.report.<module>``, imported on its first use:
    every run of score would otherwise pay to import all five."""

    def render(report: Report) -> bytes:
        function: Renderer = getattr(import_module(f"taskgate.report.{module}"), name)
        return function(report)

    return render


RENDERERS: dict[str, Renderer] = {
    ".json": _when_used("json", "render_json"),
    ".jsonl": _when_used("json", "render_jsonl"),
    ".md": _when_used("markdown", "render_markdown"),
    ".html": _when_used("html", "render_html"),
    ".xml": _when_used("junit", "render_junit"),
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
