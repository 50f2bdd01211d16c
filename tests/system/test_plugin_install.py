"""The example plugin installed by pip, from its own pyproject.toml (pip fetches setuptools to
build it: a package registry must be reachable), and named in the config by its entry point
alone."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.scoring.evaluators.test_plugin import cost_budget_scores

pytestmark = pytest.mark.system

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cost_budget"


def test_pip_installs_the_example_plugin_and_taskgate_finds_it(tmp_path: Path) -> None:
    source_tree = tmp_path / "cost_budget"  # pip writes its build files next to the source
    shutil.copytree(EXAMPLE, source_tree)
    site = tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site)]
    subprocess.run([*pip, str(source_tree)], check=True, cwd=tmp_path)
    assert cost_budget_scores(site, tmp_path, (0.04, 0.2)) == [1.0, 0.25]
