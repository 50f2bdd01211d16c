from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taskgate.scoring.checks import CheckSettings
from taskgate.scoring.context import RunContext
from taskgate.scoring.evaluators.task_completion import task_completion
from taskgate.scoring.outcome import is_empty
from tests.conftest import make_context, make_record

WEIGHTS = {"final_step": 0.2, "outcome": 0.5, "criteria": 0.3}
SETTINGS = CheckSettings(
    keyword_share=0.75,
    order="unordered",
    arguments="exact",
    outcome_match="contains",
    outcome_tolerance=None,
    write_tools=(),
)
evaluate = task_completion(WEIGHTS, SETTINGS)

EXPECTED = "Refund of $20.50 issued for order 1182"
TASK: dict[str, Any] = {
    "expected_result": EXPECTED,
    "success_criteria": [
        "receipt parsed",
        {"id": "refund_issued", "tool_called": "issue_refund"},
        {"result_matches": r"REF-\d+"},
        {"not": {"tool_called": "delete_account"}},
    ],
    "step_budget": 5,
}
PARSE = {"name": "parse_receipt", "arguments": {"order_id": "1182"}, "result": {"total": 20.5}}
FINAL = "Done: refund of $20.50 issued for order 1182 (REF-99)."


def steps(*calls: dict[str, Any], final: str | None = FINAL) -> list[dict[str, Any]]:
    body = [{"tool_calls": [call], "observation": "Receipt parsed"} for call in calls]
    return body + ([{"message": final, "is_final": True}] if final is not None else [])


def test_contained_result_and_one_unmet_criterion() -> None:
    score = evaluate(make_context(task=TASK, steps=steps(PARSE), final_result=FINAL))
    # 0.2 * 1 + 0.5 * 0.9 + 0.3 * 3/4
    assert score.value == 0.875
    assert score.reason == (
        "Final step reached. Result matches expected (90%). Criteria: 3/4 met. Unmet: refund_issued"
    )
    assert score.details == {
        "has_final_step": True,
        "result_produced": True,
        "step_budget_exceeded": False,
        "outcome": 0.9,
        "outcome_holds": True,
        "criteria": 0.75,
        "criteria_met": [
            "'receipt parsed'",
            "result_matches 'REF-\\\\d+'",
            "not(tool_called delete_account)",
        ],
        "criteria_unmet": ["refund_issued"],
        "underspecified": False,
        "final_step_only": False,
    }


def test_everything_met_scores_one() -> None:
    refund = {"name": "issue_refund", "arguments": '{"order_id": "1182"}', "result": "ok"}
    score = evaluate(
        make_context(task=TASK, steps=steps(PARSE, refund), final_result=EXPECTED + " REF-1")
    )
    assert score.value == 0.95  # result contains the expected text: outcome 0.9
    assert score.reason == "Final step reached. Result matches expected (90%). Criteria: 4/4 met."


def test_failed_tool_call_does_not_meet_tool_called() -> None:
    refund = {"name": "issue_refund", "arguments": {}, "error": "timeout"}
    score = evaluate(make_context(task=TASK, steps=steps(PARSE, refund), final_result=FINAL))
    assert "Unmet: refund_issued" in score.reason


def test_final_result_falls_back_to_final_message() -> None:
    ctx = make_context(task=TASK, steps=steps(PARSE))
    assert ctx.result == FINAL
    assert evaluate(ctx).value == 0.875


def test_empty_result_scores_no_outcome() -> None:
    score = evaluate(make_context(task=TASK, steps=steps(PARSE, final=""), final_result=""))
    # final step 0.2 + criteria 2/4 ('receipt parsed', not(...)) * 0.3
    assert score.value == 0.35
    assert score.reason == (
        "Final step reached. No result produced. Criteria: 2/4 met. "
        "Unmet: refund_issued, result_matches 'REF-\\\\d+'"
    )
    assert score.details["result_produced"] is False


