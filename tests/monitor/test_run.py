"""The monitor's flow: inputs summarised into the state, reruns, partitions merged, the
newest complete window judged."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taskgate.config.load import default_config
from taskgate.config.model import Config
from taskgate.errors import InputError
from taskgate.model.report import RunResult
from taskgate.monitor.run import MonitorOptions, monitor, summarise
from taskgate.monitor.summary import Accumulator, merge
from tests.conftest import write_jsonl
from tests.monitor.conftest import day_of_runs, prod_run, write_days

CONFIG = default_config()
NOV = date(2026, 11, 1)


def at(day: int) -> MonitorOptions:
    return MonitorOptions(now=datetime(2026, 11, day, tzinfo=timezone.utc))


def test_a_run_without_started_at_is_an_invalid_line(tmp_path: Path) -> None:
    record = prod_run("r-1", datetime(2026, 11, 1, tzinfo=timezone.utc))
    del record["started_at"]
    path = write_jsonl(tmp_path / "runs.jsonl", [record])
    with pytest.raises(InputError) as caught:
        summarise(str(path), CONFIG, "1d")
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:1: started_at: monitor puts every run in the window its start falls in, and "
        "this one has no started_at; give it as an RFC 3339 time, such as 2026-11-03T14:22:05Z"
    ]


def test_a_started_at_without_an_offset_is_refused(tmp_path: Path) -> None:
    record = prod_run("r-1", datetime(2026, 11, 1, tzinfo=timezone.utc))
    record["started_at"] = "2026-11-01T10:00:00"
    path = write_jsonl(tmp_path / "runs.jsonl", [record])
    with pytest.raises(InputError) as caught:
        summarise(str(path), CONFIG, "1d")
    (problem,) = caught.value.problems
    assert (problem.line, problem.field) == (1, "started_at")
    assert "offset" in problem.message


def test_the_summary_counts_what_the_runs_did(tmp_path: Path) -> None:
    noon = datetime(2026, 11, 2, 12, tzinfo=timezone.utc)
    runs = [
        prod_run("r-0", noon, steps=3, cost=0.02, latency_ms=1000),
        prod_run("r-1", noon, steps=5, final=False, cost=0.04, latency_ms=2000),
        prod_run("r-2", noon, infrastructure=True, cost=0.01, latency_ms=None),
        prod_run("r-3", noon, steps=4, met=False, criteria=True, cost=None),
    ]
    path = write_jsonl(tmp_path / "runs.jsonl", runs)
    (summary, segment) = summarise(str(path), CONFIG, "1d").summaries
    assert (summary.dimension, segment.dimension, segment.cohort) == ("all", "segment", "a")
    assert summary.start == "2026-11-02T00:00:00Z"
    assert (summary.n, summary.infrastructure, summary.errors) == (4, 1, 0)
    assert (summary.final_step, summary.judged, summary.passed) == (2, 3, 1)
    assert summary.steps == ((3, 1), (4, 1), (5, 1))  # the infrastructure run is left out
    assert (summary.cost_runs, summary.cost_micro_usd) == (3, 70_000)
    assert summary.tool_calls == 2 + 5 + 3
    assert segment.model_dump(exclude={"dimension", "cohort"}) == summary.model_dump(
        exclude={"dimension", "cohort"}
    )


def test_a_rerun_over_the_same_inputs_changes_nothing(tmp_path: Path) -> None:
    days = write_days(tmp_path, NOV, 3)
    state = tmp_path / "state.jsonl"
    first = monitor([str(p) for p in days], state, CONFIG, at(4))
    written = state.read_bytes()
    again = monitor([str(p) for p in days], state, CONFIG, at(4))
    assert state.read_bytes() == written
    assert again.inputs == [
        f"{p}: already in the state (sha256 {first.inputs[i].rsplit(' ', 1)[-1][:-1]}); "
        "nothing added"
        for i, p in enumerate(days)
    ]
    assert again.cohorts == first.cohorts


def test_a_new_day_is_appended_keeping_the_old_bytes(tmp_path: Path) -> None:
    days = write_days(tmp_path, NOV, 3)
    state = tmp_path / "state.jsonl"
    monitor([str(days[0]), str(days[1])], state, CONFIG, at(3))
    before = state.read_bytes()
    monitor([str(days[2])], state, CONFIG, at(4))
    after = state.read_bytes()
    assert after.startswith(before)
    added = [orjson.loads(line) for line in after[len(before) :].splitlines()]
    assert [(s["start"], s["dimension"]) for s in added] == [
        ("2026-11-03T00:00:00Z", "all"),
        ("2026-11-03T00:00:00Z", "segment"),
    ]


def test_the_judged_window_is_the_newest_that_has_ended(tmp_path: Path) -> None:
    days = write_days(tmp_path, NOV, 3)
    state = tmp_path / "state.jsonl"
    midday = MonitorOptions(now=datetime(2026, 11, 3, 12, tzinfo=timezone.utc))
    report = monitor([str(p) for p in days], state, CONFIG, midday)
    assert report.judged_window == "2026-11-02T00:00:00Z"
    early = MonitorOptions(now=datetime(2026, 11, 1, 23, tzinfo=timezone.utc))
    assert monitor([], state, CONFIG, early).judged_window is None


def test_windows_after_the_one_open_now_are_kept_but_not_reported(tmp_path: Path) -> None:
    days = write_days(tmp_path, NOV, 4)
    state = tmp_path / "state.jsonl"
    midday = MonitorOptions(now=datetime(2026, 11, 2, 12, tzinfo=timezone.utc))
    report = monitor([str(p) for p in days], state, CONFIG, midday)
    starts = [[window.start[:10] for window in series.windows] for series in report.cohorts]
    assert starts == [["2026-11-01", "2026-11-02"]] * 2  # all runs, and segment a
    later = MonitorOptions(now=datetime(2026, 11, 5, tzinfo=timezone.utc))
    assert len(monitor([], state, CONFIG, later).cohorts[0].windows) == 4


def test_a_state_of_another_window_size_is_refused(tmp_path: Path) -> None:
    state = tmp_path / "state.jsonl"
    monitor([str(p) for p in write_days(tmp_path, NOV, 1)], state, CONFIG, at(2))
    options = MonitorOptions(now=datetime(2026, 11, 2, tzinfo=timezone.utc), window="6h")
    with pytest.raises(InputError) as caught:
        monitor([], state, CONFIG, options)
    assert [str(p) for p in caught.value.problems] == [
        f"{state}:1: window: this state holds 1d windows and --window is 6h; give --window "
        "1d, or another --state file for 6h windows"
    ]


def test_a_state_of_another_config_is_refused_unless_allowed(tmp_path: Path) -> None:
    state = tmp_path / "state.jsonl"
    days = write_days(tmp_path, NOV, 2)
    monitor([str(days[0])], state, CONFIG, at(2))
    # A stricter green line changes which runs pass, hence the fingerprint.
    other = Config.model_validate(
        {"thresholds": {"task_completion": {"green": 0.9, "yellow": 0.5}}}
    )
    with pytest.raises(InputError) as caught:
        monitor([str(days[1])], state, other, at(3))
    (problem,) = caught.value.problems
    assert (problem.source, problem.field) == (str(state), "config_fingerprint")
    assert problem.message.endswith(
        "so they would not compare; use the config they were summarised with, start a new "
        "--state, or pass --allow-config-change"
    )
    allowed = MonitorOptions(now=at(3).now, allow_config_change=True)
    report = monitor([str(days[1])], state, other, allowed)
    assert report.notices[0].kind == "config_changed"


def test_a_file_that_is_not_a_state_is_refused(tmp_path: Path) -> None:
    state = write_jsonl(tmp_path / "state.jsonl", [{"run_id": "r-1"}])
    with pytest.raises(InputError) as caught:
        monitor([], state, CONFIG, at(2))
    assert [str(p) for p in caught.value.problems] == [
        f"{state}:1: the first line is not a monitor state header; give the file an earlier "
        "taskgate monitor --state wrote, or a new path"
    ]


def test_partitions_merged_give_what_one_machine_gives(tmp_path: Path) -> None:
    runs = [run for n in range(4) for run in day_of_runs(date(2026, 11, 1 + n), 30, seed=n)]
    whole = write_jsonl(tmp_path / "all.jsonl", runs)
    one = monitor([str(whole)], tmp_path / "one.jsonl", CONFIG, at(5))
    parts = [write_jsonl(tmp_path / f"part{k}.jsonl", runs[k::3]) for k in range(3)]
    states = []
    for k, part in enumerate(parts):
        states.append(tmp_path / f"state{k}.jsonl")
        monitor([str(part)], states[-1], CONFIG, at(5))
    merged = monitor([], tmp_path / "merged.jsonl", CONFIG, MonitorOptions(at(5).now, merge=states))
    assert merged.cohorts == one.cohorts
    assert merged.alerts == one.alerts and merged.notices == one.notices
    again = monitor([], tmp_path / "merged.jsonl", CONFIG, MonitorOptions(at(5).now, merge=states))
    assert again.inputs == [
        f"{s}: 0 window summaries merged, 8 already in the state" for s in states
    ]


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> list[RunResult]:
    from taskgate.read.runs import RunReader
    from taskgate.scoring.file import iter_scored

    folder = tmp_path_factory.mktemp("runs")
    runs = day_of_runs(date(2026, 11, 1), 25, seed=3)
    runs += day_of_runs(date(2026, 11, 1), 5, seed=4, infrastructure=True)
    runs += day_of_runs(date(2026, 11, 1), 5, seed=5, final=False, met=False)
    for n, run in enumerate(runs):
        run["run_id"] = f"r-{n}"
    path = write_jsonl(folder / "runs.jsonl", runs)
    return list(iter_scored(RunReader(str(path)), CONFIG, 1, observe=True))


@settings(max_examples=40)
@given(st.data())
def test_summaries_merge_exactly_in_any_order(scored: list[RunResult], data: st.DataObject) -> None:
    def summary_of(runs: list[RunResult], source: str) -> object:
        cell = Accumulator()
        for run in runs:
            cell.add(run)
        return cell.summary("1d", "2026-11-01T00:00:00Z", "all", "all", source, "c")

    groups = data.draw(st.lists(st.integers(0, 3), min_size=len(scored), max_size=len(scored)))
    parts = [
        summary_of([r for r, g in zip(scored, groups, strict=True) if g == k], f"s{k}")
        for k in range(4)
        if k in groups
    ]
    order = data.draw(st.permutations(parts))
    merged = merge(list(order))  # type: ignore[arg-type]
    whole = summary_of(scored, "x")
    assert merged.model_dump(exclude={"sources"}) == whole.model_dump(  # type: ignore[attr-defined]
        exclude={"sources"}
    )
    assert merged.sources == tuple(sorted(f"s{k}" for k in set(groups)))


def test_a_state_line_whose_counts_do_not_add_up_is_refused(tmp_path: Path) -> None:
    state = tmp_path / "state.jsonl"
    monitor([str(write_days(tmp_path, NOV, 1)[0])], state, CONFIG, at(2))
    header, line, *_ = state.read_bytes().splitlines()
    good = orjson.loads(line)
    edits = [
        {"completed": good["completed"] + 1},  # more completed runs than runs
        {"steps": [[4, 1]]},  # a step histogram of fewer runs than the window's
        {"scores": {"task_completion": [[1000, 0]]}},
        {"scores": {"task_completion": [[1001, 40]]}},  # above a score of 1
        {"start": "2026-11-01T05:00:00Z"},  # not where a day starts
        {"start": "Nov 1"},
        {"window": "2d"},
        {"window": "6h", "start": "2026-11-01T00:00:00Z"},  # a 6h line in a day state
    ]
    lines = [header, *(orjson.dumps({**good, **edit}) for edit in edits)]
    state.write_bytes(b"\n".join(lines) + b"\n")
    with pytest.raises(InputError) as caught:
        monitor([], state, CONFIG, at(2))
    adds_up = "the counts do not add up ({}); this line was not written by monitor"
    assert [(p.line, p.field, p.message) for p in caught.value.problems] == [
        (2, None, adds_up.format("completed + errors + infrastructure != n")),
        (3, None, adds_up.format("steps holds 1 runs of 40")),
        (4, None, "scores.task_completion: values must be sorted and distinct, counts 1 or more"),
        (5, None, "scores.task_completion: a value out of range"),
        (6, None, "start 2026-11-01T05:00:00Z is not the start of a 1d window"),
        (
            7,
            None,
            "start: expected an RFC 3339 time with a UTC offset, such as 2026-11-03T14:22:05Z "
            "or 2026-11-03T15:22:05+01:00; got 'Nov 1'",
        ),
        (8, None, "window '2d' is not one of 1h, 6h, 1d, 7d"),
        (9, "window", "a 6h window in a state of 1d windows"),
    ]


def test_a_sample_that_stopped_coming_is_not_judged_on_old_windows(tmp_path: Path) -> None:
    state = tmp_path / "state.jsonl"
    monitor([str(p) for p in write_days(tmp_path, NOV, 8)], state, CONFIG, at(9))
    later = monitor([], state, CONFIG, at(12))  # nothing came for 9, 10 and 11 November
    assert (later.judged_window, later.status, later.exit_code) == (
        "2026-11-11T00:00:00Z",
        "fail",
        1,
    )
    assert [notice.message for notice in later.notices if notice.cohort == "a"] == [
        "no runs in the window, fewer than monitor.min_runs (20): not judged"
    ]
    vanished = [(a.rule, a.level, a.observed) for a in later.alerts if a.cohort == "a"]
    assert vanished == [("vanished", "fail", 0.0)]
    (alert,) = [a for a in later.alerts if a.cohort == "a"]
    # the 7 windows before 11 November hold runs from the 4th to the 8th: 5 days of 40
    assert (alert.expected, alert.message) == (
        40.0,
        "no runs in the window, where 5 trailing windows held 40 on average: the cohort "
        "vanished (its sample stopped, or its traffic went elsewhere), and nothing of it was "
        "judged",
    )


def test_runs_after_now_are_said(tmp_path: Path) -> None:
    state = tmp_path / "state.jsonl"
    ahead = write_jsonl(tmp_path / "ahead.jsonl", day_of_runs(date(2027, 5, 1), 30))
    report = monitor([str(ahead)], state, CONFIG, at(9))
    (notice,) = [n for n in report.notices if n.kind == "future_runs"]
    assert notice.message == (
        "30 runs start after the window open now (2026-11-09T00:00:00Z), the first in the "
        "window from 2027-05-01T00:00:00Z: kept in the state, left out of this report; check "
        "the clock of what wrote them, or --now"
    )


def test_a_time_outside_the_years_taken_is_an_invalid_line(tmp_path: Path) -> None:
    runs = day_of_runs(NOV, 3)
    runs[1]["started_at"] = "9999-12-31T12:00:00Z"
    path = write_jsonl(tmp_path / "far.jsonl", runs)
    with pytest.raises(InputError) as caught:
        monitor([str(path)], tmp_path / "state.jsonl", CONFIG, at(2))
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:2: started_at: 9999-12-31T12:00:00Z is outside the times taskgate takes "
        "(from 1970 to before 2200); check the clock that wrote it"
    ]
    assert not (tmp_path / "state.jsonl").exists()


def test_invalid_records_let_through_are_said(tmp_path: Path) -> None:
    runs = day_of_runs(NOV, 25)
    del runs[3]["started_at"]
    path = write_jsonl(tmp_path / "day.jsonl", runs)
    lenient = Config.model_validate({"gate": {"invalid_runs": {"max": 1}}})
    report = monitor([str(path)], tmp_path / "state.jsonl", lenient, at(2))
    (notice,) = [n for n in report.notices if n.kind == "skipped_runs"]
    assert notice.message.startswith(
        f"{path}: 1 invalid records skipped, as gate.invalid_runs.max allows (first: {path}:4: "
        "started_at: monitor puts every run in the window its start falls in"
    )
    assert report.inputs[0].endswith(notice.message.removeprefix(f"{path}: "))


def test_a_state_line_repeated_is_refused(tmp_path: Path) -> None:
    state = tmp_path / "state.jsonl"
    monitor([str(write_days(tmp_path, NOV, 1)[0])], state, CONFIG, at(2))
    header, line, *rest = state.read_bytes().splitlines()
    state.write_bytes(b"\n".join([header, line, *rest, line]) + b"\n")
    with pytest.raises(InputError) as caught:
        monitor([], state, CONFIG, at(2))
    assert [str(p) for p in caught.value.problems] == [
        f"{state}:{3 + len(rest)}: sources: the same window, cohort and inputs as line 2; "
        "remove one"
    ]
