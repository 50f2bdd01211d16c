"""The monitor's terminal report: sparklines, the status line, the table."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from taskgate.model.monitor import MonitorReport
from taskgate.report.monitor_terminal import (
    BARS,
    render_monitor_terminal,
    sparkline,
    status_line,
)


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
