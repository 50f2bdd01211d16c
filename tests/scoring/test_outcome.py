from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from taskgate.scoring.outcome import _whole_numbers, canonical, outcome_match, value_key

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


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"limit": 5, "id": "7"}, {"id": "7", "limit": 5.0}),
        ([10**16], [1e16]),
        ({"page": -0.0}, {"page": 0}),
        ({"price": 2.0, "sku": "A-2e"}, {"sku": "A-2e", "price": 2}),
    ],
)
def test_value_key_is_equal_for_values_equal_by_value(first: Any, second: Any) -> None:
    assert value_key(first) == value_key(second)


@pytest.mark.parametrize(
    ("first", "second"),
    [({"limit": 5}, {"limit": 5.5}), ({"note": "5.0"}, {"note": "5"}), ([1, 2], [2, 1])],
)
def test_value_key_tells_different_values_apart(first: Any, second: Any) -> None:
    assert value_key(first) != value_key(second)


json_with_floats = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False, width=64)
    | st.integers(-(2**53), 2**53).map(float)
    | st.text(alphabet="0123456789.e-x ", max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=8,
)


@given(json_with_floats)
def test_value_key_fast_path_agrees_with_folding_every_whole_float(value: Any) -> None:
    try:
        folded = orjson.dumps(_whole_numbers(value), option=orjson.OPT_SORT_KEYS)
    except TypeError:  # a whole float beyond 64 bits: both fall back to the text
        return
    assert value_key(value) == folded