def test_budget_exhaustion_loses_the_final_step() -> None:
    many = steps(PARSE, PARSE, PARSE, PARSE, PARSE)  # 6 steps, budget 5
    score = evaluate(make_context(task=TASK, steps=many, final_result=FINAL))
    assert score.value == 0.675
    assert score.reason.startswith("Final step reached, but the step budget ran out.")
    assert score.details["step_budget_exceeded"] is True


def test_no_final_step_with_flagged_budget() -> None:
    ctx = make_context(task=TASK, steps=steps(PARSE, final=None), step_budget_exceeded=True)
    score = evaluate(ctx)
    assert score.reason.startswith("No final step (step budget exhausted). No result produced.")


def test_missing_expected_result_reweights_and_flags_underspecified() -> None:
    task = {**TASK, "expected_result": None}
    score = evaluate(make_context(task=task, steps=steps(PARSE), final_result=FINAL))
    # (0.2 * 1 + 0.3 * 0.75) / 0.5
    assert score.value == 0.85
    assert score.reason.startswith("Final step reached. No expected result to compare.")
    assert score.details["underspecified"] is True


def test_missing_criteria_reweights_and_flags_underspecified() -> None:
    task = {"expected_result": EXPECTED}
    score = evaluate(make_context(task=task, steps=steps(PARSE), final_result=EXPECTED))
    assert score.value == 1.0
    assert (
        score.reason == "Final step reached. Result matches expected (100%). No success criteria."
    )
    assert score.details["underspecified"] is True


def test_no_task_at_all_is_unjudged_not_a_made_up_score() -> None:
    score = evaluate(make_context(steps=steps()))
    assert score.value is None
    assert score.reason == (
        "Unjudged: Final step reached. No expected result to compare. No success criteria."
    )
    assert score.details["underspecified"] is True
    assert score.details["final_step_only"] is True


def test_a_negated_result_is_not_contained_and_grades_below_a_match() -> None:
    task = {"expected_result": "refund issued"}
    negated = evaluate(make_context(task=task, steps=steps(), final_result="Refund not issued."))
    assert negated.details["outcome_holds"] is False
    assert negated.details["outcome"] is not None and negated.details["outcome"] < 0.9


def test_write_tools_without_criteria_join_the_calls_as_criteria() -> None:
    task = {"write_tools": ["issue_refund"]}
    refund = {"name": "issue_refund", "arguments": {"order_id": "1"}, "result": "ok"}
    score = evaluate(make_context(task=task, steps=steps(refund)))
    # final step 0.2 and the one criterion (no unaccounted write) unmet, over 0.5
    assert score.value == 0.4
    assert score.reason == (
        "Final step reached. No expected result to compare. Criteria: 0/1 met. "
        "Unmet: no unaccounted write"
    )


@pytest.mark.parametrize(
    ("criterion", "met"),
    [
        ({"result_contains": "order 1182"}, True),
        ({"result_contains": "order 118"}, False),
        ({"observation_contains": "total 20.5"}, True),  # a tool result
        ({"observation_contains": "receipt parsed"}, True),  # an observation
        ({"observation_contains": "refund issued"}, False),  # only in the result
        ({"tool_called": {"name": "parse_receipt", "arguments": {"order_id": 1182}}}, True),
        ({"tool_called": {"name": "parse_receipt", "arguments": {"order_id": "9"}}}, False),
        ({"result_matches": "^Done"}, True),
        ({"not": "refund issued"}, False),
        ("parse receipt order", True),  # tool call name and arguments count as evidence
        ("refund denied", False),
    ],
)
def test_structured_criteria(criterion: Any, met: bool) -> None:
    task = {"expected_result": EXPECTED, "success_criteria": [criterion]}
    score = evaluate(make_context(task=task, steps=steps(PARSE), final_result=FINAL))
    assert score.details["criteria_met" if met else "criteria_unmet"] != []


def test_thoughts_are_not_evidence() -> None:
    task = {"success_criteria": ["refund issued"]}
    record = {"steps": [{"thought": "the refund issued already", "is_final": True}]}
    score = evaluate(make_context(task=task, **record))
    assert score.details["criteria_unmet"] == ["'refund issued'"]


