"""The monitor's Python API: partitions summarised anywhere, written as states, merged into
what one machine would have judged."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import orjson
import pytest

import taskgate
from taskgate.errors import TaskgateError
from tests.conftest import write_jsonl
from tests.monitor.conftest import day_of_runs

NOW = datetime(2026, 11, 9, tzinfo=timezone.utc)
DAYS = [date(2026, 11, day) for day in range(1, 9)]


def _runs() -> list[dict[str, object]]:
    runs = [run for day in DAYS for run in day_of_runs(day, 30)]
    for run in runs[-30:]:  # the newest day's runs stop early: final_step falls
        run["steps"] = run["steps"][:-1]  # type: ignore[index]
        run.pop("final_result")
    return runs


def _without_inputs(report: taskgate.MonitorReport) -> dict[str, object]:
    return report.model_dump(mode="json", exclude={"inputs"})


def test_partitions_summarised_apart_and_merged_judge_as_one_machine(tmp_path: Path) -> None:
    runs = _runs()
    whole = taskgate.monitor_runs(
        [write_jsonl(tmp_path / "all.jsonl", runs)], state=tmp_path / "one.jsonl", now=NOW
    )
    assert whole.status == "fail"
    parts = []
    for index in range(3):  # every third run, in three workers, say
        summaries = taskgate.summarise(runs[index::3], source=f"part-{index}")
        path = tmp_path / f"part-{index}.state.jsonl"
        taskgate.write_state(path, summaries)
        parts.append(path)
    merged = taskgate.monitor_runs([], state=tmp_path / "merged.jsonl", merge=parts, now=NOW)
    assert _without_inputs(merged) == _without_inputs(whole)
    # eight days, each with "all" and segment a
    assert merged.inputs[0] == f"{parts[0]}: 16 window summaries merged, 0 already in the state"


def test_records_and_their_file_give_the_same_summaries(tmp_path: Path) -> None:
    runs = day_of_runs(DAYS[0], 25)
    path = tmp_path / "day.jsonl"
    path.write_bytes(b"".join(orjson.dumps(run) + b"\n" for run in runs))
    assert taskgate.summarise(runs) == taskgate.summarise(path)


def test_a_window_size_is_checked() -> None:
    with pytest.raises(TaskgateError) as caught:
        taskgate.summarise([], window="2d")
    assert caught.value.message == "window 2d: not a window size; give one of: 1h, 6h, 1d, 7d"


def test_a_state_takes_summaries_of_its_own_window_size(tmp_path: Path) -> None:
    summaries = taskgate.summarise(day_of_runs(DAYS[0], 25), window="6h")
    with pytest.raises(TaskgateError) as caught:
        taskgate.write_state(tmp_path / "s.jsonl", summaries)
    assert caught.value.message == (
        f"{tmp_path / 's.jsonl'}: summaries of 6h windows cannot go in a 1d state; "
        "give window= their size"
    )
    taskgate.write_state(tmp_path / "s.jsonl", summaries, window="6h")
    header = orjson.loads((tmp_path / "s.jsonl").read_bytes().split(b"\n")[0])
    assert header == {"kind": "monitor_state", "state_version": 1, "window": "6h"}


def test_a_naive_now_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TaskgateError) as caught:
        taskgate.monitor_runs([], state=tmp_path / "s.jsonl", now=datetime(2026, 11, 9))
    assert caught.value.message == (
        "now=2026-11-09T00:00:00: a datetime without a time zone names no instant; give one "
        "with tzinfo (datetime.now(timezone.utc), say)"
    )


def test_writing_no_summaries_replaces_the_file_with_an_empty_state(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text("old\n")
    taskgate.write_state(path, [])
    assert path.read_bytes() == b'{"kind":"monitor_state","state_version":1,"window":"1d"}\n'
