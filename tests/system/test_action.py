"""The composite GitHub Action's gate step, run here with bash as the runner would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

pytestmark = pytest.mark.system

ROOT = Path(__file__).resolve().parents[2]
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())


def gate_step() -> dict[str, Any]:
    return next(step for step in ACTION["runs"]["steps"] if step.get("id") == "gate")


def run_gate(tmp_path: Path, **inputs: str) -> tuple[int, str, str]:
    defaults = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()}
    values = {**defaults, **inputs}
    env = {
        key: value.replace("${{ inputs.", "").replace(" }}", "")
        for key, value in gate_step()["env"].items()
    }
    outputs, summary = tmp_path / "output", tmp_path / "summary.md"
    environment = {
        **os.environ,
        **{key: values[name] for key, name in env.items()},
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_OUTPUT": str(outputs),
        "GITHUB_STEP_SUMMARY": str(summary),
    }
    done = subprocess.run(
        ["bash", "-e", "-c", gate_step()["run"]],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return done.returncode, outputs.read_text(), summary.read_text() if summary.exists() else ""


def test_action_declares_what_the_ci_docs_say() -> None:
    assert ACTION["runs"]["using"] == "composite"
    assert set(ACTION["inputs"]) == {
        "runs",
        "baseline",
        "config",
        "report",
        "args",
        "python-version",
    }
    assert set(ACTION["outputs"]) == {"exit-code", "verdict", "report"}


def test_the_golden_release_passes(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    code, outputs, summary = run_gate(
        tmp_path,
        runs="fixtures/golden.jsonl",
        baseline="fixtures/baseline.json",
        report=str(report),
    )
    assert (code, outputs) == (0, "exit-code=0\nverdict=pass\n")
    assert report.exists()
    # A pass still, but never a bare one: 12 cohorts could not have seen an allowed drop
    # (tests/cli/test_diff.py), and the job summary says so in its heading.
    assert summary.splitlines()[0] == (
        "## ⚠️ taskgate: PASS, inconclusive for all, segment=consumer, segment=enterprise, "
        "segment=smb and 8 more: too few tasks x trials to detect the allowed drops"
    )


def test_the_broken_candidate_fails_the_job(tmp_path: Path) -> None:
    xml = tmp_path / "results.xml"
    code, outputs, summary = run_gate(
        tmp_path,
        runs="fixtures/candidate.jsonl",
        baseline="fixtures/baseline.json",
        report=str(tmp_path / "report.json"),
        args=f"-o {xml}",
    )
    assert (code, outputs) == (1, "exit-code=1\nverdict=fail\n")
    assert xml.exists()
    assert "mcp-identity" in summary


@pytest.mark.parametrize("runs", ["fixtures/missing.jsonl"])
def test_bad_input_is_exit_2_with_no_verdict(tmp_path: Path, runs: str) -> None:
    code, outputs, _ = run_gate(tmp_path, runs=runs, report=str(tmp_path / "r.json"))
    assert (code, outputs) == (2, "exit-code=2\nverdict=\n")
