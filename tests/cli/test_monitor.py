"""``taskgate monitor`` on the command line: exit codes, messages, outputs, reruns, stdin."""

from __future__ import annotations

import gzip
import hashlib
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from typer.testing import CliRunner

from taskgate.cli import app
from tests.conftest import write_jsonl
from tests.monitor.conftest import day_of_runs, write_days

runner = CliRunner()
NOV = date(2026, 11, 1)
AFTER_DAY_9 = "2026-11-10T00:10:00Z"


def invoke(*args: str, stdin: str | None = None) -> Any:
    return runner.invoke(app, ["monitor", *args], input=stdin)


def quiet_days(tmp_path: Path, days: int = 9) -> list[str]:
    return [str(path) for path in write_days(tmp_path, NOV, days)]


def broken_ninth_day(tmp_path: Path) -> list[str]:
    """Eight quiet days, then a day on which no run reaches its final step."""
    files = quiet_days(tmp_path, 8)
    ninth = NOV + timedelta(days=8)
    broken = day_of_runs(ninth, 40, final=False)
    return [*files, str(write_jsonl(tmp_path / f"{ninth}.jsonl", broken))]


def test_quiet_days_pass(tmp_path: Path) -> None:
    result = invoke(
        *quiet_days(tmp_path), "--state", str(tmp_path / "s.jsonl"), "--now", AFTER_DAY_9
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == (
        "PASS: no alert failed, 0 warnings in the 1d window from 2026-11-09T00:00:00Z; "
        "2 notices (said above)"
    )
    # 40 runs a day cannot show a drop of 5 points: said, for both cohorts.
    assert result.output.count("note ") == 2
    assert "all runs" in result.output and "segment=a" in result.output


def test_a_broken_day_fails_with_its_alerts(tmp_path: Path) -> None:
    state = str(tmp_path / "s.jsonl")
    result = invoke(*broken_ninth_day(tmp_path), "--state", state, "--now", AFTER_DAY_9, "-q")
    assert result.exit_code == 1, result.output
    assert result.output.splitlines() == [
        "FAIL: 6 alerts failed, 0 warnings in the 1d window from 2026-11-09T00:00:00Z; "
        "2 notices (said above)"
    ]


def test_outputs_are_written_in_every_format(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    names = ["report.json", "alerts.md", "charts.html", "events.jsonl", "junit.xml"]
    args = [arg for name in names for arg in ("-o", str(out / name))]
    files = broken_ninth_day(tmp_path)
    state = str(tmp_path / "s.jsonl")
    result = invoke(*files, "--state", state, "--now", AFTER_DAY_9, *args)
    assert result.exit_code == 1, result.output
    # With outputs, the terminal gets the alerts and the status line only.
    lines = result.output.splitlines()
    rules = [line.split(" ")[1] for line in lines[:-1]]
    assert rules == ["final_step", "pass_rate", "completion"] * 2  # all runs, then segment a
    report = json.loads((out / "report.json").read_text())
    assert (report["status"], report["exit_code"], report["judged_window"]) == (
        "fail",
        1,
        "2026-11-09T00:00:00Z",
    )
    assert [alert["rule"] for alert in report["alerts"]] == rules
    assert report["alerts"][0]["message"] == (
        "final_step_rate fell to 0.000 from 1.000 over the 7 trailing windows: 100.0 points, "
        "beyond 5.0 (p < 0.0001)"
    )
    markdown = (out / "alerts.md").read_text()
    assert markdown.startswith("## taskgate monitor: FAIL, 6 failing alerts, 0 warnings\n")
    assert (out / "charts.html").read_text().startswith("<!DOCTYPE html>")
    events = (out / "events.jsonl").read_bytes().splitlines()
    assert len(events) == 9 * 40  # a line per run read
    assert json.loads(events[0])["resourceLogs"][0]["scopeLogs"][0]["logRecords"]
    suites = ElementTree.parse(out / "junit.xml").getroot()
    assert [(c.get("name"), c.find("failure") is not None) for c in suites.iter("testcase")] == [
        ("verdict", False),
        ("all", True),
        ("segment=a", True),
    ]


def test_a_rerun_over_the_same_inputs_changes_nothing(tmp_path: Path) -> None:
    files = quiet_days(tmp_path)
    state = tmp_path / "s.jsonl"
    assert invoke(*files, "--state", str(state), "--now", AFTER_DAY_9).exit_code == 0
    before = state.read_bytes()
    again = invoke(files[0], "--state", str(state), "--now", AFTER_DAY_9)
    assert again.exit_code == 0
    assert again.output.splitlines()[0].startswith(f"{files[0]}: already in the state (sha256 ")
    assert state.read_bytes() == before


def test_standard_input_is_read_once(tmp_path: Path) -> None:
    text = Path(quiet_days(tmp_path, 1)[0]).read_text()
    result = invoke(
        "-", "--state", str(tmp_path / "s.jsonl"), "--now", "2026-11-02T00:10:00Z", stdin=text
    )
    assert result.exit_code == 1, result.output
    assert result.output.splitlines()[0].startswith("-: 40 runs added (sha256 ")


def test_nothing_complete_yet_is_not_judged(tmp_path: Path) -> None:
    files = quiet_days(tmp_path, 1)
    result = invoke(*files, "--state", str(tmp_path / "s.jsonl"), "--now", "2026-11-01T12:00:00Z")
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        "NOT JUDGED: no 1d window is complete yet; nothing was compared"
    )


def test_a_window_with_too_short_a_history_is_not_judged(tmp_path: Path) -> None:
    files = quiet_days(tmp_path, 1)
    result = invoke(*files, "--state", str(tmp_path / "s.jsonl"), "--now", "2026-11-02T00:10:00Z")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[-3:] == [
        "note all runs: 0 of the 7 trailing windows hold 20 runs or more, fewer than "
        "monitor.min_trailing (3): not judged",
        "note segment=a: 0 of the 7 trailing windows hold 20 runs or more, fewer than "
        "monitor.min_trailing (3): not judged",
        "NOT JUDGED: no cohort of the 1d window from 2026-11-01T00:00:00Z had the runs and the "
        "trailing windows to be compared (see the notices)",
    ]


def test_partition_states_merged_give_one_machines_report(tmp_path: Path) -> None:
    files = broken_ninth_day(tmp_path)
    whole, merged = tmp_path / "whole.json", tmp_path / "merged.json"
    invoke(*files, "--state", str(tmp_path / "one.jsonl"), "--now", AFTER_DAY_9, "-o", str(whole))
    parts = []
    for index, chunk in enumerate((files[:4], files[4:])):
        part = tmp_path / f"part-{index}.jsonl"
        assert invoke(*chunk, "--state", str(part), "--now", AFTER_DAY_9, "-q").exit_code in (0, 1)
        parts += ["--merge", str(part)]
    result = invoke(
        "--state", str(tmp_path / "all.jsonl"), *parts, "--now", AFTER_DAY_9, "-o", str(merged)
    )
    assert result.exit_code == 1
    one, other = json.loads(whole.read_text()), json.loads(merged.read_text())
    del one["inputs"], other["inputs"]
    assert one == other


def test_partitions_of_6h_windows_make_a_new_state_of_6h_windows(tmp_path: Path) -> None:
    files = quiet_days(tmp_path, 4)
    part = tmp_path / "part.jsonl"
    assert invoke(*files, "--state", str(part), "--window", "6h", "-q").exit_code == 1
    merged = tmp_path / "merged.jsonl"
    result = invoke("--merge", str(part), "--state", str(merged), "--now", AFTER_DAY_9, "-q")
    assert result.exit_code == 1, result.output
    assert merged.read_bytes().splitlines()[0] == (
        b'{"kind":"monitor_state","state_version":1,"window":"6h"}'
    )
    daily = tmp_path / "daily.jsonl"
    assert invoke(files[0], "--state", str(daily), "-q").exit_code == 1
    result = invoke("--merge", str(part), "--state", str(daily), "--now", AFTER_DAY_9)
    assert (result.exit_code, result.output) == (
        2,
        f"error: {part}:1: window: this partition holds 6h windows and the state {daily} "
        "holds 1d windows; partitions merge only into a state of their window size: summarise "
        "them with --window 1d, or merge them into another --state\n",
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--window", "2d", "x.jsonl"],
            "--window 2d: not a window size; give one of: 1h, 6h, 1d, 7d",
        ),
        (["-", "-"], "RUNS: - (standard input) is given more than once; give it once"),
        (["a.jsonl", "a.jsonl"], "RUNS: a.jsonl is given more than once; give each file once"),
        ([], "RUNS: no runs given; give run files (or - for stdin), or --merge a state file"),
        (
            ["-o", "r.txt", "a.jsonl"],
            "-o r.txt: unknown output format '.txt' for monitor; name the file with one of: "
            ".html, .json, .jsonl, .md, .xml",
        ),
        (
            ["-o", "report", "a.jsonl"],
            "-o report: unknown output format '(no suffix)' for monitor; name the file with one "
            "of: .html, .json, .jsonl, .md, .xml",
        ),
        (
            ["--now", "yesterday", "a.jsonl"],
            "--now yesterday: expected an RFC 3339 time with a UTC offset, such as "
            "2026-11-03T14:22:05Z or 2026-11-03T15:22:05+01:00; got 'yesterday'",
        ),
        (
            ["--now", "2026-11-02T00:00:00", "a.jsonl"],
            "--now 2026-11-02T00:00:00: expected an RFC 3339 time with a UTC offset, such as "
            "2026-11-03T14:22:05Z or 2026-11-03T15:22:05+01:00; got '2026-11-02T00:00:00'",
        ),
    ],
)
def test_bad_arguments_are_refused_with_exit_2(
    tmp_path: Path, args: list[str], message: str
) -> None:
    result = invoke("--state", str(tmp_path / "s.jsonl"), *args)
    assert (result.exit_code, result.output) == (2, f"error: {message}\n")


