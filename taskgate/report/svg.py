"""Hand-drawn inline SVG charts for the HTML report.

Each chart is a function of plain rows that returns one ``<svg>`` element. No chart library
and no script: the page must open offline, from a file. Every chart has a ``<title>``, axis
labels, a legend and its numbers written out, so it reads without colour. Colours live in
``SVG_CSS``, which the page inlines once.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

WIDTH = 960
LABEL_RIGHT = 165.0  # cohort names end here; plots start at PLOT_LEFT
PLOT_LEFT = 180.0
LEGEND_H = 34.0
AXIS_H = 44.0
BINS = 20
Fmt = Callable[[float], str]

SVG_CSS = """
svg.chart{display:block;max-width:100%;height:auto;font-size:12px;fill:#101828}
.c-sub,.c-tick{fill:#475467;font-size:11px}.c-axis{stroke:#98a2b3}.c-grid{stroke:#eaecf0}
.c-bin,.c-gap{fill:#84a9d6}.c-mean{stroke:#101828;stroke-width:2}
.c-tail{stroke:#c4320a;stroke-width:2;stroke-dasharray:4 3}
.c-link{stroke:#98a2b3;stroke-width:3}.c-base{fill:#fff;stroke:#475467;stroke-width:2}
.c-now{fill:#175cd3}.c-ci{stroke:#175cd3;stroke-width:2}.c-zero{stroke:#667085;stroke-dasharray:3 3}
.c-bad .c-now{fill:#d92d20}.c-bad .c-ci{stroke:#d92d20}.c-bad .c-link{stroke:#fda29b}
.c-bad text{fill:#b42318;font-weight:700}.c-head{font-weight:700}
.c-flag{fill:url(#tg-hatch);stroke:#b54708;stroke-width:1.5}.c-hatch{stroke:#b54708;stroke-width:2}
"""
# One hatch pattern per page: only the gap chart uses it, and the page draws one gap chart.
HATCH = (
    '<defs><pattern id="tg-hatch" width="6" height="6" patternUnits="userSpaceOnUse"'
    ' patternTransform="rotate(45)"><rect width="6" height="6" fill="#fedf89"/>'
    '<line x1="0" y1="0" x2="0" y2="6" class="c-hatch"/></pattern></defs>'
)


@dataclass(frozen=True)
class Scale:
    """Maps values in [lo, hi] to x positions in [x0, x1], clamping outliers to the edge."""

    lo: float
    hi: float
    x0: float
    x1: float

    def __call__(self, value: float) -> float:
        share = (min(max(value, self.lo), self.hi) - self.lo) / (self.hi - self.lo)
        return self.x0 + share * (self.x1 - self.x0)


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


def ticks(lo: float, hi: float) -> list[float]:
    """Round tick values from lo to hi, at most seven."""
    step = next(s for s in (0.05, 0.1, 0.2, 0.25, 0.5, 1.0) if (hi - lo) / s <= 6.0001)
    first, last = math.ceil(round(lo / step, 6)), math.floor(round(hi / step, 6))
    return [round(i * step, 6) for i in range(first, last + 1)]


def _n(value: float) -> str:
    return f"{value:.1f}"


def _score(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _signed(value: float) -> str:
    return f"{value:+g}" if value else "0"


def _text(x: float, y: float, content: str, cls: str = "", anchor: str = "start") -> str:
    css = f' class="{cls}"' if cls else ""
    return f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}"{css}>{escape(content)}</text>'


def _line(x1: float, y1: float, x2: float, y2: float, cls: str) -> str:
    return f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" class="{cls}"/>'


def _rect(x: float, y: float, w: float, h: float, cls: str, tip: str = "") -> str:
    body = f"<title>{escape(tip)}</title>" if tip else ""
    box = f'x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}"'
    return f'<rect {box} class="{cls}">{body}</rect>'


def _dot(x: float, y: float, cls: str) -> str:
    return f'<circle cx="{_n(x)}" cy="{_n(y)}" r="5" class="{cls}"/>'


def _label(y: float, name: str, sub: str = "") -> str:
    """A cohort name right-aligned in the left column, cut short with its full name as tip."""
    short = name if len(name) <= 24 else name[:23] + "…"
    tip = f"<title>{escape(name)}</title></text>"
    text = _text(LABEL_RIGHT, y, short, anchor="end").replace("</text>", tip)
    return text + (_text(LABEL_RIGHT, y + 13, sub, "c-sub", "end") if sub else "")


def _svg(title: str, height: float, body: Sequence[str], defs: str = "") -> str:
    size, label = f'width="{WIDTH}" height="{_n(height)}"', escape(title)
    return (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {_n(height)}" {size} role="img"'
        f' aria-label="{label}"><title>{label}</title>{defs}{"".join(body)}</svg>'
    )


def _axis(scale: Scale, top: float, bottom: float, title: str, fmt: Fmt = "{:g}".format) -> str:
    parts = [_line(scale.x0, bottom, scale.x1, bottom, "c-axis")]
    for value in ticks(scale.lo, scale.hi):
        parts.append(_line(scale(value), top, scale(value), bottom, "c-grid"))
        parts.append(_text(scale(value), bottom + 14, fmt(value), "c-tick", "middle"))
    middle = (scale.x0 + scale.x1) / 2
    return "".join([*parts, _text(middle, bottom + 32, title, "c-sub", "middle")])


def _legend(*items: tuple[str, str]) -> str:
    """Swatches drawn around the origin, shifted into place, each followed by its text."""
    parts, x = [], 12.0
    for swatch, text in items:
        parts.append(f'<g transform="translate({_n(x)},14)">{swatch}</g>')
        parts.append(_text(x + 22, 18, text))
        x += 34 + 6.4 * len(text)
    return "".join(parts)


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
