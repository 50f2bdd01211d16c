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
    from taskgate.model.monitor import MonitorReport
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


MonitorRenderer = Callable[["MonitorReport"], bytes]
EVENTS = ".jsonl"
"""A monitor output named .jsonl is the evaluation events, written as runs are scored."""


def _monitor_when_used(module: str, name: str) -> MonitorRenderer:
    def render(report: MonitorReport) -> bytes:
        function: MonitorRenderer = getattr(import_module(f"taskgate.report.{module}"), name)
        return function(report)

    return render


MONITOR_RENDERERS: dict[str, MonitorRenderer] = {
    ".json": _monitor_when_used("json", "render_monitor_json"),
    ".md": _monitor_when_used("monitor_markdown", "render_monitor_markdown"),
    ".html": _monitor_when_used("monitor_html", "render_monitor_html"),
    ".xml": _monitor_when_used("monitor_junit", "render_monitor_junit"),
}


def monitor_renderer_for(path: Path) -> MonitorRenderer | None:
    """The monitor's renderer for an output path, by its suffix; None for the events file."""
    suffix = path.suffix.lower()
    if suffix == EVENTS:
        return None
    if suffix not in MONITOR_RENDERERS:
        known = ", ".join(sorted([*MONITOR_RENDERERS, EVENTS]))
        raise TaskgateError(
            f"-o {path}: unknown output format {suffix or '(no suffix)'!r} for monitor; "
            f"name the file with one of: {known}"
        )
    return MONITOR_RENDERERS[suffix]
