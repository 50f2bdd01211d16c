"""Scoring in worker processes gives the very same report as scoring in one."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

from taskgate.api import score
from taskgate.config.model import Config
from taskgate.errors import InputError
from taskgate.model.report import RunResult
from taskgate.report.json import render_json
from taskgate.scoring import file as file_module
from taskgate.scoring.file import BATCH_LINES, _shared, batches, score_file, worker_count
from tests.conftest import FIXTURES


def test_workers_and_one_process_write_the_same_report() -> None:
    one = render_json(score(FIXTURES / "candidate.jsonl", workers=1))
    two = render_json(score(FIXTURES / "candidate.jsonl", workers=2))
    assert one == two


def test_problems_come_out_in_file_order_whatever_the_workers(tmp_path: Path) -> None:
    lines = (FIXTURES / "golden.jsonl").read_text().splitlines()[: BATCH_LINES * 3]
    lines[5] = "{broken"
    lines[BATCH_LINES + 7] = lines[3]  # a duplicate run_id in another batch
    lines[BATCH_LINES * 2 + 1] = '{"run_id": "x"}'
    path = tmp_path / "runs.jsonl"
    path.write_text("\n".join(lines) + "\n")
    config = Config.model_validate({"gate": {"invalid_runs": {"max": 3}}})
    reports = [render_json(score(path, config=config, workers=n)) for n in (1, 2, 3)]
    assert reports[0] == reports[1] == reports[2]
    skipped = score(path, config=config, workers=2).dataset.skipped
    assert [line.split(":")[1] for line in skipped] == [
        "6",
        str(BATCH_LINES + 8),
        str(BATCH_LINES * 2 + 2),
    ]


def test_too_many_problems_fail_the_same_way(tmp_path: Path) -> None:
    path = tmp_path / "runs.jsonl"
    path.write_text("{broken\n" * (BATCH_LINES + 5))
    messages = []
    for workers in (1, 2):
        with pytest.raises(InputError) as caught:
            score(path, workers=workers)
        messages.append(caught.value.message)
    assert messages[0] == messages[1]


def test_worker_count_defaults_to_one_for_small_files(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: 4)
    assert worker_count(str(FIXTURES / "golden.jsonl"), None) == 1
    assert worker_count(str(FIXTURES / "golden.jsonl"), 3) == 3
    assert worker_count("missing.jsonl", None) == 1


def test_workers_asked_for_are_capped_at_the_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    assert worker_count(str(FIXTURES / "golden.jsonl"), 2000) == 2
    monkeypatch.setattr("os.cpu_count", lambda: None)
    assert worker_count(str(FIXTURES / "golden.jsonl"), 4) == 1


def test_batches_are_bounded_by_bytes_as_well_as_lines() -> None:
    big = [(n, b"x" * 1_500_000) for n in range(1, 8)]
    assert [[n for n, _ in batch] for batch in batches(big)] == [[1, 2, 3], [4, 5, 6], [7]]
    small = [(n, b"{}") for n in range(1, BATCH_LINES + 3)]
    assert [len(batch) for batch in batches(small)] == [BATCH_LINES, 2]


def test_a_bug_in_a_worker_reaches_the_parent_with_its_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(self: object, lines: object) -> None:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr("taskgate.scoring.file.LineScorer.batch", broken)  # forked workers see it
    with pytest.raises(RuntimeError) as caught:
        score(FIXTURES / "golden.jsonl", workers=2)
    message = str(caught.value)
    assert message.startswith("a worker process failed:\nTraceback (most recent call last):")
    assert message.rstrip().endswith("ZeroDivisionError: boom")


def test_results_share_equal_reasons_and_scores_and_keep_their_values() -> None:
    """Equal reasons and scores become one object each across the results kept (most of
    the memory of a large file); every value reads as it did, -0.0 and NaN included."""
    scored = score_file(str(FIXTURES / "golden.jsonl"), Config())
    runs = scored.runs
    by_reason: dict[str, set[int]] = {}
    for run in runs:
        by_reason.setdefault(run.reason, set()).add(id(run.reason))
    assert len(by_reason) < len(runs) and all(len(ids) == 1 for ids in by_reason.values())
    ones = [run.scores["tool_selection"] for run in runs if run.scores["tool_selection"] == 1.0]
    assert len(ones) > 1 and len({id(value) for value in ones}) == 1
    made = runs[0].model_copy(deep=True)
    made.scores.update({"task_completion": -0.0, "goal_progress": math.nan, "tool_selection": 0.0})
    kept = _shared(made)
    signs = [
        math.copysign(1.0, kept.scores[name]) for name in ("task_completion", "tool_selection")
    ]
    assert signs == [-1.0, 1.0] and math.isnan(kept.scores["goal_progress"])


def test_results_share_tool_names_and_tasks_in_a_compact_dict() -> None:
    """Results from a worker hold fresh copies of every string; kept, they share tool names
    and tasks with the results before them, in a dict half the size or less, and read,
    compare and dump exactly as before."""
    first = score_file(str(FIXTURES / "golden.jsonl"), Config()).runs[0]
    assert first.tools and first.task_id and first.task_digest

    def new(text: str) -> str:
        copied = (text + ".")[:-1]
        assert copied == text and copied is not text
        return copied

    fresh = RunResult.model_validate(
        {
            **first.__dict__,
            "task_id": new(first.task_id),
            "task_digest": new(first.task_digest),
            "tools": {new(name): count for name, count in first.tools.items()},
        }
    )
    assert fresh == first
    validated_size = sys.getsizeof(fresh.__dict__)
    kept = _shared(fresh)
    assert kept == first and kept.model_dump_json() == first.model_dump_json()
    assert kept.tools is not None
    shared = [a is b for a, b in zip(kept.tools, first.tools, strict=True)]
    assert shared == [True] * len(first.tools)
    assert kept.task_id is first.task_id and kept.task_digest is first.task_digest
    assert list(kept.__dict__) == list(RunResult.model_fields)
    if sys.implementation.name == "cpython" and sys.version_info >= (3, 11):
        assert sys.getsizeof(kept.__dict__) * 2 < validated_size  # 264 or 304 bytes, not 832


def test_sharing_stops_growing_once_every_value_is_new(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(file_module, "_MOST_SHARED", 3)
    monkeypatch.setattr(file_module, "_TEXTS", {})
    run = score_file(str(FIXTURES / "golden.jsonl"), Config()).runs[0]
    for number in range(10):
        _shared(run.model_copy(update={"reason": f"reason {number}"}))
        assert len(file_module._TEXTS) <= 4
