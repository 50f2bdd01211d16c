"""Plugins in the config: their keys, finding their callables, and the fingerprint."""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from taskgate.config import plugins as plugin_loading
from taskgate.config.load import config_fingerprint, default_config, load_config
from taskgate.config.model import Config, PluginSettings
from taskgate.config.plugins import PluginError, load_plugin
from taskgate.model.names import METRIC_NAMES
from tests.config.test_model import problems_in, write

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "cost_budget"

CHECKS = """\
__version__ = "2.1"


def steps(run, settings):
    return 0.5


not_callable = 3
"""


@pytest.fixture(autouse=True)
def fresh_imports() -> Iterator[None]:
    """Each test imports its plugins anew: the loader keeps them for the process."""
    before = set(sys.modules)
    plugin_loading._LOADED.clear()
    yield
    plugin_loading._LOADED.clear()
    for name in set(sys.modules) - before:
        del sys.modules[name]


def config_with(tmp_path: Path, plugins: str, rest: str = "") -> Path:
    (tmp_path / "my_checks.py").write_text(CHECKS, encoding="utf-8")
    return write(tmp_path, f"evaluators:\n  plugins:\n{plugins}{rest}")


def test_a_plugin_next_to_the_config_is_loaded_with_its_settings(tmp_path: Path) -> None:
    path = config_with(
        tmp_path,
        "    - name: step_share\n"
        '      function: "my_checks:steps"\n'
        "      weight: 0.2\n"
        "      settings: {per: 4}\n",
        "thresholds:\n  step_share: {green: 0.9, yellow: 0.5}\n"
        "gate:\n  regression: {metrics: [task_completion, step_share]}\n",
    )
    config = load_config(path)
    (plugin,) = config.evaluators.plugins
    assert plugin == PluginSettings(
        name="step_share", function="my_checks:steps", weight=0.2, settings={"per": 4}
    )
    assert config.thresholds["step_share"].green == 0.9
    assert config.gate.regression.metrics == ("task_completion", "step_share")
    loaded = load_plugin(plugin)
    assert (loaded.origin, loaded.version) == ("my_checks:steps", "2.1")


@pytest.mark.parametrize(
    ("plugins", "found"),
    [
        (
            '    - {name: Bad-Name, function: "my_checks:steps"}\n',
            (
                3,
                "evaluators.plugins[0].name",
                "'Bad-Name' is not a plugin name: use lower-case letters, digits and "
                "underscores, starting with a letter (at most 64)",
            ),
        ),
        (
            '    - {name: grounding, function: "my_checks:steps"}\n',
            (
                3,
                "evaluators.plugins[0].name",
                "'grounding' is a built-in metric; give the plugin a name of its own",
            ),
        ),
        (
            '    - {name: x, function: "my_checks"}\n',
            (
                3,
                "evaluators.plugins[0].function",
                "'my_checks' is not module:function; write it as my_package.checks:score",
            ),
        ),
        (
            '    - {name: x, function: "my_checks:steps"}\n'
            '    - {name: x, function: "my_checks:steps"}\n',
            (2, "evaluators.plugins", "plugin names must differ; 'x' given more than once"),
        ),
        (
            '    - {name: a, function: "my_checks:steps", weight: 0.6}\n'
            '    - {name: b, function: "my_checks:steps", weight: 0.5}\n',
            (
                2,
                "evaluators.plugins",
                "the plugins' weights sum to 1.1; together they may have at most all of "
                "trajectory_score (1)",
            ),
        ),
        (
            '    - {name: x, function: "no_such_module:steps"}\n',
            (
                3,
                "evaluators.plugins[0].function",
                "no_such_module:steps: no module 'no_such_module' on the Python path or in "
                "{dir}; install the plugin's package, or put the module next to the config file",
            ),
        ),
        (
            '    - {name: x, function: "my_checks:missing"}\n',
            (
                3,
                "evaluators.plugins[0].function",
                "my_checks:missing: module 'my_checks' has no 'missing'; name a function the "
                "module defines",
            ),
        ),
        (
            '    - {name: x, function: "my_checks:not_callable"}\n',
            (
                3,
                "evaluators.plugins[0].function",
                "my_checks:not_callable: 'not_callable' is not callable; name a function",
            ),
        ),
        (
            "    - {name: not_installed_anywhere}\n",
            (
                3,
                "evaluators.plugins[0].name",
                "no plugin 'not_installed_anywhere' is installed (entry point group "
                "taskgate.evaluators); install its package, or give the plugin's function as "
                "module:function",
            ),
        ),
    ],
)
def test_plugin_problems_name_the_key(
    tmp_path: Path, plugins: str, found: tuple[int, str, str]
) -> None:
    (tmp_path / "my_checks.py").write_text(CHECKS, encoding="utf-8")
    line, field, message = found
    expected = (line, field, message.replace("{dir}", str(tmp_path.resolve())))
    assert problems_in(tmp_path, f"evaluators:\n  plugins:\n{plugins}") == [expected]


