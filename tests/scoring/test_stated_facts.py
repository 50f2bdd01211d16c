"""The facts a result states, and what a run saw, in every spelling."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taskgate.scoring.stated_facts import Seen, is_code, stated_facts


def facts(text: str) -> list[tuple[str, str]]:
    return [(fact.kind, fact.text) for fact in stated_facts(text)]


def test_each_kind_is_read_once_in_order() -> None:
    text = "Refund of $20.50 for order #W2378156 on Jan 5, 2024 at 3 PM. Flight HAT123 at 15:30."
    assert facts(text) == [
        ("number", "$20.50"),
        ("code", "#W2378156"),
        ("date", "Jan 5, 2024"),
        ("time", "3 PM"),
        ("code", "HAT123"),
        ("time", "15:30"),
    ]


def test_a_date_s_or_a_time_s_digits_are_never_numbers_too() -> None:
    assert facts("Departs 2024-05-01T09:05:00, lands 5 May at 11 a.m.") == [
        ("date", "2024-05-01"),
        ("time", "09:05:00"),
        ("date", "5 May"),
        ("time", "11 a.m."),
    ]


def test_counts_ordinals_and_quantities_with_units_are_not_codes() -> None:
    # One-digit bare counts are the agent's tally; "1st", "24-hour" and "5kg" count things.
    assert facts("You have 3 bags, a 1st class seat, a 24-hour hold and 20kg allowed.") == [
        ("number", "24"),
        ("number", "20"),
    ]
    assert facts("Call 555-123-4567; allow 10-15 minutes; 15% off; $5 fee.") == [
        ("code", "555-123-4567"),
        ("number", "10"),
        ("number", "15"),
        ("number", "15%"),
        ("number", "$5"),
    ]


@pytest.mark.parametrize(
    ("token", "code"),
    [
        ("W2378156", True),
        ("4WQ150", True),
        ("ORD-1182", True),
        ("#A1", True),
        ("555-123-4567", True),
        ("20.5", False),
        ("10-15", False),
        ("5kg", False),
        ("2nd", False),
        ("hello", False),
    ],
)
def test_what_a_code_is(token: str, code: bool) -> None:
    assert is_code(token) is code


def test_a_slashed_date_may_mean_either_day_order() -> None:
    [fact] = stated_facts("on 01/05/2024")
    assert fact.values == frozenset({(2024, 1, 5), (2024, 5, 1)})
    [yearless] = stated_facts("by May 5th")
    assert yearless.values == frozenset({(5, 5)})


def test_month_names_are_read_only_capitalised() -> None:
    assert facts("you may 12 times march 10") == [("number", "12"), ("number", "10")]


@pytest.mark.parametrize(
    ("stated", "seen"),
    [
        ("$20.50", '{"total": 20.5}'),
        ("1,200", "price 1200"),
        ("15%", '{"discount": 0.15}'),
        ("Jan 5, 2024", '{"date": "2024-01-05"}'),
        ("2024-11-22", '{"flight_id": "AF1550-2024-11-22"}'),
        ("May 5", "2024-05-05"),
        ("3 PM", "departs 15:00"),
        ("15:00", "departs 3pm"),
        ("#W2378156", "order W2378156"),
        ("ord-1182", "ORD1182"),
        ("ending in 1784", "gift_card_7421784"),
    ],
)
def test_what_was_seen_is_found_in_another_spelling(stated: str, seen: str) -> None:
    what = Seen([seen])
    assert [what.holds(fact) for fact in stated_facts(stated)] == [True]


@pytest.mark.parametrize(
    ("stated", "seen"),
    [
        ("$20.50", "total 20.05"),
        ("Jan 5, 2024", "2024-05-01"),
        ("3 PM", "03:00"),
        ("W2378156", "W2378157"),
        ("ending in 178", "gift_card_7421784"),  # three digits are no card's end
    ],
)
def test_another_value_is_not_found(stated: str, seen: str) -> None:
    what = Seen([seen])
    assert [what.holds(fact) for fact in stated_facts(stated)] == [False]


@given(st.decimals(min_value=10, max_value=10**6, places=2, allow_nan=False, allow_infinity=False))
def test_an_amount_seen_as_json_is_found_however_it_is_written(amount: Decimal) -> None:
    what = Seen([f'{{"amount": {float(amount)!r}}}'])
    written = f"${amount:,.2f}"
    [fact] = stated_facts(f"Refunded {written} today.")
    assert (fact.text, what.holds(fact)) == (written, True)


@given(
    st.dates(min_value=date(1000, 1, 1)),
    st.sampled_from(["%Y-%m-%d", "%B %d, %Y", "%d %B %Y", "%b %d %Y", "%m/%d/%Y"]),
)
def test_a_date_seen_is_found_in_any_written_form(day: date, form: str) -> None:
    what = Seen([day.isoformat()])
    [fact] = stated_facts(f"Booked for {day.strftime(form)}.")
    assert what.holds(fact)
