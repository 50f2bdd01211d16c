from __future__ import annotations

import os
import string
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taskgate.model.record import OutcomeMode
from taskgate.scoring.outcome import is_empty
from taskgate.scoring.outcome_modes import OutcomeCheck, check_outcome

MODES: tuple[OutcomeMode, ...] = ("exact", "contains", "numeric", "subset")
PROPERTY = settings(
    max_examples=int(os.environ.get("TASKGATE_FUZZ_EXAMPLES", "150")), deadline=None
)
STANDS = "the expected stands in the result"


def check(expected: Any, result: Any, mode: OutcomeMode, tolerance: float | None = None) -> str:
    """The outcome as one comparable line: "holds: why" or "fails: why"."""
    outcome = check_outcome(expected, result, mode, tolerance)
    return f"{'holds' if outcome.holds else 'fails'}: {outcome.why}"


@pytest.mark.parametrize(
    ("expected", "result", "outcome"),
    [
        ("Refund of $20.50 issued", "refund of 20.5 issued", "holds: equal to the expected"),
        ("The order was cancelled", "  order WAS cancelled!  ", "holds: equal to the expected"),
        ("1,000 items", "1000 items", "holds: equal to the expected"),
        ("Café", "CAFÉ", "holds: equal to the expected"),
        ("ﬁve", "five", "holds: equal to the expected"),  # NFKC: the ligature is two letters
        (5, 5.0, "holds: equal to the expected"),
        (5, "5", "holds: equal to the expected"),
        ({"b": [1, 2], "a": "X"}, '{"a": "x", "b": [1.0, 2]}', "holds: equal to the expected"),
        ("refund issued", "refund was issued", "fails: not equal to the expected"),
        (-3, 3, "fails: not equal to the expected"),  # a sign is not punctuation
        ("-3 degrees", "3 degrees", "fails: not equal to the expected"),
        ("-3 degrees", "\u22123 Degrees", "holds: equal to the expected"),
        ("1982-1988", "1982 - 1988", "holds: equal to the expected"),
        ({"a": 1}, '{"a": 1, "b": 2}', "fails: unexpected key b"),
        ({"a": {"b": 1}}, {"a": {"b": 2}}, "fails: a.b is 2, not 1"),
        ([1, 2], [2, 1], "fails: [0] is 2, not 1"),
        ([60], "[60", "fails: the result is not JSON"),
        ("refund issued", "", "fails: no result produced"),
        ("refund issued", None, "fails: no result produced"),
        ("refund issued", "[]", "fails: no result produced"),
    ],
)
def test_exact(expected: Any, result: Any, outcome: str) -> None:
    assert check(expected, result, "exact") == outcome


