"""The monitor's JUnit XML, read back with ElementTree as a CI reporter reads it."""

from __future__ import annotations

from xml.etree import ElementTree

from taskgate.model.monitor import MonitorReport
from taskgate.report.monitor_junit import render_monitor_junit
from tests.report.conftest import DAY_9, HOSTILE, made_monitor_report
from tests.report.test_monitor_terminal import made_alert, made_notice


def parsed(report: MonitorReport) -> ElementTree.Element:
    return ElementTree.fromstring(render_monitor_junit(report))


def outcomes(root: ElementTree.Element) -> list[tuple[str | None, str]]:
    """Each testcase's name and what it came to: failure (its type), skipped, or passed."""
    found = []
    for case in root.iter("testcase"):
        failure, skipped = case.find("failure"), case.find("skipped")
        if failure is not None:
            found.append((case.get("name"), f"failure {failure.get('type')}"))
        else:
            found.append((case.get("name"), "skipped" if skipped is not None else "passed"))
    return found


def test_a_failing_window_fails_its_cohorts(monitor_failing: MonitorReport) -> None:
    root = parsed(monitor_failing)
    assert outcomes(root) == [
        ("verdict", "passed"),
        ("all", "failure final_step"),
        (f"segment={HOSTILE}", "failure final_step"),  # cohorts in the report's order
        ("segment=plain", "passed"),
    ]
    attributes = {k: root.get(k) for k in ("name", "tests", "failures", "errors", "skipped")}
    assert attributes == {
        "name": "taskgate monitor",
        "tests": "4",
        "failures": "2",
        "errors": "0",
        "skipped": "0",
    }
    (suite,) = root
    assert suite.get("name") == "taskgate.monitor" and suite.get("failures") == "2"
    hostile = next(c for c in root.iter("testcase") if c.get("name") == f"segment={HOSTILE}")
    failure = hostile.find("failure")
    assert failure is not None and failure.text is not None
    messages = [a.message for a in monitor_failing.alerts if a.cohort == HOSTILE]
    assert failure.get("message") == messages[0]
    assert failure.text.split("\n\n")[0].splitlines()[0] == messages[0]
    assert failure.text.count("observed: ") == len(messages)


def test_not_judged_fails_the_verdict_and_skips_the_cohorts() -> None:
    report = made_monitor_report("not_judged", [], [made_notice("short_history")])
    root = parsed(report)
    assert outcomes(root) == [("verdict", "failure not_judged"), ("all", "skipped")]
    verdict = root.find("testsuite/testcase[@name='verdict']/failure")
    assert verdict is not None and verdict.get("message") == (
        "NOT JUDGED: no cohort of the 1d window from 2026-11-09T00:00:00Z had the runs and the "
        "trailing windows to be compared (see the notices)"
    )
    skipped = root.find("testsuite/testcase[@name='all']/skipped")
    assert skipped is not None and skipped.get("message") == "said here"
    early = made_monitor_report("not_judged", [], [], judged=None)
    assert outcomes(parsed(early)) == [("verdict", "failure not_judged")]


def test_warnings_and_notices_are_the_output_of_a_passing_case() -> None:
    notices = [made_notice("underpowered", "segment"), made_notice("config_changed", None)]
    notices[0] = notices[0].model_copy(update={"cohort": "a", "message": "too few runs"})
    report = made_monitor_report("pass", [made_alert("warn")], notices)
    root = parsed(report)
    assert outcomes(root) == [("verdict", "passed"), ("segment=a", "passed")]
    cohort = root.find("testsuite/testcase[@name='segment=a']/system-out")
    assert cohort is not None and cohort.text == (
        "WARN cost_per_run rose to 0.02 from 0.01 over the 7 trailing windows\nNOTE too few runs"
    )
    verdict = root.find("testsuite/testcase[@name='verdict']/system-out")
    assert verdict is not None and verdict.text == (
        f"PASS: no alert failed, 1 warning in the 1d window from {DAY_9}; 2 notices (said "
        "above)\nNOTE said here"
    )


def test_the_same_report_gives_the_same_bytes(monitor_failing: MonitorReport) -> None:
    assert render_monitor_junit(monitor_failing) == render_monitor_junit(monitor_failing)
    assert render_monitor_junit(monitor_failing).startswith(
        b'<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="taskgate monitor" tests="4"'
    )
