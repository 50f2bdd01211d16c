"""The two builds of one source (setup.py): the modules it compiles exist, and the tests run
against the build they were asked to run against, pure or compiled (.ci/run runs both)."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import os
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
COMPILED_BUILD = os.environ.get("TASKGATE_EXPECT_COMPILED") == "1"


def compiled_paths() -> list[str]:
    tree = ast.parse((ROOT / "setup.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == "COMPILED":
            value = ast.literal_eval(node.value)
            assert isinstance(value, list)
            return value
    raise AssertionError("setup.py names no COMPILED modules")


def module_name(path: str) -> str:
    return path.removesuffix(".py").replace("/", ".")


def test_the_compiled_modules_are_scoring_modules_that_exist() -> None:
    paths = compiled_paths()
    assert len(paths) == len(set(paths)) == 24
    assert all(path.startswith("taskgate/scoring/") and (ROOT / path).is_file() for path in paths)
    # Left pure: pydantic models are built there, or plugins and judges are called.
    pure = {"file", "scorer", "judging", "judge_command", "plugin", "breakdown"}
    assert not pure & {Path(path).stem for path in paths}


@pytest.mark.parametrize("path", compiled_paths())
def test_each_module_is_of_the_build_under_test(path: str) -> None:
    loaded = importlib.import_module(module_name(path)).__file__ or ""
    compiled = not loaded.endswith(".py")
    if COMPILED_BUILD:
        assert compiled, f"{loaded}: TASKGATE_EXPECT_COMPILED=1, but this module is pure Python"
    else:
        assert not compiled, (
            f"{loaded}: a compiled module shadows its source; remove the build's files "
            "(find taskgate -name '*.so' -delete) or run with TASKGATE_EXPECT_COMPILED=1"
        )


def backend() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "taskgate_build", ROOT / "buildsystem" / "taskgate_build.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_backend_asks_for_mypyc_only_for_the_compiled_build(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    build = backend()
    monkeypatch.delenv("TASKGATE_COMPILE", raising=False)
    assert build._compiler() == []
    monkeypatch.setenv("TASKGATE_COMPILE", "1")
    assert build._compiler() == ["mypy==2.4.1"]
    monkeypatch.setenv("TASKGATE_COMPILE", "0")
    assert build._compiler() == []
