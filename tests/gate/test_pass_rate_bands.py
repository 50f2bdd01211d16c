"""Pass-rate bands: a release in which (almost) no run passes fails the default gate, even
when the graded scores of its runs are middling."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from taskgate.api.pipeline import assemble
from taskgate.config.load import config_fingerprint, default_config
from taskgate.config.model import Config
from taskgate.model.report import Dataset, Report, RunResult
from tests.conftest import make_result

DATASET = Dataset(source="runs.jsonl", runs=0, invalid=0, underspecified=0, sha256="sha256:0")


def _runs(passed: int, total: int, cohort: str = "a", completion: float = 0.6) -> list[RunResult]:
    return [
        make_result(
            f"{cohort}-{i}",
            f"{cohort}-t{i}",
            cohort={"surface": cohort},
            passed=i < passed,
            scores={"task_completion": completion, "trajectory_score": 0.8},
        )
        for i in range(total)
    ]


def _report(runs: list[RunResult], config: Config | None = None) -> Report:
    return assemble(runs, DATASET, ["surface"], config or default_config())


def _failed(report: Report) -> list[tuple[str, str | None, str | None, Any, Any]]:
    return [
        (f.rule, f.cohort, f.metric, f.observed, f.limit)
        for f in report.verdict.findings
        if f.level == "fail"
    ]


def test_no_run_passing_fails_the_default_gate_though_completion_is_only_yellow() -> None:
    report = _report(_runs(0, 100))
    overall = report.cohorts[0]
    assert (overall.pass_rate, overall.pass_status, overall.status) == (0.0, "red", "red")
    assert overall.metrics["task_completion"].status == "yellow"
    assert _failed(report) == [
        ("cohort_status", "all", "pass_rate", 0.0, 0.3),
        ("cohort_status", "a", "pass_rate", 0.0, 0.3),
    ]
    assert report.verdict.findings[0].message == (
        "all: pass rate 0.0% is red (below 30%) over 100 judged runs"
    )


def test_the_bands_meet_at_their_limits() -> None:
    # 3 of 10 is exactly the red line: yellow, not red; 7 of 10 is green
    assert _report(_runs(3, 10)).cohorts[0].pass_status == "yellow"
    assert _report(_runs(2, 10)).cohorts[0].pass_status == "red"
    assert _report(_runs(7, 10)).cohorts[0].pass_status == "green"
    assert _failed(_report(_runs(3, 10))) == []


def test_one_collapsed_cohort_fails_alone_and_a_yellow_one_only_under_fail_on_yellow() -> None:
    runs = _runs(10, 10, "healthy") + _runs(1, 10, "broken") + _runs(5, 10, "middling")
    assert [f[1] for f in _failed(_report(runs))] == ["broken"]
    strict = Config.model_validate({"gate": {"fail_on": "yellow"}})
    assert [(f[1], f[4]) for f in _failed(_report(runs, strict)) if f[2] == "pass_rate"] == [
        ("all", 0.7),  # 16 of 30 pass: 53%, below green
        ("broken", 0.3),
        ("middling", 0.7),
    ]


def test_unjudged_runs_are_not_failures_of_the_pass_rate() -> None:
    runs = [make_result(f"u{i}", f"t{i}", cohort={"surface": "a"}, passed=None) for i in range(5)]
    runs += _runs(4, 5)
    overall = _report(runs).cohorts[0]
    assert (overall.pass_rate, overall.unjudged, overall.pass_status) == (0.8, 5, "green")
    only_unjudged = _report(runs[:5]).cohorts[0]
    assert (only_unjudged.pass_rate, only_unjudged.pass_status) == (None, None)


def test_bands_set_to_zero_turn_the_check_off() -> None:
    off = Config.model_validate({"thresholds": {"pass_rate": {"green": 0, "yellow": 0}}})
    assert [f for f in _failed(_report(_runs(0, 20), off)) if f[2] == "pass_rate"] == []


def test_the_pass_rate_bands_judge_cohorts_not_runs_so_baselines_stay_comparable() -> None:
    changed = Config.model_validate({"thresholds": {"pass_rate": {"green": 0.9, "yellow": 0.8}}})
    assert config_fingerprint(changed) == config_fingerprint(default_config())
    bands = {"task_completion": {"green": 0.9, "yellow": 0.8}}
    scoring = Config.model_validate({"thresholds": bands})
    assert config_fingerprint(scoring) != config_fingerprint(default_config())


@given(st.integers(0, 40), st.integers(1, 40))
def test_pass_status_follows_the_share_that_passed(passed: int, extra: int) -> None:
    total = passed + extra
    status = _report(_runs(passed, total)).cohorts[0].pass_status
    share = round(passed / total, 6)
    assert status == ("green" if share >= 0.7 else "yellow" if share >= 0.3 else "red")
