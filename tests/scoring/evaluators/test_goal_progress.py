from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taskgate.model.names import CallOrder
from taskgate.scoring.evaluators.base import Score
from taskgate.scoring.evaluators.goal_progress import goal_progress
from tests.conftest import make_context

evaluate = goal_progress(0.75)

PARSE = {"name": "parse_receipt", "arguments": {"order_id": "1182"}}
POLICY = {"name": "lookup_policy", "arguments": {"kind": "refund"}}
REFUND = {"name": "issue_refund", "arguments": {"order_id": "1182", "amount": 20.5}}
EMAIL = {"name": "send_email", "arguments": {"to": "ana"}}
CRITERIA: list[Any] = [
    "receipt parsed",
    {"tool_called": "issue_refund"},
    {"result_contains": "refund issued"},
]


def run(task: dict[str, Any], *calls: dict[str, Any], result: str | None = None) -> Score:
    steps = [{"tool_calls": [c], "observation": "Receipt parsed"} for c in calls]
    return evaluate(make_context(task=task, steps=steps, final_result=result))


def test_partial_progress_without_a_final_step() -> None:
    task = {"expected_calls": [PARSE, POLICY, REFUND, EMAIL], "success_criteria": CRITERIA}
    score = run(task, PARSE, REFUND, POLICY)
    # (3/4 + 2/3) / 2
    assert score.value == 0.708333
    assert score.reason == "Reached 3/4 expected calls; 2/3 criteria met."
    assert score.details == {
        "calls_reached": 3,
        "calls_expected": 4,
        "criteria_met": 2,
        "criteria_total": 3,
    }


@pytest.mark.parametrize(
    ("order", "reached", "reason"),
    [
        ("strict", 2, "Reached 2/4 expected calls in order."),  # REFUND came before POLICY
        ("unordered", 3, "Reached 3/4 expected calls."),
        ("superset", 3, "Reached 3/4 expected calls."),
    ],
)
def test_strict_order_counts_the_prefix_made_in_order(
    order: CallOrder, reached: int, reason: str
) -> None:
    task = {"expected_calls": [PARSE, POLICY, REFUND, EMAIL], "call_order": order}
    score = run(task, PARSE, REFUND, POLICY)
    assert score.details["calls_reached"] == reached
    assert score.value == reached / 4
    assert score.reason == reason


def test_default_order_applies_without_a_task_order() -> None:
    task = {"expected_calls": [PARSE, POLICY]}
    ctx = make_context(task=task, steps=[{"tool_calls": [POLICY, PARSE]}])
    assert goal_progress(0.75, "strict")(ctx).value == 0.5  # POLICY came before PARSE
    assert goal_progress(0.75)(ctx).value == 1.0


def test_a_call_counts_as_made_at_half_argument_credit() -> None:
    task = {"expected_calls": [REFUND]}
    half = {"name": "issue_refund", "arguments": {"order_id": 1182, "amount": 99}}
    third = {"name": "issue_refund", "arguments": {"order_id": 1182, "amount": 99, "x": 1}}
    assert run(task, half).value == 1.0
    assert run(task, third).value == 0.0


def test_counts_the_most_calls_that_can_be_paired() -> None:
    # Both expected calls could take the first call made; only one-to-one pairing counts.
    task = {"expected_calls": [PARSE, {**PARSE, "arguments": {"order_id": 1182, "x": 1}}]}
    assert run(task, PARSE).details["calls_reached"] == 1
    assert run(task, PARSE, PARSE).details["calls_reached"] == 2


def test_criteria_alone() -> None:
    score = run({"success_criteria": CRITERIA}, REFUND, result="Refund issued.")
    assert (score.value, score.reason) == (1.0, "3/3 criteria met.")


def test_nothing_to_measure_is_not_judged() -> None:
    score = run({}, PARSE)
    assert score.value is None
    assert score.reason == "No expected calls or criteria to measure progress by."


def test_no_calls_made() -> None:
    score = run({"expected_calls": [PARSE]})
    assert (score.value, score.reason) == (0.0, "Reached 0/1 expected calls.")


@given(st.lists(st.sampled_from([PARSE, POLICY, REFUND, EMAIL]), max_size=6))
def test_score_in_unit_interval(made: list[dict[str, Any]]) -> None:
    task = {"expected_calls": [PARSE, REFUND, PARSE], "success_criteria": CRITERIA}
    value = run(task, *made).value
    assert value is not None and 0.0 <= value <= 1.0
