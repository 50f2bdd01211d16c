"""The monitor's Markdown alert summary: headline, alert rows, notices, the judged window."""

from __future__ import annotations

from taskgate.model.monitor import Alert, MonitorReport, Notice
from taskgate.report.monitor_markdown import headline, render_monitor_markdown
from tests.report.conftest import DAY_9, HOSTILE, made_monitor_report

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
        update={"judged_window": None, "status": "not_judged", "alerts": [], "exit_code": 1}
    )
    assert headline(early) == (
        "## taskgate monitor: NOT JUDGED (no 1d window is complete yet; nothing was compared)"
    )
    unjudged = monitor_failing.model_copy(update={"status": "not_judged", "alerts": []})
    assert headline(unjudged) == (
        "## taskgate monitor: NOT JUDGED (no runs in the 1d window from 2026-11-09T00:00:00Z "
        "or the 7 before it; nothing was compared (has the sample stopped?))"
    )
    small = Notice(kind="small_window", window=DAY_9, dimension="all", cohort="all", message="")
    said = unjudged.model_copy(update={"notices": [*unjudged.notices, small]})
    assert headline(said) == (
        "## taskgate monitor: NOT JUDGED (no cohort of the 1d window from 2026-11-09T00:00:00Z "
        "had the runs and the trailing windows to be compared (see the notices))"
    )
    passed = monitor_failing.model_copy(update={"status": "pass", "alerts": []})
    assert headline(passed) == "## taskgate monitor: PASS, 0 failing alerts, 0 warnings"
    assert "\nNo alert.\n" in render_monitor_markdown(passed).decode()


OUTAGE = Alert(
    rule="infrastructure",
    level="fail",
    window=DAY_9,
    dimension="all",
    cohort="all",
    metric="infrastructure_rate",
    observed=0.25,
    expected=None,  # an outage needs no history
    limit=0.05,
    message="10 of 40 runs (25%) failed for infrastructure reasons, beyond 5%",
)
SLOWER = Alert(
    rule="latency",
    level="warn",
    window=DAY_9,
    dimension="region|eu",
    cohort="`west`",
    metric="latency_p90_ms",
    observed=4567.891,
    expected=3000.0,
    limit=0.5,
    message="latency_p90_ms rose to 4567.89 from 3000 over the 7 trailing windows (+52%)",
)


def test_rows_of_an_outage_and_a_warning() -> None:
    lines = (
        render_monitor_markdown(made_monitor_report("fail", [OUTAGE, SLOWER], []))
        .decode()
        .splitlines()
    )
    assert lines == [
        "## taskgate monitor: FAIL, 1 failing alert, 1 warning",
        "",
        "The 1d window from 2026-11-09T00:00:00Z, against the 7 before it.",
        "",
        "| level | cohort | rule | metric | now | trailing | what |",
        "|---|---|---|---|---:|---:|---|",
        "| fail | all runs | infrastructure | infrastructure_rate | 0.25 | - | 10 of 40 runs "
        "(25%) failed for infrastructure reasons, beyond 5% |",
        "| warn | region\\|eu=\\`west\\` | latency | latency_p90_ms | 4568 | 3000 | "
        "latency_p90_ms rose to 4567.89 from 3000 over the 7 trailing windows (+52%) |",
        "",
        "<sub>taskgate 0.1.0, config sha256:0</sub>",
    ]


def test_notices_name_their_cohort_escaped() -> None:
    notices = [
        Notice(
            kind="small_window",
            window=DAY_9,
            dimension="segment",
            cohort=HOSTILE,
            message="3 runs to judge the agent on in the window, fewer than monitor.min_runs "
            "(20): not judged",
        ),
        Notice(
            kind="config_changed",
            window=None,
            dimension=None,
            cohort=None,
            message="windows in the state were summarised under <another> config",
        ),
    ]
    text = render_monitor_markdown(made_monitor_report("pass", [], notices)).decode()
    assert text.splitlines()[:9] == [
        "## taskgate monitor: PASS, 0 failing alerts, 0 warnings",
        "",
        "The 1d window from 2026-11-09T00:00:00Z, against the 7 before it.",
        "",
        "No alert.",
        "",
        "### Not judged, or judged with little power",
        "",
        f"- {ESCAPED}: 3 runs to judge the agent on in the window, fewer than "
        "monitor.min_runs (20): not judged",
    ]
    assert "summarised under &lt;another&gt; config" in text
    assert "<script" not in text and "<another>" not in text
