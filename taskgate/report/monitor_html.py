"""The monitor's HTML: one self-contained page with the alerts, what could not be judged,
and a time-series chart per key metric, one line per cohort.

Hand-drawn SVG like the report's: no script, no chart library, opens offline. Each line
is labelled with its cohort at its end and each point carries its value as a tooltip, so
the charts read without colour; the judged window is marked and the windows an alert is
about are ringed.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from taskgate.model.monitor import Alert, CohortSeries, MonitorReport, WindowMetrics
from taskgate.printable import html_text as escape
from taskgate.report.html import CSS
from taskgate.report.svg import SVG_CSS, document, line, text

LEFT, RIGHT, TOP, BOTTOM = 64.0, 790.0, 30.0, 200.0
HEIGHT = 244.0
PALETTE = ("#175cd3", "#c4320a", "#067647", "#6941c6", "#b54708", "#0e9384", "#c11574", "#475467")
DASHES = ("", "6 3", "2 3", "8 3 2 3")
MONITOR_CSS = """
.m-line{fill:none;stroke-width:2}.m-judged{stroke:#98a2b3;stroke-dasharray:4 3}
.m-alert{fill:none;stroke:#d92d20;stroke-width:2.5}.banner.note{background:#b54708}
"""

Read = Callable[[WindowMetrics], float | None]


@dataclass(frozen=True)
class Chart:
    title: str
    read: Read
    fmt: str
    metrics: frozenset[str]
    """The alert metrics this chart shows."""
    share: bool = True
    """A value between 0 and 1: the axis stays within them."""


COST, LATENCY = frozenset({"cost_per_run"}), frozenset({"latency_p90_ms"})
CHARTS = (
    Chart("Final step reached", lambda m: m.final_step_rate, ".1%", frozenset({"final_step_rate"})),
    Chart("Pass rate (runs with criteria)", lambda m: m.pass_rate, ".1%", frozenset({"pass_rate"})),
    Chart(
        "task_completion mean",
        lambda m: m.scores["task_completion"].mean if "task_completion" in m.scores else None,
        ".3f",
        frozenset({"task_completion"}),
    ),
    Chart(
        "task_completion tail (mean of the worst 10%)",
        lambda m: m.scores["task_completion"].tail if "task_completion" in m.scores else None,
        ".3f",
        frozenset({"task_completion.tail"}),
    ),
    Chart("Steps p50", lambda m: m.steps_p50, ".0f", frozenset({"steps_p50"}), share=False),
    Chart("Steps p90", lambda m: m.steps_p90, ".0f", frozenset({"steps_p90"}), share=False),
    Chart("Cost per run (USD)", lambda m: m.cost_per_run, ".4f", COST, share=False),
    Chart("Latency p90 (ms)", lambda m: m.latency_p90_ms, ".0f", LATENCY, share=False),
    Chart("Error rate (agent)", lambda m: m.error_rate, ".1%", frozenset({"error_rate"})),
    Chart(
        "Infrastructure failures",
        lambda m: m.infrastructure_rate,
        ".1%",
        frozenset({"infrastructure_rate"}),
    ),
    Chart("Runs", lambda m: m.n, ".0f", frozenset(), share=False),
)


def nice_ticks(low: float, high: float, most: int = 6) -> list[float]:
    """Round values from at or below ``low`` to at or above ``high``, at most ``most``+1;
    a flat series gets some room either side."""
    if high <= low:
        pad = abs(low) * 0.1 or 1.0
        low, high = low - pad, high + pad
    raw = (high - low) / most
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(low / step + 1e-9)
    last = math.ceil(high / step - 1e-9)
    return [round(i * step, 12) for i in range(first, last + 1)]


def _label(dimension: str, cohort: str) -> str:
    return "all runs" if dimension == "all" else f"{dimension}={cohort}"


def _number(value: float, fmt: str) -> str:
    return format(value, fmt)


def _chart(
    chart: Chart, report: MonitorReport, starts: list[str], ringed: set[tuple[str, str, str]]
) -> str | None:
    lines = []
    for series in report.cohorts:
        points = [(w.start, chart.read(w)) for w in series.windows]
        known = [(start, value) for start, value in points if value is not None]
        if known:
            lines.append((series, known))
    if not lines:
        return None
    values = [value for _, known in lines for _, value in known]
    ticks = nice_ticks(min(values), max(values))
    if chart.share:
        ticks = [t for t in ticks if 0 <= t <= 1] or [0.0, 1.0]
        if len(ticks) == 1:
            ticks = [0.0, 1.0]
    low, high = ticks[0], ticks[-1]
    span = max(len(starts) - 1, 1)

    def x(start: str) -> float:
        return LEFT + starts.index(start) / span * (RIGHT - LEFT)

    def y(value: float) -> float:
        value = min(max(value, low), high)
        return BOTTOM - (value - low) / (high - low) * (BOTTOM - TOP)

    body = [text(LEFT, 16, chart.title, "c-head")]
    for tick in ticks:
        body.append(line(LEFT, y(tick), RIGHT, y(tick), "c-grid"))
        shown = f"{tick:g}" if chart.fmt == ".0f" else _number(tick, chart.fmt)
        body.append(text(LEFT - 6, y(tick) + 4, shown, "c-tick", "end"))
    body.append(line(LEFT, BOTTOM, RIGHT, BOTTOM, "c-axis"))
    every = max(1, math.ceil(len(starts) / 8))
    last = len(starts) - 1
    for index, start in enumerate(starts):
        # The last window is always labelled; a regular label too close before it is not.
        if (index % every == 0 and last - index >= every / 2) or index == last:
            caption = _tick(start, report.window)
            body.append(text(x(start), BOTTOM + 16, caption, "c-tick", "middle"))
    if report.judged_window in starts:
        judged = x(report.judged_window or "")
        body.append(line(judged, TOP, judged, BOTTOM, "m-judged"))
        body.append(text(judged, TOP - 4, "judged", "c-tick", "middle"))
    ends = _spread([y(known[-1][1]) for _, known in lines])
    for index, (series, known) in enumerate(lines):
        body.append(_polyline(chart, series, known, index, (x, y, ends[index]), ringed))
    body.append(text(LEFT, BOTTOM + 36, "window start (UTC)", "c-sub"))
    return document(chart.title, HEIGHT, body)


def _polyline(
    chart: Chart,
    series: CohortSeries,
    known: list[tuple[str, float]],
    index: int,
    place: tuple[Callable[[str], float], Callable[[float], float], float],
    ringed: set[tuple[str, str, str]],
) -> str:
    """One cohort's line, its points with their values as tooltips, its name at its end
    (at ``place``'s height, moved off the other names)."""
    x, y, end_y = place
    colour = PALETTE[index % len(PALETTE)]
    dash = DASHES[(index // len(PALETTE)) % len(DASHES)]
    name = _label(series.dimension, series.cohort)
    coords = " ".join(f"{x(start):.1f},{y(value):.1f}" for start, value in known)
    dashed = f' stroke-dasharray="{dash}"' if dash else ""
    parts = [f'<g><polyline points="{coords}" class="m-line" stroke="{colour}"{dashed}/>']
    for start, value in known:
        tip = f"{name}, {start}: {_number(value, chart.fmt)}"
        parts.append(
            f'<circle cx="{x(start):.1f}" cy="{y(value):.1f}" r="3" fill="{colour}">'
            f"<title>{escape(tip)}</title></circle>"
        )
        if any((start, series.dimension, series.cohort) == (w, d, c) for w, d, c in ringed):
            parts.append(f'<circle cx="{x(start):.1f}" cy="{y(value):.1f}" r="8" class="m-alert"/>')
    end_start, end_value = known[-1]
    caption = f"{name} {_number(end_value, chart.fmt)}"
    parts.append(text(x(end_start) + 10, end_y + 4, caption))
    return "".join(parts) + "</g>"


def _spread(heights: list[float], gap: float = 13.0) -> list[float]:
    """The heights moved apart, least first, so that labels drawn there do not overlap."""
    order = sorted(range(len(heights)), key=lambda i: heights[i])
    placed = list(heights)
    for previous, current in itertools.pairwise(order):
        placed[current] = max(placed[current], placed[previous] + gap)
    return placed


def _tick(start: str, window: str) -> str:
    """A window's start as an axis shows it: the day, and the hour for windows under a day."""
    return start[:10] if window in ("1d", "7d") else f"{start[5:10]} {start[11:13]}h"


def _ringed(report: MonitorReport, chart: Chart) -> set[tuple[str, str, str]]:
    return {(a.window, a.dimension, a.cohort) for a in report.alerts if a.metric in chart.metrics}


def _banner(report: MonitorReport) -> str:
    fails = sum(alert.level == "fail" for alert in report.alerts)
    warns = len(report.alerts) - fails
    if report.status == "not_judged":
        word, cls = "NOT JUDGED", "note"
        headline = report.why_not_judged()
    else:
        word, cls = ("FAIL", "fail") if report.status == "fail" else ("PASS", "pass")
        headline = (
            f"{fails} failing alert{'s' if fails != 1 else ''}, {warns} "
            f"warning{'s' if warns != 1 else ''} in the {report.window} window from "
            f"{report.judged_window}, against the {report.trailing} before it"
        )
    count = len(report.notices)
    notices = f"<p>{count} notice{'' if count == 1 else 's'}: see below</p>" if count else ""
    return (
        f'<section class="banner {cls}"><p class="word">{word}</p><div>'
        f'<p class="headline">{escape(headline)}</p>{notices}</div></section>'
    )


def _alert_row(alert: Alert) -> str:
    expected = "-" if alert.expected is None else f"{alert.expected:.4g}"
    cells = [
        f'<td class="level-{alert.level}">{escape(alert.level)}</td>',
        f"<td>{escape(_label(alert.dimension, alert.cohort))}</td>",
        f"<td>{escape(alert.rule)}</td>",
        f'<td class="num">{alert.observed:.4g}</td>',
        f'<td class="num">{expected}</td>',
        f"<td>{escape(alert.message)}</td>",
    ]
    return f"<tr>{''.join(cells)}</tr>"


def _alerts(report: MonitorReport) -> str:
    if not report.alerts:
        body = '<p class="muted">No alert.</p>'
    else:
        head = "".join(
            f"<th>{name}</th>" for name in ("level", "cohort", "rule", "now", "trailing", "what")
        )
        rows = "".join(_alert_row(alert) for alert in report.alerts)
        body = f'<div class="scroll"><table><tr>{head}</tr>{rows}</table></div>'
    notices = ""
    if report.notices:
        items = "".join(
            f"<li>{escape(_label(n.dimension, n.cohort or '') if n.dimension else 'state')}: "
            f"{escape(n.message)}</li>"
            for n in report.notices
        )
        notices = f"<h3>Not judged, or judged with little power</h3><ul>{items}</ul>"
    return f'<section id="alerts"><h2>Alerts</h2>{body}{notices}</section>'


def _starts(cohorts: Sequence[CohortSeries]) -> list[str]:
    return sorted({window.start for series in cohorts for window in series.windows})


def render_monitor_html(report: MonitorReport) -> bytes:
    """The monitor's report as one self-contained HTML5 page, UTF-8."""
    starts = _starts(report.cohorts)
    charts = [_chart(chart, report, starts, _ringed(report, chart)) for chart in CHARTS]
    figures = "".join(f"<figure>{svg}</figure>" for svg in charts if svg is not None)
    word = "NOT JUDGED" if report.status == "not_judged" else report.status.upper()
    title = escape(f"taskgate monitor {word}: {report.window} windows")
    page = [
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title><style>{CSS}{SVG_CSS}{MONITOR_CSS}</style></head><body><main>",
        _banner(report),
        _alerts(report),
        f'<section id="charts"><h2>Time series</h2>{figures or "<p>No windows.</p>"}</section>',
        f"<footer>taskgate {escape(report.taskgate_version)} · monitor report version "
        f"{report.monitor_report_version} · config {report.config_fingerprint}</footer>",
        "</main></body></html>\n",
    ]
    return "".join(page).encode("utf-8")
