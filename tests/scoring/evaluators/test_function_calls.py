from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from taskgate.config.fields import ArgumentMatch
from taskgate.model.names import CallOrder
from taskgate.scoring.arguments import ArgumentComparison, KeyComparison, folded_credit
from taskgate.scoring.calls import compare_call, credit_matrix
from taskgate.scoring.evaluators.base import Score
from taskgate.scoring.evaluators.function_calls import function_calls
from taskgate.scoring.outcome import FoldedObject, canonical
from tests.conftest import make_context


def argument_credit(expected: Any, actual: Any, mode: ArgumentMatch) -> float:
    """How well ``actual`` arguments fit ``expected`` ones, compared by value, as the call
    matcher folds them (no arguments stated, or ``ignore``: the tool alone counts)."""
    if mode == "ignore" or expected is None:
        return 1.0
    return folded_credit(canonical(expected), canonical({} if actual is None else actual), mode)


PARSE = {"name": "parse_receipt", "arguments": {"order_id": "1182"}}
POLICY = {"name": "lookup_policy", "arguments": {}}
REFUND = {"name": "issue_refund", "arguments": {"order_id": "1182", "amount": 20.5}}
EMAIL = {"name": "send_email", "arguments": {"to": "ana@example.com"}}


def run(
    expected: list[dict[str, Any]],
    made: list[dict[str, Any]],
    order: CallOrder = "unordered",
    arguments: ArgumentMatch = "exact",
    call_order: CallOrder | None = None,
) -> Score:
    task = {"expected_calls": expected, "call_order": call_order}
    steps = [{"tool_calls": [call]} for call in made]
    return function_calls(order, arguments)(make_context(task=task, steps=steps))


def test_no_expected_calls_is_not_judged() -> None:
    score = run([], [PARSE])
    assert score == Score(None, "No expected calls to compare.", {})


def test_three_right_calls_of_four_made_get_partial_credit() -> None:
    score = run([PARSE, POLICY, REFUND], [POLICY, PARSE, REFUND, EMAIL])
    # precision 3/4, recall 1: F1 6/7
    assert score.value == 0.857143
    assert score.reason == (
        "3/3 expected calls matched (3 with exact arguments), 1 extra call; F1 0.86."
    )
    assert score.details == {
        "matched": [
            {"expected": 0, "actual": 1, "credit": 1.0},
            {"expected": 1, "actual": 0, "credit": 1.0},
            {"expected": 2, "actual": 2, "credit": 1.0},
        ],
        "missing": [],
        "extra": ["send_email"],
        "precision": 0.75,
        "recall": 1.0,
        "order": "unordered",
        "arguments": "exact",
    }


def test_three_of_four_expected_calls_made() -> None:
    score = run([PARSE, POLICY, REFUND, EMAIL], [PARSE, POLICY, REFUND])
    # precision 1, recall 3/4
    assert score.value == 0.857143
    assert score.reason == (
        "3/4 expected calls matched (3 with exact arguments); F1 0.86. Missing: send_email"
    )


@pytest.mark.parametrize(
    ("order", "value", "reason"),
    [
        # [parse, policy, refund] against [policy, parse, refund, email]
        ("unordered", 0.857143, "3/3 expected calls matched (3 with exact arguments), 1 extra"),
        # in order, only parse+refund or policy+refund: P 2/4, R 2/3
        ("strict", 0.571429, "2/3 expected calls matched (2 with exact arguments), 2 extra"),
        ("superset", 1.0, "3/3 expected calls matched (3 with exact arguments), 1 extra"),
        ("subset", 0.75, "3/3 expected calls matched (3 with exact arguments), 1 extra"),
    ],
)
def test_call_order_modes(order: CallOrder, value: float, reason: str) -> None:
    score = run([PARSE, POLICY, REFUND], [POLICY, PARSE, REFUND, EMAIL], order=order)
    assert score.value == value
    assert score.reason.startswith(reason)
    assert score.details["order"] == order


def test_strict_reason_names_the_missing_call() -> None:
    score = run([PARSE, POLICY, REFUND], [POLICY, PARSE, REFUND, EMAIL], order="strict")
    assert score.reason == (
        "2/3 expected calls matched (2 with exact arguments), 2 extra calls; F1 0.57. "
        "Missing: lookup_policy"
    )


def test_task_call_order_overrides_the_default() -> None:
    score = run([PARSE, REFUND], [REFUND, PARSE], order="unordered", call_order="strict")
    assert score.details["order"] == "strict"
    assert score.value == 0.5


