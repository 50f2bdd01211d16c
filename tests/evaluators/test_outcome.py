from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taskgate.evaluators.outcome import canonical, outcome_match

EXPECTED = "Refund of $20.50 issued for order 1182"


@pytest.mark.parametrize(
    ("expected", "result", "score"),
    [
        (EXPECTED, "refund of 20.5 issued for ORDER 1182.", 1.0),
        (EXPECTED, "Done! Refund of $20.50 issued for order 1182. Anything else?", 0.9),
        (EXPECTED, "Refund of $25.00 issued for order 1182", 0.542786),
        (EXPECTED, "I booked a flight to Paris", 0.037016),
        ("1,000 items", "1000 items", 1.0),
        ("Café", "CAFÉ", 1.0),
        (5, 5.0, 1.0),
        (
            {"order_id": "1182", "status": "Cancelled"},
            {"status": "cancelled", "order_id": 1182},
            1.0,
        ),
        ({"order_id": "1182"}, '{"order_id": "1182", "refund": 20.5}', 0.9),
        ({"order_id": "1182", "status": "cancelled"}, "Order 1182 has been cancelled", 0.565163),
    ],
)
def test_outcome_match(expected: Any, result: Any, score: float) -> None:
    assert outcome_match(expected, result) == score


@pytest.mark.parametrize("result", ["", "   ", None, [], {}])
def test_empty_result_never_matches(result: Any) -> None:
    # The empty string is a substring of everything; it must still score 0.
    assert outcome_match(EXPECTED, result) == 0.0


def test_containment_respects_word_boundaries() -> None:
    assert outcome_match("4", "14 items") < 0.1
    assert outcome_match("data", "database updated") < 0.2
    assert outcome_match("4", "4 items") == 0.9


def test_wrong_number_is_penalised_more_than_a_wrong_word() -> None:
    wrong_number = outcome_match(EXPECTED, "Refund of $25.00 issued for order 1182")
    wrong_word = outcome_match(EXPECTED, "Refund of $20.50 granted for order 1182")
    assert wrong_number < wrong_word < 0.9


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=10,
)


@given(json_values, json_values)
def test_scores_stay_in_unit_interval(expected: Any, result: Any) -> None:
    assert 0.0 <= outcome_match(expected, result) <= 1.0


@given(st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=5), min_size=1))
def test_objects_compare_by_value_whatever_the_key_order(value: dict[str, Any]) -> None:
    reordered = dict(reversed(list(value.items())))
    assert canonical(value) == canonical(reordered)