@pytest.mark.parametrize(
    ("expected", "result", "outcome"),
    [
        # Wrong answers from real false passes.
        (
            "refund issued",
            "The refund was not issued.",
            "fails: negated in the result (not issued)",
        ),
        ("delivered on Monday", "delivered on Tuesday", "fails: expected Monday not found"),
        ("1988", "1982-1988", "fails: part of a larger value (1982-1988)"),
        ("1988", "1982 \u2013 1988", "fails: part of a larger value (1982 \u2013 1988)"),
        ("1988", "in office 1982 to 1988", "fails: part of a larger value (1982 to 1988)"),
        ("1982", "between 1982 and 1988", "fails: part of a larger value (1982 and 1988)"),
        ("1988", "between 1982 and 1988", "fails: part of a larger value (1982 and 1988)"),
        ("New York", "Albany, New York", "fails: part of a larger name (Albany, New York)"),
        ([87.0], '[{"value": 87.0, "unit": "mg"}]', "fails: [0] is an object, not 87"),
        ([60], "The answer is [60", "fails: the result is not JSON"),
        # More of the same kinds.
        ("refund issued", "No refund issued", "fails: negated in the result (No refund issued)"),
        (
            "refund issued",
            "The refund wasn't issued",
            "fails: negated in the result (wasn't issued)",
        ),
        (
            "refund issued",
            "the refund hasn\u2019t been issued",
            "fails: negated in the result (hasn\u2019t been issued)",
        ),
        (
            "order 1182",
            "We could not find order 1182",
            "fails: negated in the result (not find order 1182)",
        ),
        ("delivered", "It was never delivered", "fails: negated in the result (never delivered)"),
        (
            "issue refund",
            "I failed to issue refund",
            "fails: negated in the result (failed to issue refund)",
        ),
        ("refundable", "a non-refundable fare", "fails: negated in the result (non-refundable)"),
        (
            "refund issued",
            "A refund may be issued",
            "fails: the expected phrase is not in the result",
        ),
        (
            "issue the refund",
            "Shall I issue the refund?",
            "fails: only asked in the result (issue the refund?)",
        ),
        ("order 1182", "Order 1182-B is on its way", "fails: part of a larger value (1182-B)"),
        ("HAT136", "part HAT136/2", "fails: part of a larger value (HAT136/2)"),
        ("March 3", "from March 3-5", "fails: part of a larger value (3-5)"),
        (
            "open Monday",
            "open Monday to Friday",
            "fails: part of a larger value (Monday to Friday)",
        ),
        ("9:00", "9:00-17:00", "fails: part of a larger value (00-17)"),
        ("New York", "New York City", "fails: part of a larger name (New York City)"),
        ("New York", "Read the New York Times", "fails: part of a larger name (New York Times)"),
        ("New York", "a flight to West New York", "fails: part of a larger name (West New York)"),
        ("delivered in March", "delivered in marched order", "fails: expected March not found"),
        ("87", "a dose of 187 mg", "fails: expected 87 not found"),
        ("-3", "it is 3 now", "fails: expected -3 not found"),
        (3, '{"t": -3}', "fails: expected 3 not found"),
        ("Jon", "Jones called", "fails: expected Jon not found"),
        ("refund issued", "a refund", "fails: the expected phrase is not in the result"),
        ({"b": {"c": 2}}, '{"b": {"c": 3}}', "fails: b.c is 3, not 2"),
        ({"b": {"c": 2}}, '{"b": {"d": 2}}', "fails: missing key b.c"),
        ({"b": [1, 2]}, '{"b": [1]}', "fails: b has 1 items, not 2"),
        ({"b": 1}, "b is 1", "fails: the result is not JSON"),
        # What a reviewer accepts.
        (
            "refund of $20.50 issued for order 1182",
            "Refund of $20.50 issued for order 1182.",
            "holds: equal to the expected",
        ),
        (
            "refund of $20.50 issued for order 1182",
            "Done! Refund of $20.50 issued for order 1182.",
            f"holds: {STANDS}",
        ),
        ("refund issued", "Your refund was issued today", f"holds: {STANDS}"),
        ("refund issued", "No problem, the refund was issued", f"holds: {STANDS}"),
        ("refund not issued", "The refund wasn't issued", f"holds: {STANDS}"),
        ("order 1182", "Refund issued for order no. 1182", f"holds: {STANDS}"),
        ("New York", "Your flight to New York is booked", f"holds: {STANDS}"),
        ("New York", "Boston, New York and Chicago", f"holds: {STANDS}"),
        ("New York", "Visit New York in May", f"holds: {STANDS}"),
        ("New York", "Yes, New York", f"holds: {STANDS}"),
        ("1988", "It ended in 1988.", f"holds: {STANDS}"),
        ("from 1982 to 1988", "He served 1982-1988", f"holds: {STANDS}"),
        ("delivered on Monday", "Delivered on Monday, 5 May", f"holds: {STANDS}"),
        ("May 5", "delivered May 5th", f"holds: {STANDS}"),
        ("yes", "Yes, it is done", f"holds: {STANDS}"),
        (87, '{"dose": 87, "unit": "mg"}', f"holds: {STANDS}"),
        ("mg", {"dose": 87, "unit": "mg"}, f"holds: {STANDS}"),
        ({"b": {"c": 2}}, {"a": 1, "b": {"c": 2, "d": 3}}, f"holds: {STANDS}"),
        ({"b": [{"c": 2}]}, '{"b": [{"c": 2.0, "d": 3}]}', f"holds: {STANDS}"),
        ({"status": "Cancelled"}, {"status": "the cancelled", "id": 4}, f"holds: {STANDS}"),
    ],
)
def test_contains(expected: Any, result: Any, outcome: str) -> None:
    assert check(expected, result, "contains") == outcome