def test_subset_and_superset_measures() -> None:
    missing_one = run([PARSE, REFUND], [PARSE], order="subset")
    assert (missing_one.value, missing_one.reason) == (
        1.0,
        "1/2 expected calls matched (1 with exact arguments); precision 1.00. "
        "Missing: issue_refund",
    )
    extra_one = run([PARSE], [PARSE, EMAIL], order="superset")
    assert extra_one.value == 1.0
    assert extra_one.reason.endswith("1 extra call; recall 1.00.")


def test_no_calls_made_scores_zero_in_every_mode() -> None:
    for order in ("strict", "unordered", "subset", "superset"):
        assert run([PARSE], [], order=order).value == 0.0


WANT = {"order_id": "1182", "amount": 20.5}


@pytest.mark.parametrize(
    ("actual", "mode", "credit"),
    [
        ({"order_id": 1182, "amount": 20.5}, "exact", 1.0),
        ({"order_id": 1182, "amount": 20.5, "note": "x"}, "exact", 2 / 3),
        ({"order_id": 1182, "amount": 20.5, "note": "x"}, "subset", 2 / 3),
        ({"order_id": 1182, "amount": 20.5, "note": "x"}, "superset", 1.0),
        ({"order_id": 1182}, "exact", 1 / 2),
        ({"order_id": 1182}, "subset", 1.0),
        ({"order_id": 1182}, "superset", 1 / 2),
        ({"order_id": 9}, "ignore", 1.0),
        ({}, "exact", 0.0),
        ({}, "subset", 1.0),
        (None, "superset", 0.0),
    ],
)
def test_argument_modes(actual: Any, mode: ArgumentMatch, credit: float) -> None:
    assert argument_credit(WANT, actual, mode) == pytest.approx(credit)
    score = run(
        [{"name": "issue_refund", "arguments": WANT}],
        [{"name": "issue_refund", "arguments": actual}],
        arguments=mode,
    )
    assert score.value == round(credit, 6)  # one call each side: P = R = credit
    assert score.details["matched"] == [{"expected": 0, "actual": 0, "credit": round(credit, 6)}]


def test_argument_credit_edge_cases() -> None:
    assert argument_credit({}, {}, "exact") == 1.0
    assert argument_credit({}, {"a": 1}, "superset") == 1.0
    assert argument_credit(None, {"a": 1}, "exact") == 1.0  # no arguments stated: name only
    assert argument_credit({"a": 1}, "{not json", "exact") == 0.0
    assert argument_credit([1, "B"], [1.0, "b"], "exact") == 1.0
    assert argument_credit("Paris", " paris ", "exact") == 1.0


def test_arguments_compare_by_value() -> None:
    expected = {
        "name": "book",
        "arguments": {"trip": {"from": "NYC", "to": "SFO"}, "guests": 5, "tags": ["a", "b"]},
    }
    made = {
        "name": "book",
        "arguments": '{"Guests": 5.0, "tags": ["A", "b"], "trip": {"to": "sfo", "from": "nyc"}}',
    }
    score = run([expected], [made])
    assert score.value == 1.0
    assert score.reason == "1/1 expected calls matched (1 with exact arguments); F1 1.00."


def test_nested_values_are_compared_whole() -> None:
    expected = {"name": "book", "arguments": {"trip": {"from": "NYC", "to": "SFO"}, "guests": 2}}
    made = {"name": "book", "arguments": {"trip": {"from": "NYC", "to": "LAX"}, "guests": 2}}
    assert run([expected], [made]).value == 0.5


def test_optimal_assignment_beats_greedy() -> None:
    def search(**arguments: Any) -> dict[str, Any]:
        return {"name": "search_flights", "arguments": arguments}

    expected = [search(origin="NYC", date="May 1"), search(passengers=2)]
    made = [search(origin="NYC", passengers=2, date="May 1"), search(date="May 1")]
    # credits: e0-a0 2/3, e0-a1 1/2, e1-a0 1/3, e1-a1 0. Greedy takes 2/3 then 0 (TP 2/3,
    # F1 0.333); the optimum pairs e0-a1 and e1-a0 (TP 5/6, F1 5/12).
    score = run(expected, made)
    assert score.value == 0.416667
    assert [(m["expected"], m["actual"]) for m in score.details["matched"]] == [(0, 1), (1, 0)]


def test_extra_calls_lower_precision() -> None:
    exact = run([PARSE, REFUND], [PARSE, REFUND])
    extra = run([PARSE, REFUND], [PARSE, REFUND, EMAIL, POLICY])
    assert exact.value == 1.0
    assert extra.details["precision"] == 0.5
    assert extra.value == 0.666667


