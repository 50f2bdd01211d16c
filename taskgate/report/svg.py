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

from taskgate.printable import html_text as escape

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


def ticks(lo: float, hi: float) -> list[float]:
    """Round tick values from lo to hi, at most seven."""
    step = next(s for s in (0.05, 0.1, 0.2, 0.25, 0.5, 1.0) if (hi - lo) / s <= 6.0001)
    first, last = math.ceil(round(lo / step, 6)), math.floor(round(hi / step, 6))
    return [round(i * step, 6) for i in range(first, last + 1)]


def _n(value: float) -> str:
    return f"{value:.1f}"


def score(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def signed(value: float) -> str:
    return f"{value:+g}" if value else "0"


def text(x: float, y: float, content: str, cls: str = "", anchor: str = "start") -> str:
    css = f' class="{cls}"' if cls else ""
    return f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}"{css}>{escape(content)}</text>'


def line(x1: float, y1: float, x2: float, y2: float, cls: str) -> str:
    return f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" class="{cls}"/>'


def rect(x: float, y: float, w: float, h: float, cls: str, tip: str = "") -> str:
    body = f"<title>{escape(tip)}</title>" if tip else ""
    box = f'x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}"'
    return f'<rect {box} class="{cls}">{body}</rect>'


def dot(x: float, y: float, cls: str) -> str:
    return f'<circle cx="{_n(x)}" cy="{_n(y)}" r="5" class="{cls}"/>'


def label(y: float, name: str, sub: str = "") -> str:
    """A cohort name right-aligned in the left column, cut short with its full name as tip."""
    short = name if len(name) <= 24 else name[:23] + "…"
    tip = f"<title>{escape(name)}</title></text>"
    drawn = text(LABEL_RIGHT, y, short, anchor="end").replace("</text>", tip)
    return drawn + (text(LABEL_RIGHT, y + 13, sub, "c-sub", "end") if sub else "")


def document(title: str, height: float, body: Sequence[str], defs: str = "") -> str:
    size, label = f'width="{WIDTH}" height="{_n(height)}"', escape(title)
    return (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {_n(height)}" {size} role="img"'
        f' aria-label="{label}"><title>{label}</title>{defs}{"".join(body)}</svg>'
    )


def axis(scale: Scale, top: float, bottom: float, title: str, fmt: Fmt = "{:g}".format) -> str:
    parts = [line(scale.x0, bottom, scale.x1, bottom, "c-axis")]
    for value in ticks(scale.lo, scale.hi):
        parts.append(line(scale(value), top, scale(value), bottom, "c-grid"))
        parts.append(text(scale(value), bottom + 14, fmt(value), "c-tick", "middle"))
    middle = (scale.x0 + scale.x1) / 2
    return "".join([*parts, text(middle, bottom + 32, title, "c-sub", "middle")])


def legend(*items: tuple[str, str]) -> str:
    """Swatches drawn around the origin, shifted into place, each followed by its text."""
    parts, x = [], 12.0
    for swatch, caption in items:
        parts.append(f'<g transform="translate({_n(x)},14)">{swatch}</g>')
        parts.append(text(x + 22, 18, caption))
        x += 34 + 6.4 * len(caption)
    return "".join(parts)
