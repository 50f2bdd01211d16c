"""The report's charts as inline SVG: score distributions, changes against the baseline,
mean against tail. They take plain rows, not the report, so they are easy to test."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from taskgate.report import svg
from taskgate.report.svg import AXIS_H, BINS, HATCH, LEGEND_H, PLOT_LEFT, Scale


@dataclass(frozen=True)
class Spread:
    """One cohort's scores as counts per equal-width bin over [0, 1], with mean and tail."""

    label: str
    bins: tuple[int, ...]
    mean: float | None
    tail: float | None


@dataclass(frozen=True)
class Change:
    """One cohort's mean against the baseline, and the change with its 95% interval."""

    label: str
    base: float | None
    now: float | None
    delta: float | None
    ci: tuple[float, float] | None
    regressed: bool


@dataclass(frozen=True)
class Gap:
    """One cohort's mean and tail; a new ``group`` (dimension) starts with a heading."""

    label: str
    group: str
    mean: float | None
    tail: float | None
    flagged: bool


def bin_scores(scores: Sequence[float], bins: int = BINS) -> tuple[int, ...]:
    """Counts per bin; bin i holds [i/bins, (i+1)/bins), and 1.0 goes in the last."""
    counts = [0] * bins
    for score in scores:
        counts[min(int(score * bins), bins - 1)] += 1
    return tuple(counts)


def distribution_chart(title: str, metric: str, rows: Sequence[Spread]) -> str:
    """Per cohort, a histogram of scores over [0, 1] with its mean and tail marked."""
    row_h, scale = 50.0, Scale(0.0, 1.0, PLOT_LEFT, 760.0)
    bottom = LEGEND_H + row_h * len(rows)
    body = [
        svg.legend(
            (
                svg.rect(0, -5, 14, 10, "c-bin"),
                "runs per score bin (bar height: square root of count)",
            ),
            (svg.line(0, 0, 16, 0, "c-mean"), "mean"),
            (svg.line(0, 0, 16, 0, "c-tail"), "tail: mean of the worst 10%"),
        ),
        svg.axis(scale, LEGEND_H, bottom, f"{metric} score"),
    ]
    for i, row in enumerate(rows):
        top = LEGEND_H + i * row_h
        body += [svg.label(top + 23, row.label, f"n={sum(row.bins)}"), *_bins(row, scale, top + 46)]
        for value, cls in ((row.mean, "c-mean"), (row.tail, "c-tail")):
            if value is not None:
                body.append(svg.line(scale(value), top + 4, scale(value), top + row_h - 2, cls))
        body.append(svg.text(778, top + 22, f"mean {svg.score(row.mean)}"))
        body.append(svg.text(778, top + 37, f"tail {svg.score(row.tail)}", "c-sub"))
    return svg.document(title, bottom + AXIS_H, body)


def _bins(row: Spread, scale: Scale, base: float, height: float = 40.0) -> list[str]:
    most, width, parts = max(row.bins, default=0), 1 / len(row.bins), []
    for i, count in enumerate(row.bins):
        if count:
            h = max(2.0, math.sqrt(count / most) * height)
            x0, x1 = scale(i * width), scale((i + 1) * width)
            tip = f"{row.label}: {count} run(s) scored {i * width:.2f} to {(i + 1) * width:.2f}"
            parts.append(svg.rect(x0 + 0.5, base - h, x1 - x0 - 1, h, "c-bin", tip))
    return parts


def _round_out(lo: float, hi: float, step: float) -> tuple[float, float]:
    return round(math.floor(lo / step) * step, 6), round(math.ceil(hi / step) * step, 6)


