from __future__ import annotations

import copy
import pickle
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taskgate.config.fields import ArgumentMatch
from taskgate.errors import RecordError
from taskgate.model.record import ArgumentMode
from taskgate.scoring import argument_modes
from taskgate.scoring.argument_modes import number, similarity
from taskgate.scoring.arguments import (
    MISSING,
    ArgumentComparison,
    KeyComparison,
    check_patterns,
    compare_arguments,
    folded_credit,
)
from taskgate.scoring.outcome import FoldedObject, canonical

MODES: list[ArgumentMatch] = ["exact", "subset", "superset", "ignore"]


def credit(
    expected: Any, actual: Any, mode: ArgumentMatch = "exact", **per_key: ArgumentMode
) -> float:
    return compare_arguments(expected, actual, mode, per_key or None).credit


def test_exact_compares_by_value_key_by_key() -> None:
    result = compare_arguments(
        {"order_id": "1182", "amount": 20.5, "Reason": "Damaged  item"},
        {"amount": 21, "order_id": 1182, "reason": "damaged item", "note": "x"},
        "exact",
    )
    assert result == ArgumentComparison(
        0.5,
        (
            KeyComparison("amount", "exact", 20.5, 21, False),
            KeyComparison("note", "exact", MISSING, "x", False),
            KeyComparison("order_id", "exact", "1182", 1182, True),
            KeyComparison("reason", "exact", "Damaged  item", "damaged item", True),
        ),
    )
    assert not result.full


def test_exact_folds_number_formats_case_and_key_order() -> None:
    expected = {"amount": "$20.50", "guests": 5, "trip": {"from": "NYC", "to": "SFO"}}
    actual = {"trip": {"to": "sfo", "from": "nyc"}, "Guests": 5.0, "amount": 20.5}
    assert compare_arguments(expected, actual, "exact").full


def test_missing_is_shown_as_missing() -> None:
    assert (repr(MISSING), str(MISSING), f"{MISSING}") == ("(missing)",) * 3
    assert pickle.loads(pickle.dumps(MISSING)) is MISSING
    assert copy.deepcopy(MISSING) is MISSING


def test_no_expected_arguments_asks_only_for_the_tool() -> None:
    assert compare_arguments(None, {"a": 1}, "exact") == ArgumentComparison(1.0, ())
    assert compare_arguments({"a": 1}, {"b": 2}, "ignore") == ArgumentComparison(1.0, ())
    assert compare_arguments({}, {}, "exact") == ArgumentComparison(1.0, ())
    assert credit({"a": 1}, None, "exact") == 0.0  # no arguments given: {}


def test_non_object_arguments_compare_whole() -> None:
    assert compare_arguments([1, "B"], [1.0, "b"], "superset") == ArgumentComparison(
        1.0, (KeyComparison("", "superset", [1, "B"], [1.0, "b"], True),)
    )
    assert credit({"a": 1}, "{not json", "subset") == 0.0
    assert credit("Paris", " paris ") == 1.0


CODING_WANT = {"code": {"coding": [{"system": "http://loinc.org", "code": "2345-7"}]}, "id": 1}
CODING_MORE = {
    "code": {"coding": [{"system": "http://loinc.org", "code": "2345-7", "display": "Glucose"}]},
    "id": 1,
}
CODING_LESS = {"code": {"coding": [{"code": "2345-7"}]}, "id": 1}


@pytest.mark.parametrize(
    ("actual", "mode", "expected_credit"),
    [
        (CODING_MORE, "superset", 1.0),  # an extra display inside coding[0] is fine
        (CODING_MORE, "exact", 0.5),  # ... and a difference under exact
        (CODING_MORE, "subset", 0.5),
        (CODING_LESS, "subset", 1.0),  # missing system, at any level, allowed
        (CODING_LESS, "superset", 0.5),
        (CODING_LESS, "exact", 0.5),
    ],
)
def test_subset_and_superset_hold_at_every_level(
    actual: dict[str, Any], mode: ArgumentMatch, expected_credit: float
) -> None:
    assert credit(CODING_WANT, actual, mode) == expected_credit


def test_lists_compare_in_order_with_the_same_length() -> None:
    want = {"items": [{"sku": "A"}, {"sku": "B"}]}
    assert credit(want, {"items": [{"sku": "A", "qty": 1}, {"sku": "B"}]}, "superset") == 1.0
    assert credit(want, {"items": [{"sku": "B"}, {"sku": "A"}]}, "superset") == 0.0
    assert credit(want, {"items": [{"sku": "A"}, {"sku": "B"}, {"sku": "C"}]}, "superset") == 0.0


