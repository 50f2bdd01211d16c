"""The window-drop test: the newest window against what its trailing windows vary by."""

from __future__ import annotations

import math
from statistics import NormalDist

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taskgate.stats.student import t_sf
from taskgate.stats.windows import Point, rate_point, window_drop

Z = NormalDist()


def test_a_rate_point_keeps_some_noise_when_nothing_failed() -> None:
    point = rate_point(100, 100)
    assert point.value == 1.0
    smoothed = 100.5 / 101
    assert point.noise == pytest.approx(smoothed * (1 - smoothed) / 100)
    assert point.noise > 0


def test_a_drop_by_hand() -> None:
    trailing = [Point(0.90, 0.001), Point(0.92, 0.001), Point(0.94, 0.001)]
    newest = Point(0.80, 0.001)
    found = window_drop(trailing, newest, alpha=0.01)
    spread = 0.0004  # sample variance of 0.90, 0.92, 0.94
    scale = math.sqrt(0.0 + 0.001 + 0.001 / 3)  # no spread beyond the noise
    assert spread < 0.001
    assert found.trailing == pytest.approx(0.92)
    assert found.drop == pytest.approx(0.12)
    assert (found.p_value, found.degrees_of_freedom) == (
        pytest.approx(1 - Z.cdf(0.12 / scale)),
        math.inf,
    )
    assert found.min_detectable_drop == pytest.approx((Z.inv_cdf(0.99) + Z.inv_cdf(0.8)) * scale)


def test_a_spread_estimated_from_few_windows_is_judged_with_its_degrees_of_freedom() -> None:
    trailing = [Point(v, 0.0001) for v in (0.84, 0.96, 0.86, 0.94)]
    newest = Point(0.70, 0.0004)
    found = window_drop(trailing, newest, alpha=0.01)
    spread = (0.06**2 + 0.06**2 + 0.04**2 + 0.04**2) / 3  # sample variance, by hand
    expected = (spread - 0.0001) + 0.0004 + spread / 4
    df = expected**2 * 3 / ((1 + 1 / 4) * spread) ** 2
    assert found.degrees_of_freedom == pytest.approx(df)
    assert 3.4 < df < 3.5  # little more than the four windows' n - 1
    t = 0.2 / math.sqrt(expected)
    assert found.p_value == pytest.approx(t_sf(t, df))
    assert 0.025 < found.p_value < 0.05
    # The normal curve would have called it significant at 1%: the few windows do not.
    assert 1 - Z.cdf(t) < 0.01


def test_windows_that_vary_more_than_their_noise_widen_the_test() -> None:
    steady = [Point(v, 0.0001) for v in (0.90, 0.90, 0.90, 0.90)]
    varied = [Point(v, 0.0001) for v in (0.84, 0.96, 0.86, 0.94)]
    newest = Point(0.85, 0.0001)
    assert window_drop(steady, newest, 0.01).p_value < 1e-5
    assert window_drop(varied, newest, 0.01).p_value > 0.05


def test_one_trailing_window_is_refused() -> None:
    with pytest.raises(ValueError, match="two trailing windows"):
        window_drop([Point(0.9, 0.001)], Point(0.5, 0.001), 0.01)


shares = st.floats(min_value=0.0, max_value=1.0)


@given(st.lists(shares, min_size=2, max_size=10), shares, shares)
def test_a_lower_newest_value_is_never_less_significant(
    history: list[float], one: float, other: float
) -> None:
    trailing = [Point(value, 0.001) for value in history]
    low, high = min(one, other), max(one, other)
    assert (
        window_drop(trailing, Point(low, 0.001), 0.01).p_value
        <= window_drop(trailing, Point(high, 0.001), 0.01).p_value
    )