def test_a_failed_call_is_a_call_made_that_did_not_do_the_job() -> None:
    # It cannot stand for the expected call, and it still counts against precision.
    failed = {**REFUND, "error": "timeout"}
    score = run([PARSE, REFUND], [PARSE, failed])
    assert score.value == 0.5
    assert (score.details["missing"], score.details["extra"]) == (
        ["issue_refund"],
        ["issue_refund"],
    )
    retried = run([PARSE, REFUND], [PARSE, failed, REFUND])
    assert retried.value == 0.8


def test_wrong_arguments_pair_by_name_with_no_credit() -> None:
    score = run([PARSE], [{"name": "parse_receipt", "arguments": {"order_id": "9"}}])
    assert score.value == 0.0
    assert score.reason == "1/1 expected calls matched (0 with exact arguments); F1 0.00."


def test_missing_names_the_first_three() -> None:
    expected = [{"name": f"tool_{i}"} for i in range(5)]
    score = run(expected, [])
    assert score.reason == (
        "0/5 expected calls matched; F1 0.00. Missing: tool_0, tool_1, tool_2 (+2 more)"
    )
    assert score.details["missing"] == [f"tool_{i}" for i in range(5)]


def test_ignore_mode_says_nothing_about_arguments() -> None:
    score = run([PARSE], [{"name": "parse_receipt", "arguments": {"x": 1}}], arguments="ignore")
    assert (score.value, score.reason) == (1.0, "1/1 expected calls matched; F1 1.00.")


POOL = [
    {"name": "a", "arguments": {"x": 1}},
    {"name": "a", "arguments": {"x": 1, "y": 2}},
    {"name": "a", "arguments": {"x": 2, "y": 2}},
    {"name": "b", "arguments": {"y": 2}},
    {"name": "b", "arguments": '{"y": 2.0}'},
    {"name": "c"},
]
calls = st.lists(st.sampled_from(POOL), max_size=6)
modes = st.sampled_from(["exact", "subset", "superset", "ignore"])
orders = st.sampled_from(["strict", "unordered", "subset", "superset"])


@given(expected=calls.filter(bool), made=calls, mode=modes, data=st.data())
def test_unordered_score_does_not_depend_on_order(
    expected: list[dict[str, Any]], made: list[dict[str, Any]], mode: ArgumentMatch, data: Any
) -> None:
    shuffled_expected = data.draw(st.permutations(expected))
    shuffled_made = data.draw(st.permutations(made))
    first = run(expected, made, arguments=mode)
    second = run(shuffled_expected, shuffled_made, arguments=mode)
    assert first.value == second.value


@given(expected=calls.filter(bool), made=calls, mode=modes, order=orders, copies=st.integers(1, 4))
def test_duplicated_calls_never_score_above_one(
    expected: list[dict[str, Any]],
    made: list[dict[str, Any]],
    mode: ArgumentMatch,
    order: CallOrder,
    copies: int,
) -> None:
    for attempt in (made, made * copies, expected * copies):
        score = run(expected, attempt, order=order, arguments=mode)
        assert score.value is not None and 0.0 <= score.value <= 1.0
        assert 0.0 <= score.details["precision"] <= 1.0
        assert 0.0 <= score.details["recall"] <= 1.0


FULLWIDTH_B = "\uff22"  # folds to "b"
argument_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 5)
    | st.sampled_from([1.0, 2.5, "A", "a ", FULLWIDTH_B]),
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.sampled_from("aAb"), inner),
    max_leaves=4,
)
argument_objects = st.dictionaries(
    st.sampled_from(["id", "ID", " id", "note", "n"]), argument_values
)


@given(argument_objects, argument_objects, st.sampled_from(["exact", "subset", "superset"]))
def test_arguments_folded_on_demand_score_as_folded_whole(
    wanted: dict[str, Any], made: dict[str, Any], mode: ArgumentMatch
) -> None:
    folded = FoldedObject(made)
    assert dict(folded) == canonical(made)
    assert folded_credit(canonical(wanted), folded, mode) == folded_credit(
        canonical(wanted), canonical(made), mode
    )


def turns(*steps: Any) -> list[dict[str, Any]]:
    """Steps from user messages (str) and agent calls (dict)."""
    return [
        {"role": "user", "message": step} if isinstance(step, str) else {"tool_calls": [step]}
        for step in steps
    ]


REFUND_IN_TURN_2 = {**REFUND, "turn": 2}


