"""The monitor's terminal report: each cohort over its recent windows as sparklines, then
the alerts, the notices and a status line. Levels are written as words, so it reads
without colour."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from taskgate.model.monitor import Alert, CohortSeries, MonitorReport, Notice, WindowMetrics
from taskgate.printable import printable

BARS = "▁▂▃▄▅▆▇█"
LEVEL_STYLE = {"fail": "bold red", "warn": "yellow"}
RECENT = 8
"""Windows a sparkline shows: the judged one and the seven before it, by default."""

Read = Callable[[WindowMetrics], float | None]
COLUMNS: tuple[tuple[str, Read, str], ...] = (
    ("runs", lambda m: m.n, "d"),
    ("final", lambda m: m.final_step_rate, ".0%"),
    ("pass", lambda m: m.pass_rate, ".0%"),
    ("step p50", lambda m: m.steps_p50, "d"),
    ("cost", lambda m: m.cost_per_run, ".4f"),
    ("errors", lambda m: m.error_rate, ".0%"),
)
"""The key metrics, each a sparkline over the recent windows and its newest value."""


def sparkline(values: Sequence[float | None]) -> str:
    """One bar per value, scaled from the lowest to the highest; a gap where a window has
    no value; the middle bar for a flat series."""
    known = [value for value in values if value is not None]
    if not known:
        return " " * len(values)
    low, high = min(known), max(known)
    bars = []
    for value in values:
        if value is None:
            bars.append(" ")
        elif high == low:
            bars.append(BARS[3])
        else:
            bars.append(BARS[round((value - low) / (high - low) * (len(BARS) - 1))])
    return "".join(bars)


def _newest(value: float | None, fmt: str) -> str:
    if value is None:
        return "-"
    return format(round(value) if fmt == "d" else value, fmt)


def _recent(series: CohortSeries, judged: str | None) -> list[WindowMetrics]:
    windows = [w for w in series.windows if judged is None or w.start <= judged]
    return windows[-RECENT:]


def _label(dimension: str, cohort: str) -> str:
    return "all runs" if dimension == "all" else f"{dimension}={cohort}"


def series_table(report: MonitorReport) -> Table:
    # Each cell is a sparkline over its newest value, so the table fits 80 columns.
    title = f"{report.window} windows up to {report.judged_window or 'now'}"
    table = Table(title=title, box=box.SIMPLE_HEAD, padding=(0, 1), title_justify="left")
    labels = [_label(series.dimension, series.cohort) for series in report.cohorts]
    table.add_column("cohort", no_wrap=True, min_width=min(18, max(map(len, labels), default=6)))
    for name, _, _ in COLUMNS:
        table.add_column(name, no_wrap=True, min_width=RECENT)
    for series in report.cohorts:
        recent = _recent(series, report.judged_window)
        if not recent:
            continue
        cells = []
        for _, read, fmt in COLUMNS:
            values = [read(window) for window in recent]
            cells.append(f"{sparkline(values)}\n{_newest(values[-1], fmt)}")
        table.add_row(Text(printable(_label(series.dimension, series.cohort))), *cells)
    return table


def alert_line(alert: Alert) -> Text:
    text = Text(alert.level.upper(), style=LEVEL_STYLE.get(alert.level, ""))
    text.append(f" {alert.rule} {printable(_label(alert.dimension, alert.cohort))}: ")
    text.append(printable(alert.message))
    return text


def notice_line(notice: Notice) -> Text:
    where = "" if notice.dimension is None else f" {_label(notice.dimension, notice.cohort or '')}"
    return Text(f"note{printable(where)}: {printable(notice.message)}", style="dim")


def status_line(report: MonitorReport) -> Text:
    fails = sum(alert.level == "fail" for alert in report.alerts)
    warns = len(report.alerts) - fails
    if report.status == "not_judged":
        text = Text("NOT JUDGED", style="bold yellow")
        text.append(f": {report.why_not_judged()}")
        return text
    if report.status == "fail":
        text = Text("FAIL", style="bold red")
        text.append(f": {fails} alert{'s' if fails != 1 else ''} failed")
    else:
        unjudged = sum(n.kind in ("small_window", "short_history") for n in report.notices)
        text = Text("PASS", style="bold yellow" if unjudged else "bold green")
        text.append(": no alert failed")
    text.append(f", {warns} warning{'s' if warns != 1 else ''}")
    text.append(f" in the {report.window} window from {report.judged_window}")
    if report.notices:
        count = len(report.notices)
        text.append(f"; {count} notice{'s' if count != 1 else ''} (said above)")
    return text


def _sections(report: MonitorReport) -> Iterator[RenderableType]:
    for line in report.inputs:
        yield Text(printable(line), style="dim")
    if report.cohorts:
        yield series_table(report)
    yield from (alert_line(alert) for alert in report.alerts)
    yield from (notice_line(notice) for notice in report.notices)
    yield status_line(report)


def render_monitor_terminal(report: MonitorReport) -> RenderableType:
    return Group(*_sections(report))


def render_monitor_summary(report: MonitorReport) -> RenderableType:
    """What is printed when the report goes to files: the alerts and the status."""
    lines = [alert_line(alert) for alert in report.alerts]
    return Group(*lines, status_line(report))
