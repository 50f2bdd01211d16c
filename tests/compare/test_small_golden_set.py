"""A real regression on a small golden set is caught, and a comparison that cannot tell
says so: τ²-bench airline, grok-3, the same 4 tasks x 4 trials (fixtures/labelled, MIT).

The candidate is the baseline with a regression of the size grok-3 -> grok-3-mini showed
(reward 0.44 -> 0.06) planted in it: every passing trial of a task that also failed is
replaced by that task's failing run, and a task that never failed loses its writes in all
trials but the first (the agent stops before booking).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import orjson
import pytest

from taskgate.api import score
from taskgate.config.model import Config
from taskgate.importers import import_files, write_records
from taskgate.report.json import render_json
from taskgate.report.markdown import render_markdown
from tests.conftest import FIXTURES

GROK3 = FIXTURES / "labelled" / "tau2-2025-10-13T114016.379079_airline.json.gz"
# Regression only: the absolute bands and the tail rules are off.
CONFIG = Config.model_validate(
    {
        "thresholds": {
            "task_completion": {"green": 0.0, "yellow": 0.0},
            "trajectory_score": {"green": 0.0, "yellow": 0.0},
            "pass_rate": {"green": 0.0, "yellow": 0.0},
        },
        "gate": {"tail": {"level": "off"}, "worst_cohort": {"level": "off"}},
    }
)


def _records(tmp_path: Path) -> list[dict[str, Any]]:
    path = tmp_path / "grok3.jsonl"
    write_records(path, import_files("tau2", [str(GROK3)]).records)
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def _write(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    return path


def _without_writes(record: dict[str, Any]) -> dict[str, Any]:
    broken = copy.deepcopy(record)
    writes = set(broken["task"]["write_tools"])
    for step in broken["steps"]:
        step["tool_calls"] = [c for c in step.get("tool_calls", []) if c["name"] not in writes]
    broken["labels"]["reward"] = 0.0
    return broken


def _planted(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    tasks: dict[str, list[dict[str, Any]]] = {}
    for record in sorted(records, key=lambda r: (r["task_id"], r["trial"])):
        tasks.setdefault(record["task_id"], []).append(record)
    planted = []
    for trials in tasks.values():
        failing = [r for r in trials if r["labels"]["reward"] == 0]
        for record in trials:
            if record["labels"]["reward"] == 0:
                planted.append(record)
            elif failing:
                swapped = copy.deepcopy(failing[0])
                swapped.update(run_id=record["run_id"], trial=record["trial"])
                planted.append(swapped)
            else:
                planted.append(record if record["trial"] == 0 else _without_writes(record))
    return planted


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp_path = tmp_path_factory.mktemp("small")
    records = _records(tmp_path)
    paths = {
        "base": _write(tmp_path / "base.jsonl", records),
        "cand": _write(tmp_path / "cand.jsonl", _planted(records)),
        "base_t0": _write(tmp_path / "t0.jsonl", [r for r in records if r["trial"] == 0]),
        "cand_t1": _write(tmp_path / "t1.jsonl", [r for r in _planted(records) if r["trial"] == 1]),
    }
    for name in ("base", "base_t0"):
        report = score(paths[name], config=CONFIG, cohorts=["domain"])
        (tmp_path / f"{name}.json").write_bytes(render_json(report))
        paths[f"{name}.json"] = tmp_path / f"{name}.json"
    return paths


def test_the_planted_regression_is_the_size_of_the_real_one(files: dict[str, Path]) -> None:
    rewards = {
        name: [
            orjson.loads(line)["labels"]["reward"] for line in files[name].read_bytes().splitlines()
        ]
        for name in ("base", "cand")
    }
    assert (sum(rewards["base"]), sum(rewards["cand"]), len(rewards["cand"])) == (7, 1, 16)
    report = score(files["cand"], config=CONFIG, cohorts=["domain"])
    assert [c.pass_rate for c in report.cohorts if c.dimension == "all"] == [0.0625]


def test_four_tasks_of_four_trials_catch_it(files: dict[str, Path]) -> None:
    report = score(files["cand"], config=CONFIG, cohorts=["domain"], baseline=files["base.json"])
    failed = [f for f in report.verdict.findings if f.level == "fail"]
    assert report.verdict.exit_code == 1
    assert {(f.rule, f.dimension, f.metric) for f in failed} >= {
        ("regression", "all", "trajectory_score"),
        ("regression", "domain", "trajectory_score"),
    }
    assert {f.rule for f in failed} == {"regression"}
    delta = next(c for c in report.cohorts if c.dimension == "all").delta
    assert delta is not None
    change = delta["trajectory_score"]
    assert (change.method, change.tasks, change.trials) == ("trials", 4, 4.0)
    assert change.p_value < 0.01 and change.ci[1] < -0.03


def test_against_itself_it_passes_but_says_it_could_not_see_a_small_drop(
    files: dict[str, Path],
) -> None:
    report = score(files["base"], config=CONFIG, cohorts=["domain"], baseline=files["base.json"])
    assert report.verdict.exit_code == 0
    warned = [f for f in report.verdict.findings if f.rule == "underpowered"]
    assert [f.cohort for f in warned] == ["all", "airline"]
    assert warned[0].message.startswith(
        "all: 4 tasks x 4 trials a side can detect drops of task_completion mean 0."
    )
    assert report.verdict.inconclusive == ["all", "domain=airline"]  # in the JSON report too
    heading = render_markdown(report).decode().splitlines()[0]
    assert heading == (
        "## ⚠️ taskgate: PASS, inconclusive for all, domain=airline: too few tasks x trials "
        "to detect the allowed drops"
    )


def test_one_trial_a_side_cannot_detect_any_drop_and_never_reads_as_a_plain_pass(
    files: dict[str, Path],
) -> None:
    report = score(
        files["cand_t1"], config=CONFIG, cohorts=["domain"], baseline=files["base_t0.json"]
    )
    assert report.verdict.exit_code == 0
    warned = [f for f in report.verdict.findings if f.rule == "underpowered"]
    assert warned[0].message.startswith(
        "all: 4 tasks x 1 trial a side cannot detect any drop: the test's smallest p-value, "
        "0.0625, is not below alpha 0.05; seeing the allowed drops needs about "
    )
    assert warned[0].observed is None
    assert "PASS, inconclusive for all" in render_markdown(report).decode()