@pytest.mark.parametrize(
    ("steps", "credits"),
    [
        # The right call one turn early answers the first message, not the second.
        (turns("look it up", REFUND, "now refund it"), [{}]),
        (turns("look it up", "now refund it", REFUND), [{0: 1.0}]),
        (turns(REFUND, "look it up", "now refund it"), [{}]),
        (turns("look it up", "now refund it", REFUND, "thanks", REFUND), [{0: 1.0}]),
        # A call that errored is never the expected call, in the right turn or not.
        (turns("look it up", "now refund it", {**REFUND, "error": "timeout"}), [{}]),
    ],
)
def test_a_call_pairs_only_in_the_expected_turn(
    steps: list[dict[str, Any]], credits: list[dict[int, float]]
) -> None:
    ctx = make_context(task={"expected_calls": [REFUND_IN_TURN_2]}, steps=steps)
    assert credit_matrix(ctx, "exact") == credits


def test_a_call_in_the_wrong_turn_is_missing_and_extra() -> None:
    task = {"expected_calls": [REFUND_IN_TURN_2]}
    ctx = make_context(task=task, steps=turns("look it up", REFUND, "now refund it"))
    score = function_calls("unordered", "exact")(ctx)
    assert (score.value, score.details["missing"], score.details["extra"]) == (
        0.0,
        ["issue_refund"],
        ["issue_refund"],
    )


CODING = {"code": {"coding": [{"system": "http://loinc.org", "code": "2345-7"}]}}
CODED = {"code": {"coding": [{"system": "http://loinc.org", "code": "2345-7", "display": "Gl"}]}}


@pytest.mark.parametrize(("mode", "value"), [("superset", 1.0), ("exact", 0.0), ("subset", 0.0)])
def test_config_modes_hold_inside_nested_arguments(mode: ArgumentMatch, value: float) -> None:
    score = run(
        [{"name": "order_lab", "arguments": CODING}],
        [{"name": "order_lab", "arguments": CODED}],
        arguments=mode,
    )
    assert score.value == value


NOTIFY = {
    "name": "send_email",
    "arguments": {"to": "ana@example.com", "body": "Your refund of $20.50 was approved"},
    "match": {"body": "fuzzy"},
}


@pytest.mark.parametrize(
    ("body", "credit"),
    [
        ("Your refund of $20.50 has been approved", 1.0),
        ("Your refund was denied", 0.5),
        ("Your refund of $2.50 was approved", 0.5),
    ],
)
def test_per_argument_modes_decide_the_pair_credit(body: str, credit: float) -> None:
    made = {"name": "send_email", "arguments": {"to": "Ana@example.com", "body": body}}
    ctx = make_context(task={"expected_calls": [NOTIFY]}, steps=[{"tool_calls": [made]}])
    assert credit_matrix(ctx, "exact") == [{0: credit}]


def test_compare_call_shows_a_pair_key_by_key() -> None:
    made = {"name": "send_email", "arguments": {"to": "bo@example.com", "body": "Approved."}}
    ctx = make_context(task={"expected_calls": [NOTIFY]}, steps=[{"tool_calls": [made]}])
    comparison = compare_call(ctx, 0, 0, "exact")
    assert comparison == ArgumentComparison(
        0.0,
        (
            KeyComparison("body", "fuzzy", NOTIFY["arguments"]["body"], "Approved.", False),
            KeyComparison("to", "exact", "ana@example.com", "bo@example.com", False),
        ),
    )
    assert credit_matrix(ctx, "exact") == [{0: comparison.credit}]


def test_an_invalid_pattern_is_refused_when_the_record_is_read() -> None:
    want = {"name": "lookup", "arguments": {"id": "ORD-("}, "match": {"id": "regex"}}
    with pytest.raises(ValidationError) as raised:
        make_context(task={"expected_calls": [POLICY, want]}, steps=[{"tool_calls": [POLICY]}])
    [error] = raised.value.errors()
    assert error["loc"] == ("task", "expected_calls", 1)
    assert error["msg"] == (
        "Value error, arguments.id is not a valid regular expression (missing ) at position 5); "
        "fix the pattern"
    )


def test_a_regex_argument_matches_the_call_as_written() -> None:
    want = {"name": "lookup", "arguments": {"id": r"ORD-\d{4}"}, "match": {"id": "regex"}}
    for made_id, value in (("ORD-1182", 1.0), ("ORD-118", 0.0)):
        made = {"name": "lookup", "arguments": {"id": made_id}}
        assert run([want], [made]).value == value
