"""Imported samples score end to end: written as JSONL, read back and judged by the pipeline."""

from __future__ import annotations

from pathlib import Path

import pytest

from taskgate.api import score
from taskgate.importers import FORMATS, import_files
from taskgate.model.report import Report
from tests.importers.helpers import jsonl
from tests.importers.test_import_files import SAMPLE_OF


def scored(fmt: str, tmp_path: Path) -> Report:
    records = import_files(fmt, [str(path) for path in SAMPLE_OF[fmt]]).records
    runs = tmp_path / f"{fmt}.jsonl"
    runs.write_bytes(jsonl(records))
    return score(runs)


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_every_imported_record_is_read_back_as_a_valid_run(fmt: str, tmp_path: Path) -> None:
    report = scored(fmt, tmp_path)
    expected = {
        "openai-messages": 3,
        "tau-bench": 5,
        "tau2": 5,
        "otel": 3,
        "langchain": 3,
        "claude-agent": 3,
        "openai-agents": 2,
        "atif": 1,
    }[fmt]
    assert (report.dataset.runs, report.dataset.invalid, report.dataset.skipped) == (
        expected,
        0,
        [],
    )


def outcomes(report: Report) -> list[tuple[str, bool | None, str | None]]:
    return [(run.run_id, run.passed, run.failure_shape) for run in report.runs]


def test_tau_bench_runs_score_and_agree_with_the_benchmark(tmp_path: Path) -> None:
    # A run passes only when every required write is made with its arguments and nothing else
    # is written, so the runs the benchmark failed (reward 0) fail here too.
    report = scored("tau-bench", tmp_path)
    assert outcomes(report) == [
        ("gpt-4o-airline:0:0", False, "wrong_task_drift"),
        ("gpt-4o-airline:1:1", True, "passed"),
        ("gpt-4o-airline:44:0", True, "passed"),
        ("gpt-4o-airline:1:2", False, "tool_misuse"),
        ("gpt-4o-airline:33:0", False, "loop_exhaustion"),
    ]
    assert [run.reward for run in report.runs] == [0.0, 1.0, 1.0, 0.0, 0.0]
    assert report.runs[0].reason == (
        "Expected call book_reservation not made with the expected arguments."
    )
    said = report.runs[2]
    assert said.reason == "Passed: completed, final step, 1 criterion, no unaccounted write."
    assert report.runs[3].reason == "Expected call cancel_reservation not made."
    transfer = report.runs[3]
    assert (transfer.scores["function_calls"], transfer.scores["tool_selection"]) == (0.0, 0.0)


def test_tau2_runs_score_and_an_unsaid_output_is_an_unmet_criterion(tmp_path: Path) -> None:
    report = scored("tau2", tmp_path)
    assert [run.passed for run in report.runs] == [True, False, True, True, True]
    assert report.runs[1].reason == "Criterion '4' not met."


def test_openai_messages_and_otel_runs_score(tmp_path: Path) -> None:
    # A run whose task states nothing to check is unjudged, not passed; one that timed out or
    # errored failed all the same.
    assert outcomes(scored("openai-messages", tmp_path)) == [
        ("refund-1182-t0", True, "passed"),
        ("runs:2", None, None),
        ("lookup-9-t0", False, "loop_exhaustion"),
    ]
    assert [run.passed for run in scored("otel", tmp_path).runs] == [None, False, None]


def test_langchain_runs_score_as_their_tasks_state(tmp_path: Path) -> None:
    # The refund made in full passes; the other two runs' lines state no task: unjudged.
    assert outcomes(scored("langchain", tmp_path)) == [
        ("lc-refund-1", True, "passed"),
        ("lc-refund-2", None, None),
        ("lc-research-1", None, None),
    ]
