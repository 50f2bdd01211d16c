from __future__ import annotations

import math

from taskgate.importers.common import total_cost


def test_costs_are_summed_exactly_to_nine_decimals() -> None:
    assert total_cost([0.1, 0.2, 0.3]) == 0.6
    assert total_cost([1e-10, 2.5]) == 2.5
    assert total_cost([]) == 0.0


def test_a_total_past_the_float_range_is_inf_or_nan_as_a_plain_sum_gives_it() -> None:
    assert total_cost([1e308, 1e308]) == math.inf
    assert math.isnan(total_cost([math.inf, -math.inf]))
