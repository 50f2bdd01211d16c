"""The report's charts as inline SVG: score distributions, changes against the baseline,
mean against tail. They take plain rows, not the report, so they are easy to test."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from taskgate.report.svg import (
    AXIS_H,
    BINS,
    HATCH,
    LEGEND_H,
    PLOT_LEFT,
    Scale,
    _axis,
    _dot,
    _label,
    _legend,
    _line,
    _rect,
    _score,
    _signed,
    _svg,
    _text,
)


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
        _legend(
            (
                _rect(0, -5, 14, 10, "c-bin"),
                "runs per score bin (bar height: square root of count)",
            ),
            (_line(0, 0, 16, 0, "c-mean"), "mean"),
            (_line(0, 0, 16, 0, "c-tail"), "tail: mean of the worst 10%"),
        ),
        _axis(scale, LEGEND_H, bottom, f"{metric} score"),
    ]
    for i, row in enumerate(rows):
        top = LEGEND_H + i * row_h
        body += [_label(top + 23, row.label, f"n={sum(row.bins)}"), *_bins(row, scale, top + 46)]
        for value, cls in ((row.mean, "c-mean"), (row.tail, "c-tail")):
            if value is not None:
                body.append(_line(scale(value), top + 4, scale(value), top + row_h - 2, cls))
        body.append(_text(778, top + 22, f"mean {_score(row.mean)}"))
        body.append(_text(778, top + 37, f"tail {_score(row.tail)}", "c-sub"))
    return _svg(title, bottom + AXIS_H, body)


def _bins(row: Spread, scale: Scale, base: float, height: float = 40.0) -> list[str]:
    most, width, parts = max(row.bins, default=0), 1 / len(row.bins), []
    for i, count in enumerate(row.bins):
        if count:
            h = max(2.0, math.sqrt(count / most) * height)
            x0, x1 = scale(i * width), scale((i + 1) * width)
            tip = f"{row.label}: {count} run(s) scored {i * width:.2f} to {(i + 1) * width:.2f}"
            parts.append(_rect(x0 + 0.5, base - h, x1 - x0 - 1, h, "c-bin", tip))
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
        _legend(
            (_dot(6, 0, "c-base"), "baseline mean"),
            (_dot(6, 0, "c-now"), "current mean"),
            (f'<g class="c-bad">{_dot(6, 0, "c-now")}</g>', "named by a regression finding"),
            (_line(0, -6, 0, 6, "c-zero"), "no change"),
        ),
        _axis(left, LEGEND_H, bottom, f"{metric} mean"),
        _axis(right, LEGEND_H, bottom, "change, with 95% interval", _signed),
        _line(right(0.0), LEGEND_H, right(0.0), bottom, "c-zero"),
    ]
    for i, row in enumerate(rows):
        body.append(_change_row(row, LEGEND_H + (i + 0.5) * row_h, left, right))
    return _svg(title, bottom + AXIS_H, body)


def _change_row(row: Change, y: float, left: Scale, right: Scale) -> str:
    parts = [_label(y + 4, row.label)]
    if row.base is not None and row.now is not None:
        parts.append(_line(left(row.base), y, left(row.now), y, "c-link"))
    parts += [
        _dot(left(v), y, c) for v, c in ((row.base, "c-base"), (row.now, "c-now")) if v is not None
    ]
    if row.ci is not None and row.delta is not None:
        x0, x1 = right(row.ci[0]), right(row.ci[1])
        parts += [
            _line(x0, y, x1, y, "c-ci"),
            *(_line(x, y - 5, x, y + 5, "c-ci") for x in (x0, x1)),
        ]
        parts.append(_rect(right(row.delta) - 4, y - 4, 8, 8, "c-now"))
        verdict = " regressed" if row.regressed else ""
        parts.append(_text(812, y + 4, f"{row.delta:+.3f}{verdict}"))
    else:
        parts.append(
            _text(812, y + 4, "new cohort" if row.base is None else "no change computed", "c-sub")
        )
    return f'<g class="{"c-bad" if row.regressed else "c-row"}">{"".join(parts)}</g>'


def gap_chart(title: str, metric: str, rows: Sequence[Gap]) -> str:
    """Per cohort, a bar from the tail to the mean: its length is the gap. Hatched when flagged."""
    scale, y, group, body = Scale(0.0, 1.0, PLOT_LEFT, 640.0), LEGEND_H, "", []
    for row in rows:
        if row.group != group:
            group, y = row.group, y + 26
            body.append(_text(8, y - 8, row.group, "c-head"))
        body.append(_gap_row(row, y, scale))
        y += 24
    legend = _legend(
        (_rect(0, -5, 16, 10, "c-gap"), "from the tail (mean of the worst 10%) to the mean"),
        (_rect(0, -5, 16, 10, "c-flag"), "gap over the tail_gap limit"),
    )
    axis = _axis(scale, LEGEND_H, y, f"{metric} score")
    return _svg(title, y + AXIS_H, [legend, axis, *body], HATCH)


def _gap_row(row: Gap, y: float, scale: Scale) -> str:
    parts = [_label(y + 16, row.label)]
    if row.mean is None or row.tail is None:
        return "".join([*parts, _text(656, y + 16, "no scores", "c-sub")])
    x0, x1 = scale(row.tail), scale(row.mean)
    parts.append(_rect(x0, y + 6, max(x1 - x0, 2.0), 12, "c-flag" if row.flagged else "c-gap"))
    note = f"gap {row.mean - row.tail:.3f} (tail {row.tail:.3f}, mean {row.mean:.3f})"
    parts.append(_text(656, y + 16, note + (" over limit" if row.flagged else "")))
    return "".join(parts)
