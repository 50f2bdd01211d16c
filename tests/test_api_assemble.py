"""The main job end to end as a library call: failure modes users of other tools hit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from taskgate.api import score
from taskgate.config.load import load_config
from tests.conftest import write_jsonl

TASK = {"expected_result": "Order 7 cancelled", "success_criteria": ["order cancelled"]}


def run(run_id: str, task_id: str, ok: bool, **fields: Any) -> dict[str, Any]:
    final = "Order 7 cancelled" if ok else "Sorry, something broke"
    return {
        "run_id": run_id,
        "task_id": task_id,
        "cohort": {"surface": "api"},
        "task": TASK,
        "steps": [{"message": final, "is_final": True}],
        "final_result": final,
        **fields,
    }


def test_errored_runs_cannot_turn_a_broken_release_green(tmp_path: Path) -> None:
    # 8 good runs and 16 that crashed: the crashes stay in the denominator, so the release is
    # red rather than a perfect 8 out of 8.
    records = [run(f"ok{i}", f"t{i}", True) for i in range(8)]
    records += [
        run(f"crash{i}", f"t{8 + i}", True, status="error", steps=[], final_result=None)
        for i in range(16)
    ]
    report = score(write_jsonl(tmp_path / "runs.jsonl", records))
    overall = report.cohorts[0]
    assert (overall.n, overall.pass_rate, overall.status) == (24, 0.333333, "red")
    assert overall.metrics["task_completion"].mean == 0.333333
    assert overall.failure_shapes == {"early_stop": 16, "passed": 8}
    assert report.verdict.exit_code == 1


def test_a_task_failing_every_time_is_named_and_can_fail_the_gate(tmp_path: Path) -> None:
    # 10 tasks x 4 trials: nine pass always, one fails always. The pooled pass rate of 90%
    # looks healthy; the never_passed rule names the broken task, and a pass^k floor can fail
    # the gate on it.
    records = [
        run(f"r{task}-{trial}", f"t{task}", task != 0, trial=trial)
        for task in range(10)
        for trial in range(4)
    ]
    config = tmp_path / "taskgate.yaml"
    config.write_text("gate:\n  pass_k: {k: 4, min: 0.95}\n")
    report = score(write_jsonl(tmp_path / "runs.jsonl", records), config=load_config(config))
    overall = report.cohorts[0]
    assert overall.pass_rate == 0.9
    assert overall.pass_k == {"1": 0.9, "2": 0.9, "3": 0.9, "4": 0.9}
    failed = [f for f in report.verdict.findings if f.rule == "pass_k" and f.level == "fail"]
    assert [f.message for f in failed] == [
        "all: pass^4 is 0.900, below the floor 0.95",
        "surface=api: pass^4 is 0.900, below the floor 0.95",
    ]
    named = [f.message for f in report.verdict.findings if f.rule == "never_passed"]
    assert named == ["1 task failed every one of their trials (at least 2 each): t0"]


def test_labels_agreement_is_reported_when_runs_carry_a_reward(tmp_path: Path) -> None:
    records = [
        run("a", "t1", True, labels={"reward": 1.0}),
        run("b", "t2", False, labels={"reward": 0}),
        run("c", "t3", True, labels={"reward": False}),
        run("d", "t4", True, labels={"reward": "n/a"}),
    ]
    report = score(write_jsonl(tmp_path / "runs.jsonl", records))
    assert [r.reward for r in report.runs] == [1.0, 0.0, 0.0, None]
    assert report.labels is not None
    assert (report.labels.runs, report.labels.successes) == (3, 1)
    assert report.labels.auroc["task_completion"] == 0.75
    assert (report.labels.passed_and_succeeded, report.labels.passed_but_failed) == (1, 1)
    assert (report.labels.failed_but_succeeded, report.labels.failed_and_failed) == (0, 1)


def test_no_labels_no_agreement(tmp_path: Path) -> None:
    report = score(write_jsonl(tmp_path / "runs.jsonl", [run("a", "t1", True)]))
    assert report.labels is None
