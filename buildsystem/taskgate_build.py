"""The build backend: setuptools', asking for mypy as well when ``TASKGATE_COMPILE=1`` asks
for the compiled build (setup.py), so that ``TASKGATE_COMPILE=1 pip wheel .`` builds in
pip's usual isolated environment and a pure build never downloads mypy."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from setuptools import build_meta
from setuptools.build_meta import *  # noqa: F403  (the backend's other hooks, as they are)

MYPYC = "mypy==2.4.1"
"""The compiler of the published wheels; pinned, since mypyc's output changes with it."""


def _compiler() -> list[str]:
    return [MYPYC] if os.environ.get("TASKGATE_COMPILE") == "1" else []


def _without_compiling(hook: Callable[[Any], list[str]], config_settings: Any) -> list[str]:
    """setuptools runs setup.py to list its needs, before mypy is there to import: run it
    as for the pure build, whose needs are the same but for mypy."""
    asked = os.environ.pop("TASKGATE_COMPILE", None)
    try:
        return hook(config_settings)
    finally:
        if asked is not None:
            os.environ["TASKGATE_COMPILE"] = asked


def get_requires_for_build_wheel(config_settings: dict[str, Any] | None = None) -> list[str]:
    needs = _compiler()
    return [*_without_compiling(build_meta.get_requires_for_build_wheel, config_settings), *needs]


def get_requires_for_build_editable(config_settings: dict[str, Any] | None = None) -> list[str]:
    needs = _compiler()
    hook = build_meta.get_requires_for_build_editable
    return [*_without_compiling(hook, config_settings), *needs]
