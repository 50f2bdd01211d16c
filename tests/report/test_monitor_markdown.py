"""The monitor's Markdown alert summary: headline, alert rows, notices, the judged window."""

from __future__ import annotations

from taskgate.model.monitor import MonitorReport
from taskgate.report.monitor_markdown import headline, render_monitor_markdown

ESCAPED = "segment=&lt;script&gt;alert('x')&lt;/script&gt; \\| \\`tick\\` *star*"


def test_the_summary_of_a_failing_window(monitor_failing: MonitorReport) -> None:
    lines = render_monitor_markdown(monitor_failing).decode().splitlines()
    assert lines[:6] == [
        "## taskgate monitor: FAIL, 6 failing alerts, 0 warnings",
        "",
        "The 1d window from 2026-11-09T00:00:00Z, against the 7 before it.",
        "",
        "| level | cohort | rule | metric | now | trailing | what |",
        "|---|---|---|---|---:|---:|---|",
    ]
    assert lines[6] == (
        "| fail | all runs | final_step | final_step_rate | 0.5 | 1 | final_step_rate fell to "
        "0.500 from 1.000 over the 7 trailing windows: 50.0 points, beyond 5.0 (p &lt; 0.0001) |"
    )
    assert lines[9].startswith(f"| fail | {ESCAPED} | final_step | final_step_rate | 0 | 1 | ")
    assert "### Not judged, or judged with little power" in lines
    assert f"| {ESCAPED} | 30 | 0.0% | 0.0% | 4 | 5 | 0.0100 | 2996 | 0.0% | 0.0% |" in lines


def test_no_cell_breaks_out_of_its_table(monitor_failing: MonitorReport) -> None:
    text = render_monitor_markdown(monitor_failing).decode()
    assert "<script" not in text
    for line in text.splitlines():
        if line.startswith("| fail |"):  # seven cells: the pipe of the cohort is escaped
            assert line.replace("\\|", "").count("|") == 8


def test_headlines_say_not_judged(monitor_failing: MonitorReport) -> None:
    early = monitor_failing.model_copy(
        update={"judged_window": None, "status": "not_judged", "alerts": [], "exit_code": 0}
    )
    assert headline(early) == (
        "## taskgate monitor: NOT JUDGED (no 1d window is complete yet; nothing was compared)"
    )
    unjudged = monitor_failing.model_copy(update={"status": "not_judged", "alerts": []})
    assert headline(unjudged) == (
        "## taskgate monitor: NOT JUDGED (no cohort of the 1d window from 2026-11-09T00:00:00Z "
        "had the runs and the trailing windows to be compared (see the notices))"
    )
    passed = monitor_failing.model_copy(update={"status": "pass", "alerts": []})
    assert headline(passed) == "## taskgate monitor: PASS, 0 failing alerts, 0 warnings"
    assert "\nNo alert.\n" in render_monitor_markdown(passed).decode()
