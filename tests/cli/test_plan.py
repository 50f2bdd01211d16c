"""taskgate plan: the table a team reads before choosing its golden-set size."""

from __future__ import annotations

import json
import math
from pathlib import Path

from typer.testing import CliRunner

from taskgate.cli import app
from taskgate.compare.baseline import load_report
from taskgate.compare.plan import plan
from taskgate.report.json import render_json
from taskgate.stats.power import power_at, variance
from tests.conftest import FIXTURES

runner = CliRunner()
BASELINE = str(FIXTURES / "baseline.json")


def test_plan_prints_power_by_drop_and_the_tasks_needed() -> None:
    result = runner.invoke(app, ["plan", BASELINE])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == (
        f"Plan from {BASELINE}: 240 tasks, 2.5 trials a task; task_completion noise sd 0.217, "
        "from the spread over trials of 194 tasks run two or more times."
    )
    assert "  drop    power" in lines
    assert "To catch a drop of 0.03 with power 0.8:" in lines
    assert lines[-1] == (
        "Assumes the new tasks are as noisy as today's, and the drop a shift of every trial."
    )


def test_the_json_plan_agrees_with_an_independent_computation() -> None:
    result = runner.invoke(app, ["plan", BASELINE, "--format", "json", "--drop", "0.05"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    report = load_report(FIXTURES / "baseline.json")
    trials: dict[str, list[float]] = {}
    for run in report.runs:
        if (score := run.scores["task_completion"]) is not None:
            trials.setdefault(run.task_id, []).append(score)
    repeated = [variance(s) for s in trials.values() if len(s) >= 2]
    noise = sum(repeated) / len(repeated)
    per_task = sum(len(s) for s in trials.values()) / len(trials)
    se = math.sqrt(noise * 2 / per_task / len(trials))
    assert data["tasks"] == 240 and data["drop"] == 0.05
    by_drop = {row["drop"]: row["power"] for row in data["power_by_drop"]}
    assert by_drop[0.05] == round(power_at(0.05, se, 0.05), 6)
    # Twice the trials need half the tasks (up to rounding up).
    needed = {row["trials"]: row["tasks"] for row in data["tasks_needed"]}
    assert abs(needed[1] - 2 * needed[2]) <= 1 and abs(needed[2] - 2 * needed[4]) <= 1


def test_one_trial_a_task_cannot_measure_the_noise_and_says_so() -> None:
    report = load_report(FIXTURES / "baseline.json")
    first = report.model_copy(update={"runs": [r for r in report.runs if r.trial in (0, None)]})
    result = plan(first, "task_completion", 0.03, 0.05, 0.8)
    assert result.noise_tasks == 0 and result.trials == 1.0


def test_bad_options_are_named_with_what_to_give() -> None:
    result = runner.invoke(app, ["plan", BASELINE, "--drop", "2", "--power", "0.3"])
    assert result.exit_code == 2
    assert "--drop 2: give a drop of the mean from 0.001 to 1, such as 0.03" in result.output
    assert "--power 0.3: give a power from 0.5 up to (not including) 1, such as 0.8" in (
        result.output
    )


def test_a_missing_baseline_is_an_input_error() -> None:
    result = runner.invoke(app, ["plan", "nowhere.json"])
    assert result.exit_code == 2
    assert "nowhere.json: file not found; check the path" in result.output


def test_a_baseline_with_no_noise_or_no_scores_cannot_be_planned_from(tmp_path: Path) -> None:
    report = load_report(FIXTURES / "baseline.json")
    flat = [
        r.model_copy(update={"scores": {**r.scores, "task_completion": 0.5}}) for r in report.runs
    ]
    for name, runs, message in (
        ("flat.json", flat, "every run scored the same on task_completion as the others"),
        ("empty.json", [], "no run has a task_completion score, so there is no noise"),
    ):
        path = tmp_path / name
        path.write_bytes(render_json(report.model_copy(update={"runs": runs})))
        result = runner.invoke(app, ["plan", str(path)])
        assert result.exit_code == 2
        assert f"{path}: runs: {message}" in result.output.replace("\n", " ")
