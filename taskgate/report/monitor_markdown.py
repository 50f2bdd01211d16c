"""The monitor's Markdown: an alert summary to post to a channel or an issue, with what
could not be judged and the judged window's numbers per cohort."""

from __future__ import annotations

from taskgate.model.monitor import Alert, CohortSeries, MonitorReport, WindowMetrics
from taskgate.report.markdown import escape

LEFT_ALIGNED = frozenset({"level", "cohort", "rule", "metric", "what"})


def table(columns: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    """A GFM table of escaped cells; numbers right-aligned."""
    rule = ("---" if name in LEFT_ALIGNED else "---:" for name in columns)
    lines = [f"| {' | '.join(columns)} |", f"|{'|'.join(rule)}|"]
    return lines + [f"| {' | '.join(row)} |" for row in rows]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _where(dimension: str | None, cohort: str | None) -> str:
    if dimension is None:
        return "-"
    return "all runs" if dimension == "all" else escape(f"{dimension}={cohort}")


def _value(value: float | None, fmt: str = ".3f") -> str:
    return "-" if value is None else format(value, fmt)


def headline(report: MonitorReport) -> str:
    fails = sum(alert.level == "fail" for alert in report.alerts)
    warns = len(report.alerts) - fails
    if report.status == "not_judged":
        return f"## taskgate monitor: NOT JUDGED ({report.why_not_judged()})"
    word = "FAIL" if report.status == "fail" else "PASS"
    return (
        f"## taskgate monitor: {word}, {_plural(fails, 'failing alert')}, "
        f"{_plural(warns, 'warning')}"
    )


def _alert_row(alert: Alert) -> tuple[str, ...]:
    return (
        alert.level,
        _where(alert.dimension, alert.cohort),
        escape(alert.rule),
        escape(alert.metric),
        _value(alert.observed, ".4g"),
        _value(alert.expected, ".4g"),
        escape(alert.message),
    )


def _newest(series: CohortSeries, judged: str) -> WindowMetrics | None:
    return next((w for w in series.windows if w.start == judged), None)


def _cohort_row(series: CohortSeries, metrics: WindowMetrics) -> tuple[str, ...]:
    return (
        _where(series.dimension, series.cohort),
        str(metrics.n),
        _value(metrics.final_step_rate, ".1%"),
        _value(metrics.pass_rate, ".1%"),
        _value(metrics.steps_p50, "d"),
        _value(metrics.steps_p90, "d"),
        _value(metrics.cost_per_run, ".4f"),
        _value(metrics.latency_p90_ms, ".0f"),
        _value(metrics.error_rate, ".1%"),
        _value(metrics.infrastructure_rate, ".1%"),
    )


def _cohort_lines(report: MonitorReport, judged: str) -> list[str]:
    rows = []
    for series in report.cohorts:
        metrics = _newest(series, judged)
        if metrics is not None:
            rows.append(_cohort_row(series, metrics))
    if not rows:
        return []
    columns = (
        "cohort",
        "runs",
        "final step",
        "pass",
        "steps p50",
        "steps p90",
        "cost/run",
        "latency p90 ms",
        "errors",
        "infrastructure",
    )
    return ["", f"### The judged window, {escape(judged)}", "", *table(columns, rows)]


def render_monitor_markdown(report: MonitorReport) -> bytes:
    lines = [headline(report), ""]
    if report.judged_window is not None:
        lines.append(
            f"The {report.window} window from {escape(report.judged_window)}, against the "
            f"{report.trailing} before it."
        )
    if report.alerts:
        columns = ("level", "cohort", "rule", "metric", "now", "trailing", "what")
        lines += ["", *table(columns, [_alert_row(alert) for alert in report.alerts])]
    elif report.judged_window is not None:
        lines += ["", "No alert."]
    if report.notices:
        lines += ["", "### Not judged, or judged with little power", ""]
        lines += [f"- {_where(n.dimension, n.cohort)}: {escape(n.message)}" for n in report.notices]
    if report.judged_window is not None:
        lines += _cohort_lines(report, report.judged_window)
    lines += ["", f"<sub>taskgate {escape(report.taskgate_version)}, config "]
    lines[-1] += f"{report.config_fingerprint}</sub>"
    return ("\n".join(lines) + "\n").encode("utf-8")