def test_a_plugin_module_that_fails_to_import_is_a_config_problem(tmp_path: Path) -> None:
    (tmp_path / "broken_checks.py").write_text("raise RuntimeError('no key set')\n", "utf-8")
    content = 'evaluators:\n  plugins:\n    - {name: x, function: "broken_checks:f"}\n'
    assert problems_in(tmp_path, content) == [
        (
            3,
            "evaluators.plugins[0].function",
            "broken_checks:f: importing 'broken_checks' raised RuntimeError: no key set",
        )
    ]


def test_thresholds_and_regression_may_name_plugins_and_nothing_else(tmp_path: Path) -> None:
    content = (
        'evaluators:\n  plugins:\n    - {name: step_share, function: "my_checks:steps"}\n'
        "thresholds:\n  step_sharee: {green: 0.9, yellow: 0.5}\n"
        "gate:\n  regression: {metrics: [latency]}\n"
    )
    (tmp_path / "my_checks.py").write_text(CHECKS, encoding="utf-8")
    built_in = ", ".join(METRIC_NAMES[:-1])
    assert problems_in(tmp_path, content) == [
        (
            5,
            "thresholds.step_sharee",
            f"unknown threshold 'step_sharee'; expected one of: {built_in}, step_share, "
            "trajectory_score, pass_rate; did you mean 'step_share'?",
        ),
        (
            7,
            "gate.regression.metrics[0]",
            f"unknown metric 'latency'; expected one of: {built_in}, step_share, trajectory_score",
        ),
    ]


def test_a_config_built_in_python_checks_metric_names_too() -> None:
    with pytest.raises(ValueError, match="unknown metric 'latency'; metrics are task_completion"):
        Config.model_validate({"thresholds": {"latency": {"green": 0.9, "yellow": 0.5}}})
    plugin = {"name": "latency", "function": "my_checks:steps"}
    config = Config.model_validate(
        {
            "evaluators": {"plugins": [plugin]},
            "thresholds": {"latency": {"green": 0.9, "yellow": 0.5}},
        }
    )
    assert config.thresholds["latency"].yellow == 0.5


def test_the_fingerprint_holds_each_plugins_version(tmp_path: Path) -> None:
    path = config_with(tmp_path, '    - {name: step_share, function: "my_checks:steps"}\n')
    first = config_fingerprint(load_config(path))
    assert first != config_fingerprint(default_config())
    # The same code, another version: the fingerprint changes, as its scores may have.
    plugin_loading._LOADED.clear()
    del sys.modules["my_checks"]
    (tmp_path / "my_checks.py").write_text(CHECKS.replace('"2.1"', '"2.2"'), encoding="utf-8")
    assert config_fingerprint(load_config(path)) != first


def test_a_module_without_a_version_is_known_by_its_source(tmp_path: Path) -> None:
    (tmp_path / "plain_checks.py").write_text("def f(run, settings):\n    return 1\n", "utf-8")
    path = write(tmp_path, 'evaluators:\n  plugins:\n    - {name: x, function: "plain_checks:f"}\n')
    (plugin,) = load_config(path).evaluators.plugins
    digest = hashlib.sha256(b"def f(run, settings):\n    return 1\n").hexdigest()[:16]
    assert load_plugin(plugin).version == f"sha256:{digest}"


def test_the_default_fingerprint_is_unchanged_by_the_plugins_key() -> None:
    # The fingerprint of the defaults before plugins existed (fixtures/baseline.json).
    assert config_fingerprint(Config.model_validate({"evaluators": {"plugins": []}})) == (
        config_fingerprint(default_config())
    )


def install(site: Path) -> None:
    """Install the example plugin into ``site`` as pip does: its module, and a dist-info
    folder whose entry_points.txt registers it in the taskgate.evaluators group."""
    site.mkdir(parents=True, exist_ok=True)
    module = EXAMPLE / "taskgate_cost_budget.py"
    (site / module.name).write_bytes(module.read_bytes())
    info = site / "taskgate_cost_budget-1.0.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: taskgate-cost-budget\nVersion: 1.0.0\n", "utf-8"
    )
    (info / "entry_points.txt").write_text(
        "[taskgate.evaluators]\ncost_budget = taskgate_cost_budget:cost_budget\n", "utf-8"
    )
    (info / "top_level.txt").write_text("taskgate_cost_budget\n", "utf-8")


def test_an_installed_plugin_is_found_by_its_entry_point(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install(tmp_path / "site")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    path = write(tmp_path, "evaluators:\n  plugins:\n    - {name: cost_budget}\n")
    (plugin,) = load_config(path).evaluators.plugins
    loaded = load_plugin(plugin)
    assert loaded.version == "taskgate-cost-budget 1.0.0"
    assert loaded.origin == "entry point cost_budget (taskgate-cost-budget 1.0.0)"


def test_loading_twice_gives_the_same_plugin(tmp_path: Path) -> None:
    path = config_with(tmp_path, '    - {name: a, function: "my_checks:steps"}\n')
    (plugin,) = load_config(path).evaluators.plugins
    assert load_plugin(plugin) is load_plugin(plugin)
    with pytest.raises(PluginError):
        load_plugin(PluginSettings(name="b", function="my_checks:missing"))
