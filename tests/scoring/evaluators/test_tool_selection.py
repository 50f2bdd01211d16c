from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from taskgate.scoring.evaluators.base import Score
from taskgate.scoring.evaluators.tool_selection import tool_selection
from tests.conftest import make_context

evaluate = tool_selection()

TASK: dict[str, Any] = {
    "required_tools": ["parse_receipt", "issue_refund"],
    "forbidden_tools": ["delete_account"],
    "available_tools": ["parse_receipt", "lookup_policy", "issue_refund", "send_email"],
}


def call(name: str, error: str | None = None) -> dict[str, Any]:
    return {"name": name, "arguments": {}, "error": error}


def run(task: dict[str, Any] | None, *calls: dict[str, Any]) -> Score:
    steps = [{"tool_calls": [c]} for c in calls]
    return evaluate(make_context(task=task, steps=steps))


def test_everything_right_scores_one() -> None:
    score = run(TASK, call("parse_receipt"), call("lookup_policy"), call("issue_refund"))
    assert (score.value, score.reason) == (1.0, "Required tools: 2/2 called.")


def test_forbidden_hallucinated_and_errored_calls() -> None:
    score = run(
        TASK,
        call("parse_receipt"),
        call("parse_receipt", error="timeout"),
        call("delete_account"),
        call("refund_v2"),
        call("lookup_policy"),
        call("lookup_policy", error="500"),
        call("send_email"),
    )
    # 1/2 x (1 - 2/7) x (1 - 0.5 x 2/7) = 0.306, capped at 0.25 by the forbidden call
    assert score.value == 0.25
    assert score.reason == (
        "Required tools: 1/2 called (missing: issue_refund). "
        "1 call to a forbidden tool (delete_account). 1 hallucinated call (refund_v2). "
        "2/7 calls errored."
    )
    assert score.details == {
        "required_called": ["parse_receipt"],
        "required_missing": ["issue_refund"],
        "hallucinated": {"refund_v2": 1},
        "forbidden": ["delete_account"],
        "forbidden_calls": 1,
        "errored_calls": 2,
        "calls": 7,
    }


def test_components_multiply_without_a_forbidden_call() -> None:
    score = run(
        TASK,
        call("parse_receipt"),
        call("issue_refund", error="declined"),
        call("refund_v2"),
        call("refund_v2"),
        call("cancel_order"),
    )
    # coverage 1 x (1 - 3/5) x (1 - 0.5 x 1/5) = 0.36
    assert score.value == 0.36
    assert score.reason == (
        "Required tools: 2/2 called. 3 hallucinated calls (cancel_order, refund_v2). "
        "1/5 calls errored."
    )
    assert score.details["hallucinated"] == {"cancel_order": 1, "refund_v2": 2}


def test_no_calls_when_tools_were_required_scores_zero() -> None:
    score = run(TASK)
    assert score.value == 0.0
    assert score.reason == (
        "Required tools: 0/2 called (missing: parse_receipt, issue_refund). No calls made."
    )


def test_no_calls_and_nothing_required() -> None:
    score = run({"forbidden_tools": ["delete_account"]})
    assert (score.value, score.reason) == (1.0, "No tools required and none called.")


def test_no_calls_and_no_expectations_is_not_judged() -> None:
    assert run(None) == Score(None, "No tool expectations to judge.", {})
    assert run({"description": "chat only"}).value is None


def test_calls_without_expectations_are_judged_on_errors() -> None:
    score = run(None, call("a"), call("b", error="boom"))
    assert (score.value, score.reason) == (0.75, "No tools required. 1/2 calls errored.")


def test_unknown_tool_set_hallucinates_nothing() -> None:
    score = run({"required_tools": ["a"]}, call("a"), call("zzz"))
    assert score.value == 1.0
    assert score.details["hallucinated"] == {}


def test_forbidden_tool_outside_available_counts_once() -> None:
    score = run({"available_tools": ["a"], "forbidden_tools": ["rm"]}, call("a"), call("rm"))
    assert score.value == 0.25
    assert score.reason == "No tools required. 1 call to a forbidden tool (rm)."


def test_two_forbidden_tools() -> None:
    score = run({"forbidden_tools": ["rm", "drop"]}, call("rm"), call("drop"), call("rm"))
    assert score.value == 0.0
    assert score.reason == "No tools required. 3 calls to forbidden tools (drop, rm)."


names = st.sampled_from(["parse_receipt", "issue_refund", "delete_account", "x", "lookup_policy"])


@given(
    st.lists(st.tuples(names, st.booleans()), max_size=8),
    st.lists(names, max_size=3),
    st.lists(names, max_size=2),
    st.none() | st.lists(names, max_size=4),
)
def test_score_in_unit_interval(
    made: list[tuple[str, bool]],
    required: list[str],
    forbidden: list[str],
    available: list[str] | None,
) -> None:
    task = {"required_tools": required, "forbidden_tools": forbidden, "available_tools": available}
    score = run(task, *(call(name, "err" if failed else None) for name, failed in made))
    assert score.value is None or 0.0 <= score.value <= 1.0
    if required and not made:
        assert score.value == 0.0