def change_chart(title: str, metric: str, rows: Sequence[Change]) -> str:
    """Baseline mean to current mean per cohort and, beside it, the change with its interval."""
    row_h = 34.0
    means = [v for r in rows for v in (r.base, r.now) if v is not None] or [0.0, 1.0]
    lo, hi = _round_out(min(means) - 0.02, max(means) + 0.02, 0.1)
    left = Scale(max(lo, 0.0), min(hi, 1.0), PLOT_LEFT, 520.0)
    reach = max([abs(v) for r in rows if r.ci for v in (*r.ci, r.delta or 0.0)] + [0.05])
    reach = _round_out(0.0, reach, 0.05)[1]
    right = Scale(-reach, reach, 570.0, 800.0)
    bottom = LEGEND_H + row_h * len(rows)
    body = [
        svg.legend(
            (svg.dot(6, 0, "c-base"), "baseline mean"),
            (svg.dot(6, 0, "c-now"), "current mean"),
            (f'<g class="c-bad">{svg.dot(6, 0, "c-now")}</g>', "named by a regression finding"),
            (svg.line(0, -6, 0, 6, "c-zero"), "no change"),
        ),
        svg.axis(left, LEGEND_H, bottom, f"{metric} mean"),
        svg.axis(right, LEGEND_H, bottom, "change, with 95% interval", svg.signed),
        svg.line(right(0.0), LEGEND_H, right(0.0), bottom, "c-zero"),
    ]
    for i, row in enumerate(rows):
        body.append(_change_row(row, LEGEND_H + (i + 0.5) * row_h, left, right))
    return svg.document(title, bottom + AXIS_H, body)


def _change_row(row: Change, y: float, left: Scale, right: Scale) -> str:
    parts = [svg.label(y + 4, row.label)]
    if row.base is not None and row.now is not None:
        parts.append(svg.line(left(row.base), y, left(row.now), y, "c-link"))
    parts += [
        svg.dot(left(v), y, c)
        for v, c in ((row.base, "c-base"), (row.now, "c-now"))
        if v is not None
    ]
    if row.ci is not None and row.delta is not None:
        x0, x1 = right(row.ci[0]), right(row.ci[1])
        parts += [
            svg.line(x0, y, x1, y, "c-ci"),
            *(svg.line(x, y - 5, x, y + 5, "c-ci") for x in (x0, x1)),
        ]
        parts.append(svg.rect(right(row.delta) - 4, y - 4, 8, 8, "c-now"))
        verdict = " regressed" if row.regressed else ""
        parts.append(svg.text(812, y + 4, f"{row.delta:+.3f}{verdict}"))
    else:
        parts.append(
            svg.text(
                812, y + 4, "new cohort" if row.base is None else "no change computed", "c-sub"
            )
        )
    return f'<g class="{"c-bad" if row.regressed else "c-row"}">{"".join(parts)}</g>'


def gap_chart(title: str, metric: str, rows: Sequence[Gap]) -> str:
    """Per cohort, a bar from the tail to the mean: its length is the gap. Hatched when flagged."""
    scale, y, group, body = Scale(0.0, 1.0, PLOT_LEFT, 640.0), LEGEND_H, "", []
    for row in rows:
        if row.group != group:
            group, y = row.group, y + 26
            body.append(svg.text(8, y - 8, row.group, "c-head"))
        body.append(_gap_row(row, y, scale))
        y += 24
    legend = svg.legend(
        (svg.rect(0, -5, 16, 10, "c-gap"), "from the tail (mean of the worst 10%) to the mean"),
        (svg.rect(0, -5, 16, 10, "c-flag"), "gap over the tail_gap limit"),
    )
    axis = svg.axis(scale, LEGEND_H, y, f"{metric} score")
    return svg.document(title, y + AXIS_H, [legend, axis, *body], HATCH)


def _gap_row(row: Gap, y: float, scale: Scale) -> str:
    parts = [svg.label(y + 16, row.label)]
    if row.mean is None or row.tail is None:
        return "".join([*parts, svg.text(656, y + 16, "no scores", "c-sub")])
    x0, x1 = scale(row.tail), scale(row.mean)
    parts.append(svg.rect(x0, y + 6, max(x1 - x0, 2.0), 12, "c-flag" if row.flagged else "c-gap"))
    note = f"gap {row.mean - row.tail:.3f} (tail {row.tail:.3f}, mean {row.mean:.3f})"
    parts.append(svg.text(656, y + 16, note + (" over limit" if row.flagged else "")))
    return "".join(parts)