def test_a_key_the_call_lacks_disagrees() -> None:
    result = compare_arguments({"id": 1, "amount": 5}, {"id": 1}, "superset", {"amount": "numeric"})
    assert result.keys[0] == KeyComparison("amount", "numeric", 5, MISSING, False)
    assert result.credit == 0.5
    # Which keys are judged still follows the config mode: subset allows a missing key.
    assert credit({"id": 1, "amount": 5}, {"id": 1}, "subset", amount="numeric") == 1.0


def test_per_key_exact_overrides_a_lenient_config_mode() -> None:
    assert credit(CODING_WANT, CODING_MORE, "superset", code="exact") == 0.5
    assert credit(CODING_WANT, CODING_MORE, "superset", Code="exact") == 0.5  # folded key


@pytest.mark.parametrize(
    ("want", "got", "agrees"),
    [
        (20.5, "$20.50", True),
        ("20.50", 20.5, True),
        ("USD 1,000", "1000.00 USD", True),
        (-5, "-$5", True),
        (-5, "$-5", True),
        (0.3, 0.1 + 0.2, True),
        (1e-20, 1.00000000001e-20, True),
        (20.5, 20.51, False),
        (5, -5, False),
        (5, "5 items", False),
        ("twenty", "twenty", False),
        (1, True, False),
        ("1e999", "1e999", False),
        (5, MISSING, False),
    ],
)
def test_numeric_mode(want: Any, got: Any, agrees: bool) -> None:
    actual = {} if got is MISSING else {"amount": got}
    assert credit({"amount": want}, actual, amount="numeric") == float(agrees)


def test_number_reads_a_number_as_written() -> None:
    assert [number(v) for v in ("$20.50", "- 3", "1,234.5", ".5", "2e3", "1,23", "$-$5")] == [
        20.5,
        -3.0,
        1234.5,
        0.5,
        2000.0,
        None,
        None,
    ]
    assert (number(10**400), number(None), number([1])) == (None, None, None)


APPROVED = "Your refund of $20.50 was approved"


@pytest.mark.parametrize(
    ("got", "agrees"),
    [
        ("Your refund of $20.50 has been approved", True),
        ("your refund of 20.50 was approved.", True),
        ("We have approved your refund of $20.50", True),
        ("Your refund was denied", False),
        ("Your refund of $20.50 was denied", False),
        ("Your refund of $25.50 was approved", False),  # another number
        ("Your refund of $20.50 was not approved", False),  # the opposite
        ("Your refund of $20.50 wasn't approved", False),
        ("Refund approved", False),
        (20.5, False),
    ],
)
def test_fuzzy_mode(got: Any, agrees: bool) -> None:
    assert credit({"body": APPROVED}, {"body": got}, body="fuzzy") == float(agrees)


def test_fuzzy_similarity_around_the_threshold() -> None:
    assert similarity(APPROVED, "Your refund of $20.50 has been approved") == pytest.approx(
        0.949, abs=1e-3
    )
    assert similarity(APPROVED, "Your refund of $20.50 was denied") == pytest.approx(
        0.753, abs=1e-3
    )
    assert similarity("", "") == 1.0


@pytest.mark.parametrize(
    ("pattern", "got", "agrees"),
    [
        (r"ORD-\d{4}", "ORD-1182", True),
        (r"ORD-\d{4}", "ORD-11829", False),  # the whole value must match
        (r"ORD-\d{4}", "ord-1182", False),  # as written: case counts
        (r"(?i)ORD-\d{4}", "ord-1182", True),
        (r"\d+\.\d", 20.5, True),  # a number is matched as its JSON text
    ],
)
def test_regex_mode(pattern: str, got: Any, agrees: bool) -> None:
    assert credit({"id": pattern}, {"id": got}, id="regex") == float(agrees)


def test_a_runaway_regex_is_a_record_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(argument_modes, "REGEX_TIMEOUT_S", 0.05)
    with pytest.raises(RecordError) as raised:
        compare_arguments(
            {"id": "^(a|a)*$"},
            {"id": "a" * 40 + "!"},
            "exact",
            {"id": "regex"},
            field="task.expected_calls[2].arguments",
        )
    assert raised.value.field == "task.expected_calls[2].arguments.id"
    assert raised.value.message == (
        "the regular expression '^(a|a)*$' ran for over 0.05 s on this run's argument; "
        "simplify it (avoid nested repetition such as (a+)+)"
    )