@pytest.mark.parametrize(
    ("expected", "result", "tolerance", "outcome"),
    [
        (20.5, "Total: $20.50", None, "holds: every expected number found"),
        ("1,020.50", "it is 1020.5", None, "holds: every expected number found"),
        (1000, "1e3 units", None, "holds: every expected number found"),
        (-3, "it fell to -3 degrees", None, "holds: every expected number found"),
        (-3, "it fell to \u22123 degrees", None, "holds: every expected number found"),
        (3, "it fell to -3 degrees", None, "fails: expected 3 not found"),
        (87, "87mg twice daily", None, "holds: every expected number found"),
        (136, "part HAT136 costs 5", None, "fails: expected 136 not found"),
        (1988, "1982-1988", None, "holds: every expected number found"),
        ([60], "sixty, or [60", None, "holds: every expected number found"),
        (20.5, "21.0", 0.5, "holds: every expected number within 0.5"),  # at the edge
        (20.5, "20.6", 0.1, "holds: every expected number within 0.1"),  # no float error
        (20.5, "21.0", 0.1, "fails: 21.0 is 0.5 from the expected 20.5 (tolerance 0.1)"),
        (20.5, "19 or 21.0", 0.1, "fails: 21.0 is 0.5 from the expected 20.5 (tolerance 0.1)"),
        ({"a": 1, "b": [2, "3 items"]}, "3, 2 and 1", None, "holds: every expected number found"),
        ([5, 5], "5 and 6", None, "fails: 5 expected 2 times, found 1"),
        ([5, 5], "5, then 5 again", None, "holds: every expected number found"),
        # Taken in the expected's order, 2 would take 1.5 and leave 1 with nothing.
        ([2, 1], "1.5 and 2.6", 0.6, "holds: every expected number within 0.6"),
        ("no number", "42", None, "fails: the expected states no number"),
        (True, "1", None, "fails: the expected states no number"),
        (42, "forty-two", None, "fails: no number in the result"),
        (42, "", None, "fails: no result produced"),
    ],
)
def test_numeric(expected: Any, result: Any, tolerance: float | None, outcome: str) -> None:
    assert check(expected, result, "numeric", tolerance) == outcome


@pytest.mark.parametrize(
    ("expected", "result", "outcome"),
    [
        ({"a": 1}, '{"b": 2, "a": 1.0}', f"holds: {STANDS}"),
        ({"a": {"b": "X"}}, {"a": {"b": "x", "c": 1}, "d": 2}, f"holds: {STANDS}"),
        ({"t": -3}, {"t": 3}, "fails: t is 3, not -3"),
        ([1, 2, 2], [2, 3, 1, 2], f"holds: {STANDS}"),
        ([1, 2, 2], [2, 3, 1], "fails: expected 2 not found"),
        ({"ids": [3]}, {"ids": [1, 2]}, "fails: expected 3 not found in ids"),
        (87, [87], "holds: the single value of the result"),
        (87, {"value": 87.0}, "holds: the single value of the result"),
        (87, '[{"value": 87}]', "holds: the single value of the result"),
        (
            87,
            {"value": 87, "unit": "mg"},
            "fails: expected 87 is not the single value of the result",
        ),
        (87, "87 mg", "fails: not equal to the expected"),
        ([87.0], '[{"value": 87.0, "unit": "mg"}]', "fails: expected 87 not found"),
        ({"value": 87, "unit": "mg"}, {"value": 87}, "fails: missing key unit"),
        ([60], "[60, 61", "fails: the result is not JSON"),
        ({"a": [1]}, {"a": {"0": 1}}, "fails: a is not a list"),
        # Greedy fails both: the first expected item takes the only result item the second fits.
        ([{"a": 1}, {"a": 1, "b": 2}], [{"a": 1, "b": 2}, {"a": 1, "c": 3}], f"holds: {STANDS}"),
        ([[1], [1, 2]], [[1, 2], [1, 3]], f"holds: {STANDS}"),
        ([{"a": 1}, {"a": 1}], [{"a": 1, "b": 2}], "fails: expected an object not found"),
    ],
)
def test_subset(expected: Any, result: Any, outcome: str) -> None:
    assert check(expected, result, "subset") == outcome


