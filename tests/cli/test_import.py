from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from taskgate.cli import app
from tests.conftest import FIXTURES

runner = CliRunner()
TAU_BENCH = str(FIXTURES / "import" / "tau-bench" / "gpt-4o-airline.json")


def test_import_then_score_with_labels(tmp_path: Path) -> None:
    out = tmp_path / "runs.jsonl"
    done = runner.invoke(
        app, ["import", "tau-bench", TAU_BENCH, "-o", str(out), "--cohort", "release=r1"]
    )
    assert done.exit_code == 0, done.output
    assert done.output == f"wrote 5 runs to {out}; score them with: taskgate score {out}\n"
    first = json.loads(out.read_text().splitlines()[0])
    assert first["cohort"]["release"] == "r1"
    scored = runner.invoke(app, ["score", str(out), "--labels", "-q"])
    assert scored.exit_code == 0  # runs with criteria to judge by: no "cannot judge" failure
    assert "Agreement with labels.reward (2 of 5 runs succeeded)" in scored.output
    assert "│ task_completion      │ 1.000 │" in scored.output


def test_import_of_the_wrong_format_names_the_right_one(tmp_path: Path) -> None:
    done = runner.invoke(app, ["import", "tau2", TAU_BENCH, "-o", str(tmp_path / "r.jsonl")])
    assert done.exit_code == 2
    assert "it looks like a τ-bench results file; use: taskgate import tau-bench" in done.output
    assert not (tmp_path / "r.jsonl").exists()


def test_import_with_a_bad_cohort_pair(tmp_path: Path) -> None:
    done = runner.invoke(
        app, ["import", "tau-bench", TAU_BENCH, "-o", str(tmp_path / "r.jsonl"), "--cohort", "x"]
    )
    assert (done.exit_code, done.output) == (2, "error: --cohort: 'x' is not key=value\n")


def test_labels_without_rewards_says_so(tmp_path: Path) -> None:
    runs = tmp_path / "runs.jsonl"
    runs.write_text('{"run_id": "a", "task_id": "t", "steps": [{"is_final": true}]}\n')
    done = runner.invoke(app, ["score", str(runs), "--labels", "-q"])
    assert done.output.splitlines()[0] == (
        "--labels: no run has labels.reward; nothing to compare with"
    )