def test_a_regex_that_is_not_one_is_a_record_error() -> None:
    with pytest.raises(RecordError) as raised:
        check_patterns({"ID": "ORD-(\\d"}, {"id": "regex"}, "task.expected_calls[0].arguments")
    assert raised.value.field == "task.expected_calls[0].arguments.id"
    assert raised.value.message == (
        "not a valid regular expression (missing ) at position 7); fix the pattern"
    )
    with pytest.raises(RecordError, match="needs a regular expression as a string, got 5"):
        credit({"id": 5}, {"id": 5}, id="regex")
    check_patterns({"id": "ORD-\\d"}, {"id": "regex", "x": "regex"}, "f")  # fine: no error


def test_ignore_mode_neither_compares_nor_requires() -> None:
    want = {"id": 1, "note": "call back tomorrow"}
    assert compare_arguments(want, {"id": 1}, "exact", {"note": "ignore"}).keys == (
        KeyComparison("id", "exact", 1, 1, True),
    )
    assert credit(want, {"id": 1, "note": "anything"}, note="ignore") == 1.0
    # A key only the call gives, judged under exact, can be ignored too.
    assert credit({"id": 1}, {"id": 1, "trace": "x"}, "exact", trace="ignore") == 1.0


@pytest.mark.parametrize(
    ("want", "got", "agrees"),
    [
        (["a", "b"], ["B", "c", "a"], True),  # a multiset, in any order
        (["a", "a"], ["a", "b"], False),  # each expected item needs one of its own
        (["a", "a"], ["a", "b", "a"], True),
        ([], ["x"], True),
        ({"city": "Paris"}, {"city": "paris", "zip": "75001"}, True),
        ({"city": "Paris", "zip": "1"}, {"city": "Paris"}, False),
        ([{"sku": "A"}], [{"sku": "B"}, {"sku": "a", "qty": 2}], True),
        ("Paris", "paris", True),
        ("Paris", ["Paris"], False),
        (["a"], "a", False),
    ],
)
def test_subset_mode(want: Any, got: Any, agrees: bool) -> None:
    assert credit({"v": want}, {"v": got}, "exact", v="subset") == float(agrees)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-1000, 1000)
    | st.floats(allow_nan=False, allow_infinity=False, width=32)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=8,
)
json_objects = st.dictionaries(st.sampled_from(["id", "ID", "note", "n", "x"]), json_values)
per_keys = st.none() | st.dictionaries(
    st.sampled_from(["id", "note", "x"]),
    st.sampled_from(["exact", "numeric", "fuzzy", "ignore", "subset"]),
)
modes = st.sampled_from(MODES)


def reordered(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: reordered(item) for key, item in reversed(value.items())}
    if isinstance(value, list):
        return [reordered(item) for item in value]
    return value


@settings(max_examples=150)
@given(
    json_objects,
    modes,
    st.dictionaries(
        st.sampled_from(["id", "note"]), st.sampled_from(["exact", "subset", "ignore"])
    ),
)
def test_arguments_always_match_themselves(
    arguments: dict[str, Any], mode: ArgumentMatch, per_key: dict[str, ArgumentMode]
) -> None:
    assert compare_arguments(arguments, arguments, mode, None).full
    assert compare_arguments(arguments, copy.deepcopy(arguments), mode, per_key).full


@settings(max_examples=150)
@given(json_objects, json_objects, modes, per_keys)
def test_credit_is_a_share_and_key_order_never_matters(
    want: dict[str, Any], got: dict[str, Any], mode: ArgumentMatch, per_key: Any
) -> None:
    result = compare_arguments(want, got, mode, per_key)
    assert 0.0 <= result.credit <= 1.0
    assert compare_arguments(reordered(want), reordered(got), mode, per_key) == result


@settings(max_examples=150)
@given(json_objects, json_objects)
def test_lenient_modes_never_give_less_than_exact(
    want: dict[str, Any], got: dict[str, Any]
) -> None:
    exact = credit(want, got, "exact")
    assert credit(want, got, "superset") >= exact
    assert credit(want, got, "subset") >= exact


@settings(max_examples=150)
@given(json_objects, json_objects, modes)
def test_the_fast_credit_is_the_full_comparisons_credit(
    want: dict[str, Any], got: dict[str, Any], mode: ArgumentMatch
) -> None:
    full = compare_arguments(want, got, mode, None).credit
    fast = 1.0 if mode == "ignore" else folded_credit(canonical(want), FoldedObject(got), mode)
    assert fast == full