def test_a_state_of_another_window_size_or_not_a_state_is_refused(tmp_path: Path) -> None:
    files = quiet_days(tmp_path, 2)
    state = tmp_path / "s.jsonl"
    invoke(files[0], "--state", str(state), "--now", AFTER_DAY_9)
    result = invoke(files[1], "--state", str(state), "--window", "6h")
    assert (result.exit_code, result.output) == (
        2,
        f"error: {state}:1: window: this state holds 1d windows and --window is 6h; give "
        "--window 1d, or another --state file for 6h windows\n",
    )
    runs = tmp_path / "runs-as-state.jsonl"
    runs.write_text('{"run_id": "x"}\n')
    result = invoke(files[1], "--state", str(runs))
    assert (result.exit_code, result.output) == (
        2,
        f"error: {runs}:1: the first line is not a monitor state header; give the file an "
        "earlier taskgate monitor --state wrote, or a new path\n",
    )


def test_an_output_that_is_the_state_is_refused(tmp_path: Path) -> None:
    files = quiet_days(tmp_path, 1)
    state = tmp_path / "s.jsonl"
    invoke(files[0], "--state", str(state), "--now", AFTER_DAY_9)
    result = invoke(files[0], "--state", str(state), "-o", str(state))
    assert (result.exit_code, result.output) == (
        2,
        f"error: -o {state}: that is the --state file, which the report would replace; give "
        "another file name for -o\n",
    )


