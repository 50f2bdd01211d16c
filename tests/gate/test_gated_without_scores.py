"""A gated metric that nothing could be judged on is a finding, never a silent pass."""

from __future__ import annotations

import pytest

from taskgate.api.pipeline import assemble
from taskgate.compare.baseline import check_shared_tasks, load_report
from taskgate.config.model import Config
from taskgate.errors import BaselineError
from taskgate.model.report import Report, RunResult
from tests.conftest import FIXTURES

GOLDEN = load_report(FIXTURES / "baseline.json")


def without(runs: list[RunResult], *metrics: str) -> list[RunResult]:
    return [r.model_copy(update={"scores": {**r.scores, **dict.fromkeys(metrics)}}) for r in runs]


def gate(runs: list[RunResult], baseline: Report | None = None) -> Report:
    dimensions = [d.name for d in GOLDEN.dimensions]
    base = (baseline, "base.json") if baseline is not None else None
    return assemble(runs, GOLDEN.dataset, dimensions, Config(), base)


def failed(report: Report, rule: str) -> list[str]:
    return [f.message for f in report.verdict.findings if f.rule == rule and f.level == "fail"]


def test_a_metric_with_thresholds_and_no_score_fails() -> None:
    report = gate(without(GOLDEN.runs, "trajectory_score"))
    assert report.verdict.status == "fail"
    assert failed(report, "cohort_status") == [
        "all: trajectory_score has thresholds, but no run has a score on trajectory_score, so "
        "they cannot be judged; remove trajectory_score from thresholds, or give the evaluators "
        "it needs what to judge"
    ]


def test_a_baseline_with_no_scores_on_a_regression_metric_fails() -> None:
    baseline = GOLDEN.model_copy(update={"runs": without(GOLDEN.runs, "task_completion")})
    report = gate(GOLDEN.runs, baseline)
    assert failed(report, "regression") == [
        "all: task_completion could not be compared with the baseline: the baseline has no "
        "score on task_completion; score the baseline again with this config, or leave the "
        "metric out of gate.regression.metrics"
    ]


def test_with_every_score_there_neither_finding_appears() -> None:
    report = gate(GOLDEN.runs, GOLDEN)
    assert failed(report, "cohort_status") == failed(report, "regression") == []


def test_a_baseline_with_no_runs_is_refused() -> None:
    with pytest.raises(BaselineError) as caught:
        check_shared_tasks(GOLDEN.model_copy(update={"runs": []}), GOLDEN.runs, "base.json")
    assert [str(p) for p in caught.value.problems] == [
        "base.json: runs: the baseline has no runs, so nothing can be compared; write it again "
        "with taskgate score -o"
    ]
