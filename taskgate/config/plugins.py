"""Finding the callables of custom evaluators that the config names (SPEC §11).

A plugin is ``evaluators.plugins[i]``: a callable found as ``module:function`` (its module
importable, or next to the config file) or as the entry point of its name in the
``taskgate.evaluators`` group. What it is called with and may return is
:mod:`taskgate.scoring.evaluators.plugin`'s. A plugin that cannot be found is a config
problem (exit 2), named at its key.
"""

from __future__ import annotations

import hashlib
import importlib
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any

from taskgate.config.model import PluginSettings
from taskgate.errors import TaskgateError
from taskgate.model.record import RunRecord

GROUP = "taskgate.evaluators"
"""The entry-point group installed plugins register in."""
SHOWN_ERROR = 300
"""Characters of a plugin's exception message quoted in a problem."""

PluginFunction = Callable[[RunRecord, Mapping[str, Any]], object]


class PluginError(TaskgateError):
    """A plugin that cannot be loaded: its module, callable or entry point is missing."""


@dataclass(frozen=True)
class Plugin:
    """A plugin, loaded."""

    name: str
    function: PluginFunction
    origin: str
    """Where it was found: ``module:function``, or ``entry point NAME (dist VERSION)``."""
    version: str
    """Its distribution's version, else its module's ``__version__``, else a hash of its
    module's source: a plugin edited in place changes the config fingerprint."""


_LOADED: dict[tuple[str, str | None], Plugin] = {}


def load_plugin(spec: PluginSettings, near: Path | None = None) -> Plugin:
    """The plugin ``spec`` names, imported once per process; ``near``: a directory to look in
    for its module first (the config file's)."""
    key = (spec.name, spec.function)
    loaded = _LOADED.get(key)
    if loaded is None:
        loaded = _LOADED[key] = _load(spec, near)
    return loaded


def _load(spec: PluginSettings, near: Path | None) -> Plugin:
    if spec.function is None:
        return _from_entry_point(spec.name)
    module_name, _, attribute = spec.function.partition(":")
    module = _import(module_name, spec.function, near)
    target: object = module
    for part in attribute.split("."):
        target = getattr(target, part, None)
        if target is None:
            raise PluginError(
                f"{spec.function}: module {module_name!r} has no {attribute!r}; name a "
                "function the module defines"
            )
    if not callable(target):
        raise PluginError(f"{spec.function}: {attribute!r} is not callable; name a function")
    return Plugin(spec.name, target, spec.function, _module_version(module))


def _import(module_name: str, function: str, near: Path | None) -> ModuleType:
    try:
        with _searching(near):
            return importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name is not None and module_name.startswith(error.name):
            where = f" or in {near}" if near is not None else ""
            raise PluginError(
                f"{function}: no module {module_name!r} on the Python path{where}; install "
                "the plugin's package, or put the module next to the config file"
            ) from None
        raise PluginError(f"{function}: importing {module_name!r} failed: {error}") from None
    except Exception as error:  # the plugin's own module failed: the user's to fix
        raise PluginError(
            f"{function}: importing {module_name!r} raised {type(error).__name__}: {quoted(error)}"
        ) from None


@contextmanager
def _searching(near: Path | None) -> Iterator[None]:
    """``near`` first on the import path while a plugin's module is imported."""
    if near is None:
        yield
        return
    entry = str(near)
    sys.path.insert(0, entry)
    try:
        yield
    finally:
        sys.path.remove(entry)


def _from_entry_point(name: str) -> Plugin:
    found = [point for point in metadata.entry_points(group=GROUP) if point.name == name]
    if not found:
        raise PluginError(
            f"no plugin {name!r} is installed (entry point group {GROUP}); install its "
            "package, or give the plugin's function as module:function"
        )
    point = found[0]
    try:
        target = point.load()
    except Exception as error:  # the installed plugin is broken: the user's to fix
        raise PluginError(
            f"entry point {name!r} ({point.value}) could not be loaded: "
            f"{type(error).__name__}: {quoted(error)}"
        ) from None
    if not callable(target):
        raise PluginError(f"entry point {name!r} ({point.value}) is not callable")
    dist = point.dist
    version = f"{dist.name} {dist.version}" if dist is not None else point.value
    return Plugin(name, target, f"entry point {name} ({version})", version)


def _module_version(module: ModuleType) -> str:
    package = module.__name__.partition(".")[0]
    dists = metadata.packages_distributions().get(package, [])
    if dists:
        return f"{dists[0]} {metadata.version(dists[0])}"
    version = getattr(module, "__version__", None)
    if isinstance(version, str):
        return version
    path = getattr(module, "__file__", None)
    if path is None:
        return "unversioned"
    return "sha256:" + hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


def quoted(error: BaseException) -> str:
    text = " ".join(str(error).split()) or "(no message)"
    return text if len(text) <= SHOWN_ERROR else text[: SHOWN_ERROR - 3] + "..."