def errors_on_the_ninth_day(tmp_path: Path) -> list[str]:
    """Eight quiet days, then a day on which 12 of the 40 runs end in an agent error."""
    files = quiet_days(tmp_path, 8)
    ninth = NOV + timedelta(days=8)
    runs = day_of_runs(ninth, 40)
    for run in runs[:12]:
        run["status"] = "error"
    return [*files, str(write_jsonl(tmp_path / f"{ninth}.jsonl", runs))]


def test_a_rise_of_the_error_share_fails(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    files = errors_on_the_ninth_day(tmp_path)
    state = str(tmp_path / "s.jsonl")
    result = invoke(*files, "--state", state, "--now", AFTER_DAY_9, "-o", str(out))
    assert result.exit_code == 1, result.output
    report = json.loads(out.read_text())
    # The errored runs are failed runs too, hence the pass rate's drop beside the errors'.
    assert [(a["rule"], a["cohort"]) for a in report["alerts"]] == [
        ("pass_rate", "all"),
        ("errors", "all"),
        ("pass_rate", "a"),
        ("errors", "a"),
    ]
    errors = report["alerts"][1]
    assert (errors["metric"], errors["level"], errors["observed"], errors["limit"]) == (
        "error_rate",
        "fail",
        0.3,
        0.05,
    )
    assert errors["message"].startswith("error_rate rose to 0.300 from ")
    assert result.output.splitlines()[-1] == (
        "FAIL: 4 alerts failed, 0 warnings in the 1d window from 2026-11-09T00:00:00Z; "
        "2 notices (said above)"
    )


def test_an_error_share_from_none_is_said_from_zero(tmp_path: Path) -> None:
    out, md = tmp_path / "report.json", tmp_path / "alerts.md"
    files = errors_on_the_ninth_day(tmp_path)
    state = str(tmp_path / "s.jsonl")
    invoke(*files, "--state", state, "--now", AFTER_DAY_9, "-o", str(out), "-o", str(md))
    errors = json.loads(out.read_text())["alerts"][1]
    assert str(errors["expected"]) == "0.0"  # not -0.0
    assert "from 0.000 over" in errors["message"]
    assert "| 0.3 | 0 |" in md.read_text()


def test_a_window_with_too_few_runs_is_not_judged(tmp_path: Path) -> None:
    files = quiet_days(tmp_path, 8)
    ninth = NOV + timedelta(days=8)
    files.append(str(write_jsonl(tmp_path / "few.jsonl", day_of_runs(ninth, 10))))
    result = invoke(*files, "--state", str(tmp_path / "s.jsonl"), "--now", AFTER_DAY_9)
    assert result.exit_code == 1, result.output
    assert result.output.splitlines()[-3:] == [
        "note all runs: 10 runs to judge the agent on in the window, fewer than "
        "monitor.min_runs (20): not judged",
        "note segment=a: 10 runs to judge the agent on in the window, fewer than "
        "monitor.min_runs (20): not judged",
        "NOT JUDGED: no cohort of the 1d window from 2026-11-09T00:00:00Z had the runs and the "
        "trailing windows to be compared (see the notices)",
    ]


def test_quiet_prints_the_status_line_alone(tmp_path: Path) -> None:
    files = quiet_days(tmp_path)
    out = tmp_path / "alerts.md"
    state = str(tmp_path / "s.jsonl")
    result = invoke(*files, "--state", state, "--now", AFTER_DAY_9, "-q", "-o", str(out))
    assert (result.exit_code, result.output) == (
        0,
        "PASS: no alert failed, 0 warnings in the 1d window from 2026-11-09T00:00:00Z; "
        "2 notices (said above)\n",
    )
    assert out.read_text().startswith("## taskgate monitor: PASS, 0 failing alerts, 0 warnings\n")


def test_a_rerun_of_every_input_says_each_is_there_and_judges_the_same(tmp_path: Path) -> None:
    files = broken_ninth_day(tmp_path)
    state = tmp_path / "s.jsonl"
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    assert (
        invoke(*files, "--state", str(state), "--now", AFTER_DAY_9, "-o", str(first)).exit_code == 1
    )
    before = state.read_bytes()
    again = invoke(*files, "--state", str(state), "--now", AFTER_DAY_9, "-o", str(second))
    assert again.exit_code == 1
    assert state.read_bytes() == before
    # An input is named by the sha256 of its bytes: worked out here with hashlib.
    expected = [
        f"{name}: already in the state (sha256 "
        f"{hashlib.sha256(Path(name).read_bytes()).hexdigest()}); nothing added"
        for name in files
    ]
    one, other = json.loads(first.read_text()), json.loads(second.read_text())
    assert other["inputs"] == expected
    del one["inputs"], other["inputs"]
    assert one == other


def test_a_compressed_copy_of_an_input_is_already_in_the_state(tmp_path: Path) -> None:
    (day,) = quiet_days(tmp_path, 1)
    state = str(tmp_path / "s.jsonl")
    assert invoke(day, "--state", state, "--now", "2026-11-02T00:10:00Z").exit_code == 1
    packed, report = tmp_path / "day.jsonl.gz", tmp_path / "r.json"
    packed.write_bytes(gzip.compress(Path(day).read_bytes()))
    result = invoke(
        str(packed), "--state", state, "--now", "2026-11-02T00:10:00Z", "-o", str(report)
    )
    assert result.exit_code == 1, result.output
    digest = hashlib.sha256(Path(day).read_bytes()).hexdigest()  # of the lines, not the gzip
    assert json.loads(report.read_text())["inputs"] == [
        f"{packed}: already in the state (sha256 {digest}); nothing added"
    ]


def test_events_are_written_for_runs_already_in_the_state(tmp_path: Path) -> None:
    files = quiet_days(tmp_path, 2)
    state = tmp_path / "s.jsonl"
    assert invoke(*files, "--state", str(state), "--now", AFTER_DAY_9, "-q").exit_code == 1
    before = state.read_bytes()
    events = tmp_path / "events.jsonl"
    result = invoke(*files, "--state", str(state), "--now", AFTER_DAY_9, "-o", str(events))
    assert result.exit_code == 1, result.output
    assert state.read_bytes() == before
    lines = events.read_bytes().splitlines()
    assert len(lines) == 2 * 40  # a line per run read, added or not
    ids = set()
    for line in lines:
        (record, *_) = json.loads(line)["resourceLogs"][0]["scopeLogs"][0]["logRecords"]
        found = {a["key"]: a["value"] for a in record["attributes"]}
        ids.add(found["taskgate.run_id"]["stringValue"])
    assert len(ids) == 2 * 40


def test_events_of_standard_input(tmp_path: Path) -> None:
    (day,) = quiet_days(tmp_path, 1)
    events = tmp_path / "events.jsonl"
    result = invoke(
        "-",
        "--state",
        str(tmp_path / "s.jsonl"),
        "--now",
        "2026-11-02T00:10:00Z",
        "-o",
        str(events),
        stdin=Path(day).read_text(),
    )
    assert result.exit_code == 1, result.output
    assert len(events.read_bytes().splitlines()) == 40


def test_an_input_that_cannot_be_judged_writes_nothing(tmp_path: Path) -> None:
    files = quiet_days(tmp_path, 2)
    broken = write_jsonl(tmp_path / "broken.jsonl", [{"run_id": "x"}])
    state, out = tmp_path / "s.jsonl", tmp_path / "out"
    out.mkdir()
    names = ["r.json", "r.md", "r.html", "e.jsonl", "r.xml"]
    args = [arg for name in names for arg in ("-o", str(out / name))]
    result = invoke(*files, str(broken), "--state", str(state), "--now", AFTER_DAY_9, *args)
    assert result.exit_code == 2
    assert result.output.splitlines()[0] == (
        f"error: {broken}: 1 of 1 records are not valid run records (gate.invalid_runs.max "
        "allows 0); fix them and run again"
    )
    assert f"{broken}:1: task_id: required field is missing; add it" in result.output
    assert sorted(out.iterdir()) == [] and not state.exists()


def test_an_existing_output_beside_a_new_state_is_written(tmp_path: Path) -> None:
    """A report file left by an earlier run, and a state that does not exist yet: nothing
    to refuse (the two are different files), and the report is written over."""
    (day,) = quiet_days(tmp_path, 1)
    report = tmp_path / "report.json"
    report.write_text("old")
    state = tmp_path / "new-state.jsonl"
    result = invoke(day, "--state", str(state), "--now", "2026-11-02T00:10:00Z", "-o", str(report))
    assert result.exit_code == 1, result.output
    assert json.loads(report.read_bytes())["status"] == "not_judged" and state.exists()


def test_an_output_that_is_a_new_state_is_refused(tmp_path: Path) -> None:
    (day,) = quiet_days(tmp_path, 1)
    state = tmp_path / "new-state.jsonl"
    result = invoke(day, "--state", str(state), "--now", "2026-11-02T00:10:00Z", "-o", str(state))
    assert (result.exit_code, result.output) == (
        2,
        f"error: -o {state}: that is the --state file, which the report would replace; give "
        "another file name for -o\n",
    )
    assert not state.exists()
    again = invoke(day, "--state", str(state), "--now", "2026-11-02T00:10:00Z")
    assert again.exit_code == 1, again.output
