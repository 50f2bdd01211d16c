"""Infrastructure failures: failures in every denominator, counted apart, and above
gate.infrastructure.max_share a gate that cannot judge the agent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from taskgate.api import score
from taskgate.config.model import Config
from taskgate.errors import InputError
from tests.conftest import make_record, write_jsonl

TASK = {"expected_result": "Order 7 cancelled"}


def run(i: int, kind: str | None = None) -> dict[str, Any]:
    record: dict[str, Any] = {"run_id": f"r{i}", "task_id": f"t{i}", "task": TASK}
    if kind is None:
        record["steps"] = [{"message": "Order 7 cancelled", "is_final": True}]
        return record
    return {**record, "status": "error", "error_kind": kind}


def test_rate_limited_runs_above_max_share_fail_the_gate_as_unjudgeable(tmp_path: Path) -> None:
    records = [run(i) for i in range(18)] + [run(18, "infrastructure"), run(19, "infrastructure")]
    report = score(write_jsonl(tmp_path / "runs.jsonl", records))
    overall = report.cohorts[0]
    # in the denominator: 18 of 20 passed, not 18 of 18
    assert (overall.n, overall.pass_rate) == (20, 0.9)
    assert overall.failure_shapes == {"passed": 18, "infrastructure": 2}
    assert report.dataset.infrastructure == 2
    [found] = [f for f in report.verdict.findings if f.rule == "infrastructure"]
    assert (found.level, found.observed, found.limit) == ("fail", 0.1, 0.05)
    assert found.message == (
        "2 of 20 runs (10.0%) failed for infrastructure reasons (error_kind: infrastructure; "
        "max_share 5%); the gate cannot judge the agent on this input: fix the harness or the "
        "API quota and run again"
    )
    assert report.verdict.exit_code == 1


def test_a_few_are_a_warning_and_agent_errors_are_not_counted(tmp_path: Path) -> None:
    records = [run(i) for i in range(38)] + [run(38, "infrastructure"), run(39, "agent")]
    report = score(write_jsonl(tmp_path / "runs.jsonl", records))
    [found] = [f for f in report.verdict.findings if f.rule == "infrastructure"]
    assert (found.level, found.observed) == ("warn", 0.025)
    assert found.message.endswith("(error_kind: infrastructure; max_share 5%); counted as failures")
    shapes = report.cohorts[0].failure_shapes
    assert (shapes["infrastructure"], shapes["early_stop"]) == (1, 1)


def test_one_passing_run_among_infrastructure_failures_is_not_a_100_percent_pass(
    tmp_path: Path,
) -> None:
    records = [run(0)] + [run(i, "infrastructure") for i in range(1, 5)]
    report = score(write_jsonl(tmp_path / "runs.jsonl", records))
    assert report.cohorts[0].pass_rate == 0.2
    assert report.verdict.exit_code == 1


def test_the_rule_can_be_turned_off_or_given_a_share(tmp_path: Path) -> None:
    records = [run(i) for i in range(18)] + [run(18, "infrastructure"), run(19, "infrastructure")]
    path = write_jsonl(tmp_path / "runs.jsonl", records)
    off = Config.model_validate({"gate": {"infrastructure": {"level": "off"}}})
    assert [f for f in score(path, config=off).verdict.findings if f.rule == "infrastructure"] == []
    lenient = Config.model_validate({"gate": {"infrastructure": {"max_share": 0.1}}})
    found = [f for f in score(path, config=lenient).verdict.findings if f.rule == "infrastructure"]
    assert [f.level for f in found] == ["warn"]


def test_error_kind_on_a_completed_run_is_an_input_error(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "runs.jsonl", [{**run(0), "error_kind": "agent"}])
    with pytest.raises(InputError) as caught:
        score(path)
    [problem] = caught.value.problems
    assert (problem.line, problem.field) == (1, "error_kind")
    assert problem.message == (
        "error_kind says what failed in a run with status error or timeout, and this run's "
        "status is completed; set status, or drop error_kind"
    )


def test_error_kind_takes_two_values() -> None:
    assert make_record(status="timeout", error_kind="infrastructure").error_kind == "infrastructure"
    with pytest.raises(ValueError, match="error_kind"):
        make_record(status="error", error_kind="network")


def test_every_format_counts_them_apart(tmp_path: Path) -> None:
    from taskgate.report.html import render_html
    from taskgate.report.markdown import render_markdown
    from taskgate.report.terminal import verdict_line

    records = [run(i) for i in range(18)] + [run(18, "infrastructure"), run(19, "infrastructure")]
    report = score(write_jsonl(tmp_path / "runs.jsonl", records))
    assert verdict_line(report).plain == (
        "FAIL: 1 finding failed the gate, 2 warnings; 20 runs scored, 2 infrastructure failures"
    )
    assert "**2** infrastructure failures" in render_markdown(report).decode()
    page = render_html(report).decode()
    assert "0 underspecified · 2 infrastructure failures</dd>" in page
    assert '<th class="num">infrastructure</th>' in page


def test_an_infrastructure_failure_has_no_diagnosis(tmp_path: Path) -> None:
    report = score(write_jsonl(tmp_path / "runs.jsonl", [run(0), run(1, "infrastructure")]))
    failed = report.runs[1]
    assert (failed.passed, failed.failure_shape, failed.diagnosis) == (
        False,
        "infrastructure",
        None,
    )
