"""The monitor's terminal report: sparklines, the status line, the table."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from taskgate.model.monitor import Alert, MonitorReport, Notice, NoticeKind
from taskgate.model.report import Level
from taskgate.report.monitor_terminal import (
    BARS,
    alert_line,
    notice_line,
    render_monitor_terminal,
    sparkline,
    status_line,
)
from tests.report.conftest import DAY_9, made_monitor_report


def test_sparklines_by_hand() -> None:
    assert sparkline([1, 2, None, 3]) == "▁▅ █"
    assert sparkline([0.5, 0.5, 0.5]) == "▄▄▄"  # flat: the middle bar
    assert sparkline([None, None]) == "  "
    assert sparkline([]) == ""
    assert sparkline([0, 7, 1, 6]) == "▁█▂▇"


@given(st.lists(st.one_of(st.none(), st.floats(-1e6, 1e6)), max_size=30))
def test_a_sparkline_has_a_bar_per_value(values: list[float | None]) -> None:
    line = sparkline(values)
    assert len(line) == len(values)
    known = [value for value in values if value is not None]
    for value, bar in zip(values, line, strict=True):
        assert (bar == " ") == (value is None)
        assert value is None or bar in BARS
    if known and min(known) < max(known):
        assert line[values.index(min(known))] == BARS[0]
        assert line[values.index(max(known))] == BARS[-1]


def test_status_lines(monitor_failing: MonitorReport) -> None:
    assert status_line(monitor_failing).plain == (
        "FAIL: 6 alerts failed, 0 warnings in the 1d window from 2026-11-09T00:00:00Z; "
        "3 notices (said above)"
    )
    passed = monitor_failing.model_copy(update={"status": "pass", "alerts": [], "notices": []})
    assert status_line(passed).plain == (
        "PASS: no alert failed, 0 warnings in the 1d window from 2026-11-09T00:00:00Z"
    )
    early = monitor_failing.model_copy(update={"judged_window": None, "status": "not_judged"})
    assert status_line(early).plain == (
        "NOT JUDGED: no 1d window is complete yet; nothing was compared"
    )


def test_the_table_fits_eighty_columns_and_names_every_cohort(
    monitor_failing: MonitorReport,
) -> None:
    console = Console(width=80, record=True, color_system=None)
    console.print(render_monitor_terminal(monitor_failing))
    text = console.export_text()
    assert all(len(line) <= 80 for line in text.splitlines())
    assert "all runs" in text and "segment=plain" in text
    assert "1d windows up to 2026-11-09T00:00:00Z" in text


def made_alert(level: Level, cohort: str = "a") -> Alert:
    return Alert(
        rule="cost",
        level=level,
        window=DAY_9,
        dimension="segment",
        cohort=cohort,
        metric="cost_per_run",
        observed=0.02,
        expected=0.01,
        limit=0.5,
        message="cost_per_run rose to 0.02 from 0.01 over the 7 trailing windows",
    )


def made_notice(kind: NoticeKind, dimension: str | None = "all") -> Notice:
    return Notice(
        kind=kind, window=DAY_9, dimension=dimension, cohort=dimension, message="said here"
    )


def test_status_lines_in_the_singular() -> None:
    report = made_monitor_report(
        "fail", [made_alert("fail"), made_alert("warn")], [made_notice("underpowered")]
    )
    line = status_line(report)
    assert line.plain == (
        "FAIL: 1 alert failed, 1 warning in the 1d window from 2026-11-09T00:00:00Z; "
        "1 notice (said above)"
    )
    assert line.style == "bold red"


def test_a_pass_is_green_unless_some_cohort_went_unjudged() -> None:
    clean = status_line(made_monitor_report("pass", [], [made_notice("underpowered")]))
    assert (clean.plain, clean.style) == (
        "PASS: no alert failed, 0 warnings in the 1d window from 2026-11-09T00:00:00Z; "
        "1 notice (said above)",
        "bold green",
    )
    for kind in ("small_window", "short_history"):
        partial = status_line(made_monitor_report("pass", [], [made_notice(kind, "segment")]))
        assert partial.style == "bold yellow", kind
    unjudged = status_line(made_monitor_report("not_judged", [], [made_notice("small_window")]))
    assert (unjudged.plain, unjudged.style) == (
        "NOT JUDGED: no cohort of the 1d window from 2026-11-09T00:00:00Z had the runs and "
        "the trailing windows to be compared (see the notices)",
        "bold yellow",
    )


def test_alert_and_notice_lines() -> None:
    assert alert_line(made_alert("warn")).plain == (
        "WARN cost segment=a: cost_per_run rose to 0.02 from 0.01 over the 7 trailing windows"
    )
    assert notice_line(made_notice("underpowered")).plain == "note all runs: said here"
    assert notice_line(made_notice("config_changed", None)).plain == "note: said here"


def test_control_characters_of_a_cohort_are_shown_not_sent() -> None:
    # An escape sequence in a cohort value would repaint the terminal: shown as \x1b.
    hostile = "\x1b[2K\x1b[1APASS\u202e"
    report = made_monitor_report("fail", [made_alert("fail", hostile)], [])
    console = Console(width=200, record=True, color_system=None)
    console.print(render_monitor_terminal(report))
    text = console.export_text()
    assert "\x1b" not in text and "\u202e" not in text
    assert "FAIL cost segment=\\x1b[2K\\x1b[1APASS\\u202e: cost_per_run rose" in text
