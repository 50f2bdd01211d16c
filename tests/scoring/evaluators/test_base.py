from __future__ import annotations

import random as stdlib_random

from hypothesis import given
from hypothesis import strategies as st

from taskgate.scoring.evaluators.base import clamp, weighted

WEIGHT = st.floats(min_value=0.001, max_value=1.0, allow_nan=False)
SCORE = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
PARTS = st.lists(st.tuples(WEIGHT, SCORE), min_size=1, max_size=6)


def test_a_blend_is_summed_exactly() -> None:
    # 0.2 + 0.5 * 0.635837 + 0.3 * 0.7 = 0.7279185: a plain left-to-right float sum lands
    # below the half and rounds to 0.727918, Python 3.12's sum() above it. An exact sum
    # gives one answer on every Python.
    parts = {"final_step": (0.2, 1.0), "outcome": (0.5, 0.635837), "criteria": (0.3, 0.7)}
    assert weighted(parts) == 0.727919
    assert weighted(dict(reversed(parts.items()))) == 0.727919


def test_nothing_weighted_blends_to_zero() -> None:
    assert weighted({}) == 0.0
    assert weighted({"outcome": (0.0, 1.0)}) == 0.0


@given(PARTS, st.randoms(use_true_random=False))
def test_the_order_of_the_parts_never_changes_the_blend(
    parts: list[tuple[float, float]], random: stdlib_random.Random
) -> None:
    shuffled = list(parts)
    random.shuffle(shuffled)
    as_dict = {str(i): part for i, part in enumerate(parts)}
    reordered = {str(i): part for i, part in enumerate(shuffled)}
    assert weighted(as_dict) == weighted(reordered)
    assert 0.0 <= weighted(as_dict) <= 1.0


@given(SCORE)
def test_clamp_keeps_six_decimals_in_the_unit_interval(value: float) -> None:
    assert clamp(value) == round(value, 6)
    assert clamp(value + 2.0) == 1.0 and clamp(value - 2.0) == 0.0
