"""Is the newest window lower than its trailing windows beyond what they vary by?

Windows are the unit. Production windows differ by more than sampling noise (weekdays,
traffic mix), so comparing the newest window's runs with the pooled runs of the trailing
ones would see drift in every quiet week. The test instead asks how far a new window
usually lands from the trailing mean: the spread between windows beyond their own
sampling noise (a random-effects estimate, tau^2), the newest window's own sampling
noise, and the uncertainty of the trailing mean. That spread is estimated from a few
windows, so the one-sided p-value and the minimum detectable drop come from Student's t
with the estimate's degrees of freedom (Welch-Satterthwaite: the binomial noise is known,
the spread between windows is not); with no spread beyond the noise it is the normal.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import fmean, variance

from taskgate.stats.student import t_isf, t_sf


@dataclass(frozen=True)
class Point:
    """One window's value and the sampling variance of that value."""

    value: float
    noise: float


@dataclass(frozen=True)
class WindowDrop:
    trailing: float
    """The mean of the trailing windows' values."""
    drop: float
    """Trailing mean minus the newest value: positive when the newest is lower."""
    p_value: float
    min_detectable_drop: float
    """The smallest drop this comparison finds with the given power at alpha."""
    degrees_of_freedom: float
    """Of the t the comparison uses; ``math.inf`` when the spread is all sampling noise."""


def rate_point(hits: int, count: int) -> Point:
    """A share as a Point; its noise uses (hits + 0.5) / (count + 1), so a window where
    nothing failed still has some (a share of 0 in every trailing window is not proof
    that a single failure is an alarm)."""
    smoothed = (hits + 0.5) / (count + 1)
    return Point(hits / count, smoothed * (1 - smoothed) / count)


def window_drop(
    trailing: Sequence[Point], newest: Point, alpha: float, power: float = 0.8
) -> WindowDrop:
    """The newest window against at least two trailing ones."""
    if len(trailing) < 2:
        raise ValueError("a window drop needs two trailing windows at least")
    values = [point.value for point in trailing]
    centre = fmean(values)
    spread = variance(values)
    noise = fmean(point.noise for point in trailing)
    count = len(trailing)
    between = max(0.0, spread - noise)
    expected = between + newest.noise + max(spread, noise) / count
    scale = math.sqrt(expected)
    drop = centre - newest.value
    # The part of ``expected`` that rests on the estimated spread, and its variance.
    estimated = (1 + 1 / count) * spread if spread > noise else 0.0
    df = math.inf if estimated == 0 else expected**2 * (count - 1) / estimated**2
    p_value = _upper(drop, scale, df)
    detectable = (t_isf(alpha, df) + t_isf(1 - power, df)) * scale
    return WindowDrop(centre, drop, p_value, detectable, df)


def _upper(drop: float, scale: float, df: float) -> float:
    """P(a drop this large or larger) when nothing changed."""
    if scale == 0:  # every window alike and noise-free: any drop is certain
        return 0.0 if drop > 0 else 1.0
    return t_sf(drop / scale, df)
