"""``load_config(path)``: taskgate.yaml, read safely, every problem listed; the defaults, the
fingerprint of a config and the starter template.

Reading the YAML (with the line of every key) is :mod:`taskgate.config.yamldoc`'s job; wording
pydantic's errors for config keys is :mod:`taskgate.config.messages`'s."""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from pathlib import Path

from pydantic import (
    ValidationError,
)
from pydantic_core import ErrorDetails

from taskgate.config.fields import PLUGIN_NAMES
from taskgate.config.messages import describe_config_error
from taskgate.config.model import Config, is_plugin_name
from taskgate.errors import ConfigError, Problem
from taskgate.model.names import PASS_RATE

TEMPLATE_NAME = "config_template.yaml"
_LATER_SECTIONS: dict[str, object] = {"grounding": {"required": False}, "plugins": []}


def default_config() -> Config:
    """The config used when there is no config file."""
    return Config()


def resolve_config_path(explicit: Path | None, cwd: Path) -> Path | None:
    """The config to load: the one given, else ./taskgate.yaml when it exists, else none."""
    if explicit is not None:
        return explicit
    candidate = cwd / "taskgate.yaml"
    return candidate if candidate.exists() else None


def config_fingerprint(config: Config) -> str:
    """Hash of the settings that change scores and pass/fail of runs (not the gate's rules)."""
    scoring = config.model_dump(mode="json", include={"evaluators", "tools", "thresholds"})
    # The pass-rate bands judge cohorts, never a run: baselines stay comparable across them.
    scoring["thresholds"].pop(PASS_RATE, None)
    # Sections added after the first release count only when set, so a baseline scored
    # before they existed keeps its fingerprint under the defaults.
    for name, default in _LATER_SECTIONS.items():
        if scoring["evaluators"].get(name) == default:
            del scoring["evaluators"][name]
    if config.evaluators.plugins:  # what a plugin computes is its code's: its version counts
        from taskgate.config.plugins import load_plugin

        for entry, spec in zip(
            scoring["evaluators"]["plugins"], config.evaluators.plugins, strict=True
        ):
            entry["version"] = load_plugin(spec).version
    judge = config.judge
    if judge is not None:  # its verdicts decide checks: who judges, and what, counts
        scoring["judge"] = {
            "name": judge.label,
            "model_family": judge.model_family,
            "ask_when": judge.ask_when.model_dump(mode="json"),
            "criteria": judge.criteria,
        }
    canonical = json.dumps(scoring, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def starter_config_text() -> str:
    """The commented starter config that ``taskgate init`` writes."""
    return resources.files("taskgate.config").joinpath(TEMPLATE_NAME).read_text(encoding="utf-8")


def load_config(path: Path) -> Config:
    """Read and check a config file; raise ConfigError listing every problem found."""
    from taskgate.config.yamldoc import read_yaml_mapping  # YAML is only needed with a config file

    source = str(path)
    document, data = read_yaml_mapping(path)
    config: Config | None = None
    try:
        config = Config.model_validate(data, context={PLUGIN_NAMES: _plugin_names(data)})
    except ValidationError as error:
        document.add_validation_errors(
            error.errors(), lambda details: describe_config_error(details, Config)
        )
    if config is not None and not document.problems:
        plugins = _unloadable_plugins(config, path.parent)
        document.add_validation_errors(plugins, lambda details: details["msg"])
    if config is None or document.problems:
        problems = sorted(set(document.problems), key=_problem_order)
        raise ConfigError(problems, headline=f"{source}: the config is not valid")
    return config


def _plugin_names(data: dict[str, object]) -> list[str]:
    """The names the file gives its plugins, read before validation so that thresholds and
    regression rules may name them."""
    evaluators = data.get("evaluators")
    plugins = evaluators.get("plugins") if isinstance(evaluators, dict) else None
    if not isinstance(plugins, list):
        return []
    names = [plugin.get("name") for plugin in plugins if isinstance(plugin, dict)]
    usable = [name for name in names if isinstance(name, str) and is_plugin_name(name)]
    return list(dict.fromkeys(usable))


def _unloadable_plugins(config: Config, near: Path) -> list[ErrorDetails]:
    """A problem for each plugin whose callable cannot be found, at its key."""
    if not config.evaluators.plugins:
        return []
    from taskgate.config.plugins import PluginError, load_plugin

    problems: list[ErrorDetails] = []
    for index, spec in enumerate(config.evaluators.plugins):
        try:
            load_plugin(spec, near.resolve())
        except PluginError as error:
            key = "function" if spec.function is not None else "name"
            loc = ("evaluators", "plugins", index, key)
            problems.append(
                ErrorDetails(type="plugin", loc=loc, msg=error.message, input=spec.function)
            )
    return problems


def _problem_order(problem: Problem) -> tuple[int, str, str]:
    return (problem.line or 0, problem.field or "", problem.message)
