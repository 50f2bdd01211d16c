"""Student's t against printed table values, and its limits."""

from __future__ import annotations

import math
from statistics import NormalDist

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taskgate.stats.student import incomplete_beta, t_isf, t_sf

# Upper-tail critical values from a standard t table: (p, df, t).
TABLE = [
    (0.05, 1, 6.314),
    (0.025, 1, 12.706),
    (0.01, 2, 6.965),
    (0.05, 5, 2.015),
    (0.01, 6, 3.143),
    (0.05, 10, 1.812),
    (0.005, 20, 2.845),
    (0.01, 30, 2.457),
    (0.10, 120, 1.289),
]


@pytest.mark.parametrize(("p", "df", "t"), TABLE)
def test_critical_values_match_the_table(p: float, df: int, t: float) -> None:
    assert t_isf(p, df) == pytest.approx(t, abs=5e-4)
    assert t_sf(t, df) == pytest.approx(p, rel=2e-3)


def test_one_degree_of_freedom_is_the_cauchy() -> None:
    for t in (-3.0, -0.5, 0.0, 0.7, 4.0, 50.0):
        assert t_sf(t, 1) == pytest.approx(0.5 - math.atan(t) / math.pi, abs=1e-12)


def test_two_degrees_of_freedom_in_closed_form() -> None:
    for t in (-2.0, 0.3, 1.0, 9.0):
        assert t_sf(t, 2) == pytest.approx(0.5 - t / (2 * math.sqrt(2 + t * t)), abs=1e-12)


def test_infinite_degrees_of_freedom_are_the_normal() -> None:
    normal = NormalDist()
    assert t_sf(1.7, math.inf) == pytest.approx(1 - normal.cdf(1.7))
    assert t_isf(0.01, math.inf) == pytest.approx(normal.inv_cdf(0.99))
    assert t_isf(0.01, 1e7) == pytest.approx(normal.inv_cdf(0.99), abs=1e-5)


def test_incomplete_beta_at_its_ends_and_in_closed_form() -> None:
    assert (incomplete_beta(2, 3, 0.0), incomplete_beta(2, 3, 1.0)) == (0.0, 1.0)
    x = 0.3  # I_x(1, b) = 1 - (1 - x)^b
    assert incomplete_beta(1, 4, x) == pytest.approx(1 - (1 - x) ** 4, abs=1e-13)


def test_a_probability_outside_zero_and_one_is_refused() -> None:
    with pytest.raises(ValueError, match=r"between 0 and 1, not 1\.5"):
        t_isf(1.5, 4)


dfs = st.floats(min_value=0.5, max_value=500.0)


@given(st.floats(min_value=1e-9, max_value=1 - 1e-9), dfs)
def test_the_quantile_inverts_the_tail(p: float, df: float) -> None:
    assert t_sf(t_isf(p, df), df) == pytest.approx(p, rel=1e-6, abs=1e-12)


@given(st.floats(min_value=-50, max_value=50), dfs)
def test_the_tail_is_symmetric_and_heavier_than_the_normal(t: float, df: float) -> None:
    assert t_sf(t, df) + t_sf(-t, df) == pytest.approx(1.0, abs=1e-12)
    if t > 0:
        assert t_sf(t, df) >= 1 - NormalDist().cdf(t) - 1e-12