def test_reason_is_the_same_for_every_run_of_the_same_record() -> None:
    reasons = {
        evaluate(make_context(task=TASK, steps=steps(PARSE), final_result=FINAL)).reason
        for _ in range(5)
    }
    assert len(reasons) == 1


json_text = st.text(max_size=30) | st.none()


@settings(max_examples=200)
@given(
    expected=json_text,
    result=json_text,
    final=st.booleans(),
    exceeded=st.booleans(),
    phrases=st.lists(st.text(min_size=1, max_size=20), max_size=4),
)
def test_score_always_in_unit_interval(
    expected: str | None, result: str | None, final: bool, exceeded: bool, phrases: list[str]
) -> None:
    record = make_record(
        task={"expected_result": expected, "success_criteria": phrases},
        steps=[{"message": result, "is_final": final}],
        final_result=result,
        step_budget_exceeded=exceeded,
    )
    value = evaluate(RunContext(record)).value
    # A text with no word or number in it (punctuation, control characters) states nothing.
    stated = bool(phrases) or not is_empty(expected)
    if stated:
        assert value is not None and 0.0 <= value <= 1.0
    else:
        assert value is None


@given(st.permutations(["a b", "refund issued", "receipt parsed", "order 1182"]))
def test_criteria_count_does_not_depend_on_their_order(order: list[str]) -> None:
    task = {"expected_result": EXPECTED, "success_criteria": order}
    score = evaluate(make_context(task=task, steps=steps(PARSE), final_result=FINAL))
    assert score.value == 0.875


STEPS = [
    {"tool_calls": [PARSE], "observation": "Receipt parsed"},
    {"tool_calls": [{"name": "issue_refund", "arguments": {"order_id": "1182"}, "result": "ok"}]},
    {"message": "Working on it"},
    {"message": FINAL, "is_final": True},
]


@given(st.permutations(STEPS))
def test_step_order_does_not_change_completion(steps: list[dict[str, Any]]) -> None:
    # Completion asks whether things happened, not when; the result is given explicitly.
    score = evaluate(make_context(task=TASK, steps=steps, final_result=FINAL))
    assert score.value == 0.95


@given(st.randoms())
def test_key_order_of_the_record_does_not_matter(rng: Any) -> None:
    def shuffled(value: Any) -> Any:
        if isinstance(value, dict):
            items = list(value.items())
            rng.shuffle(items)
            return {k: shuffled(v) for k, v in items}
        if isinstance(value, list):
            return [shuffled(v) for v in value]
        return value

    record = {"task": TASK, "steps": STEPS, "final_result": FINAL}
    assert evaluate(make_context(**shuffled(record))) == evaluate(make_context(**record))


def test_expected_calls_stand_in_for_missing_criteria() -> None:
    refund = {"name": "issue_refund", "arguments": {"order_id": "1182", "amount": 20.5}}
    task = {
        "expected_calls": [{"name": "parse_receipt", "arguments": {"order_id": "1182"}}, refund],
    }
    wrong_amount = {**refund, "arguments": {"order_id": "1182", "amount": 25}, "result": "ok"}
    score = evaluate(make_context(task=task, steps=steps(PARSE, wrong_amount)))
    # final step 0.2 and half the calls made right 0.3 * 0.5, re-weighted over 0.5
    assert score.value == 0.7
    assert score.reason == (
        "Final step reached. No expected result to compare. Criteria: 1/2 met. "
        "Unmet: call issue_refund"
    )
    assert score.details["underspecified"] is True  # still no expected result


def test_a_long_result_says_the_similarity_read_a_prefix() -> None:
    long_result = "nothing like it " * 2000
    ctx = make_context(
        task={"expected_result": "Refund of $20.50 issued"},
        steps=[{"message": long_result, "is_final": True}],
        final_result=long_result,
    )
    reason = evaluate(ctx).reason
    assert "; similarity read the first 20,000 characters)." in reason
    short = make_context(
        task={"expected_result": "Refund of $20.50 issued"},
        steps=[{"message": "no", "is_final": True}],
        final_result="no refund",
    )
    assert "similarity read" not in evaluate(short).reason
