# Reasons use the multiplication sign on purpose; tests assert them verbatim.
# ruff: noqa: RUF001
from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from taskgate.scoring.evaluators.base import Score
from taskgate.scoring.evaluators.step_efficiency import step_efficiency
from tests.conftest import make_context

evaluate = step_efficiency()
FINAL: dict[str, Any] = {"message": "Done.", "is_final": True}


def call(name: str, error: str | None = None, **arguments: Any) -> dict[str, Any]:
    return {"name": name, "arguments": arguments, "error": error}


def run(*calls: dict[str, Any], optimal: int | None = None, **record: Any) -> Score:
    steps = [{"tool_calls": [c]} for c in calls] + [FINAL]
    task = {"optimal_steps": optimal, **record.pop("task", {})}
    return evaluate(make_context(task=task, steps=steps, **record))


def test_optimal_run_scores_one() -> None:
    score = run(call("get_order", id=1), call("refund", id=1), optimal=3)
    assert score.value == 1.0
    assert score.reason == "3 steps for an optimal 3 (100%). No repeated calls or retry storms."


def test_repeat_and_retry_storm() -> None:
    storm = [call("get_order", "timeout", id=2)] * 5
    score = run(call("get_order", id=1), call("get_order", id=1), *storm, call("refund"), optimal=3)
    # 9 steps: length 3/9. 8 calls, wasted 1 repeat + 4 retries: x 3/8.
    assert score.value == 0.125
    assert score.reason == (
        "9 steps for an optimal 3 (33%). 1 repeated call. Retry storm: 5× get_order failing."
    )
    assert score.details == {
        "steps": 9,
        "optimal_steps": 3,
        "calls": 8,
        "repeated_calls": 1,
        "retry_storms": [{"name": "get_order", "length": 5, "first_step": 2}],
        "wasted_calls": 5,
        "budget_exhausted": False,
    }


def test_repeats_compare_arguments_by_value() -> None:
    first = {"name": "get_order", "arguments": {"id": 5, "opts": {"a": 1, "b": 2}}}
    again = {"name": "get_order", "arguments": '{"opts": {"b": 2.0, "a": 1}, "id": 5.0}'}
    other = {"name": "get_order", "arguments": {"id": 6}}
    score = run(first, again, other)
    assert score.details["repeated_calls"] == 1
    assert score.value == 0.666667  # no optimal_steps: length 1; 1 of 3 calls wasted
    assert score.reason == "4 steps; no optimal_steps; length not judged. 1 repeated call."


def test_repeating_a_failed_call_is_a_retry_not_a_repeat() -> None:
    score = run(call("pay", "declined"), call("pay"))
    assert score.details["repeated_calls"] == 0
    assert score.value == 1.0


def test_two_failures_are_not_a_storm() -> None:
    score = run(call("pay", "x"), call("pay", "x"), call("pay"))
    assert score.details["retry_storms"] == []
    assert score.value == 1.0


def test_storms_break_on_a_different_call_and_span_steps() -> None:
    failing = call("pay", "x")
    steps = [
        {"tool_calls": [failing, failing]},
        {"tool_calls": [failing]},  # three in a row across two steps: a storm
        {"tool_calls": [call("log")]},
        {"tool_calls": [failing, failing, call("pay", "x", amount=2), failing]},
        {"tool_calls": [failing, failing, failing, failing]},
    ]
    score = evaluate(make_context(steps=steps))
    assert score.details["retry_storms"] == [
        {"name": "pay", "length": 3, "first_step": 0},
        {"name": "pay", "length": 5, "first_step": 3},
    ]
    # 12 calls; wasted 2 + 4
    assert score.value == 0.5
    assert score.reason == (
        "5 steps; no optimal_steps; length not judged. "
        "Retry storms: 3× pay failing, 5× pay failing."
    )


def test_storm_after_a_success_is_also_repeats_counted_once() -> None:
    score = run(call("pay"), call("pay", "x"), call("pay", "x"), call("pay", "x"))
    assert score.details["retry_storms"] == [{"name": "pay", "length": 3, "first_step": 1}]
    assert (score.details["repeated_calls"], score.details["wasted_calls"]) == (3, 3)
    assert score.value == 0.25
    assert score.reason == (
        "5 steps; no optimal_steps; length not judged. 3 repeated calls. "
        "Retry storm: 3× pay failing."
    )


def test_budget_exhaustion_caps_the_score() -> None:
    score = run(call("a"), optimal=2, step_budget_exceeded=True)
    assert score.value == 0.2
    assert score.reason == (
        "2 steps for an optimal 2 (100%). No repeated calls or retry storms. Step budget exhausted."
    )
    assert score.details["budget_exhausted"] is True


def test_steps_over_the_task_budget_count_as_exhausted() -> None:
    score = run(call("a"), call("b"), call("c"), task={"step_budget": 3})
    assert score.value == 0.2


def test_no_steps_scores_zero() -> None:
    score = evaluate(make_context(task={"optimal_steps": 2}))
    assert (score.value, score.reason) == (0.0, "No steps taken.")


def test_steps_without_calls_judge_length_only() -> None:
    steps = [{"message": "thinking"}] * 3 + [FINAL]
    score = evaluate(make_context(task={"optimal_steps": 2}, steps=steps))
    assert score.value == 0.5


pool = st.sampled_from([call("a"), call("a", "x"), call("b", id=1), call("b", "x", id=1)])


@given(
    calls=st.lists(st.lists(pool, max_size=4), max_size=10),
    optimal=st.none() | st.integers(1, 12),
    exceeded=st.booleans(),
)
def test_score_always_in_unit_interval(
    calls: list[list[dict[str, Any]]], optimal: int | None, exceeded: bool
) -> None:
    steps = [{"tool_calls": step} for step in calls]
    ctx = make_context(task={"optimal_steps": optimal}, steps=steps, step_budget_exceeded=exceeded)
    value = evaluate(ctx).value
    assert value is not None and 0.0 <= value <= 1.0
    if exceeded:
        assert value <= 0.2