def test_an_empty_expected_never_matches() -> None:
    for mode in MODES:
        assert check_outcome("", "anything", mode) == OutcomeCheck(False, "no expected result")


def test_a_negative_tolerance_is_a_bug() -> None:
    with pytest.raises(ValueError, match="tolerance must be a finite number >= 0, not -1"):
        check_outcome(1, "1", "numeric", -1.0)


def test_a_long_result_is_read_once() -> None:
    filler = "The agent looked up the order and checked the receipt. " * 200
    assert check("refund issued", filler + "Refund issued.", "contains") == f"holds: {STANDS}"
    negated = filler + "No refund issued."
    outcome = "fails: negated in the result (No refund issued)"
    assert check("refund issued", negated, "contains") == outcome


# Properties -----------------------------------------------------------------------------

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=12,
)
plain_text = st.text(alphabet=string.ascii_letters + string.digits + " .,-$'?!éß", max_size=30)
plain_values = st.recursive(
    st.integers(-(10**6), 10**6) | st.booleans() | plain_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(plain_text, inner, max_size=3),
    max_leaves=8,
)


def recased(value: Any) -> Any:
    """The same value written in other case and with more white space in its strings."""
    if isinstance(value, str):
        return " \t" + value.swapcase().replace(" ", "  \n") + "  "
    if isinstance(value, dict):
        return {key: recased(item) for key, item in value.items()}
    if isinstance(value, list):
        return [recased(item) for item in value]
    return value


def starts_like_json(value: Any) -> bool:
    return isinstance(value, str) and value.lstrip()[:1] in ("{", "[")


@PROPERTY
@given(plain_values)
def test_exact_holds_for_a_value_against_itself_and_a_recased_copy(value: Any) -> None:
    if is_empty(value) or starts_like_json(value):
        return
    assert check(value, value, "exact") == "holds: equal to the expected"
    assert check(value, recased(value), "exact") == "holds: equal to the expected"


@PROPERTY
@given(plain_values, plain_values, st.booleans())
def test_exact_implies_contains(expected: Any, other: Any, copy: bool) -> None:
    result = recased(expected) if copy else other
    if check_outcome(expected, result, "exact").holds:
        assert check_outcome(expected, result, "contains").holds


@PROPERTY
@given(json_values)
def test_subset_holds_for_a_value_against_itself(value: Any) -> None:
    if not is_empty(value):
        assert check_outcome(value, value, "subset").holds


@PROPERTY
@given(
    json_values,
    json_values | st.text(max_size=60),
    st.sampled_from(MODES),
    st.none() | st.floats(0, 1e6),
)
def test_never_raises_and_always_says_why(
    expected: Any, result: Any, mode: OutcomeMode, tolerance: float | None
) -> None:
    outcome = check_outcome(expected, result, mode, tolerance)
    assert isinstance(outcome.holds, bool)
    assert isinstance(outcome.why, str) and outcome.why
