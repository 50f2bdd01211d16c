from __future__ import annotations

from dataclasses import replace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from taskgate.model.record import OutcomeMode
from taskgate.model.trajectory import ToolCall
from taskgate.scoring.checks import (
    UNJUDGED_REASON,
    CheckSettings,
    RunChecks,
    is_write,
    show_call,
)
from taskgate.scoring.context import RunContext
from tests.conftest import make_context

SETTINGS = CheckSettings(
    keyword_share=0.75,
    order="unordered",
    arguments="exact",
    outcome_match="contains",
    outcome_tolerance=None,
    write_tools=(),
)


def judge(ctx: RunContext) -> RunChecks:
    return ctx.checks_for(SETTINGS)


REFUND = {"name": "issue_refund", "arguments": {"order_id": "1182", "amount": 20.5}}
LOOKUP = {"name": "get_order", "arguments": {"order_id": "1182"}}
FINAL = "Refund of $20.50 issued for order 1182."
TASK: dict[str, Any] = {
    "expected_result": "refund of $20.50 issued for order 1182",
    "success_criteria": ["refund issued", {"id": "refund_called", "tool_called": "issue_refund"}],
    "expected_calls": [REFUND],
    "required_tools": ["issue_refund"],
    "write_tools": ["issue_*", "delete_account"],
}


def call(name: str, arguments: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"name": name, "arguments": arguments, "result": "ok", **extra}


def run(
    *calls: dict[str, Any],
    task: dict[str, Any] | None = None,
    final: str | None = FINAL,
    status: str = "completed",
    settings: CheckSettings = SETTINGS,
) -> RunChecks:
    steps: list[dict[str, Any]] = [{"tool_calls": [c]} for c in calls]
    if final is not None:
        steps.append({"message": final, "is_final": True})
    ctx = make_context(task=TASK if task is None else task, steps=steps, status=status)
    return ctx.checks_for(settings)


def test_a_run_that_does_everything_its_task_states_passes() -> None:
    checks = run(call(**LOOKUP), call(**REFUND))
    assert checks.passed is True
    assert checks.first_failed is None
    assert checks.reason == (
        "Passed: completed, final step, outcome, 2 criteria, 1 expected call, 1 required tool, "
        "no unaccounted write."
    )


def test_a_task_that_states_no_goal_is_unjudged_not_passed() -> None:
    checks = run(call(**LOOKUP), task={"forbidden_tools": ["delete_account"]})
    assert checks.passed is None
    assert checks.judged is False
    assert checks.reason == UNJUDGED_REASON


def test_a_run_that_errored_failed_even_when_its_task_states_no_goal() -> None:
    checks = run(task={}, status="timeout", final=None)
    assert checks.passed is False
    assert checks.reason == "Run ended with status timeout."


def test_optional_calls_alone_state_no_goal() -> None:
    checks = run(task={"expected_calls": [{**LOOKUP, "optional": True}]})
    assert checks.passed is None


def test_write_tools_alone_state_a_goal_change_nothing_unaccounted() -> None:
    task = {"write_tools": ["issue_refund"]}
    assert run(call(**LOOKUP), task=task).passed is True
    refunded = run(call(**REFUND), task=task)
    assert refunded.passed is False
    assert refunded.reason == 'Extra write: issue_refund({"amount":20.5,"order_id":"1182"}).'


def test_status_is_the_first_check() -> None:
    checks = run(call(**REFUND), status="error", final=None)
    assert checks.passed is False
    assert checks.reason == "Run ended with status error."
    assert checks.first_failed is not None and checks.first_failed.name == "status"


def test_no_final_step() -> None:
    assert run(call(**REFUND), final=None).reason == "No final step."


def test_budget_exhausted_before_the_final_step() -> None:
    task = {**TASK, "step_budget": 1}
    assert run(call(**REFUND), task=task).reason == "Step budget exhausted before the final step."


def test_an_unmet_criterion_fails_even_with_everything_else_right() -> None:
    task = {**TASK, "success_criteria": [{"id": "receipt", "result_contains": "receipt"}]}
    checks = run(call(**REFUND), task=task)
    assert checks.passed is False
    assert checks.reason == "Criterion receipt not met."


def test_an_expected_call_not_made() -> None:
    task = {**TASK, "expected_result": None, "success_criteria": []}
    assert run(call(**LOOKUP), task=task).reason == "Expected call issue_refund not made."


def test_an_expected_call_with_other_arguments() -> None:
    task = {**TASK, "expected_result": None, "success_criteria": []}
    wrong = call("issue_refund", {"order_id": "1182", "amount": 25.0})
    assert run(wrong, task=task).reason == (
        "Expected call issue_refund not made with the expected arguments."
    )


def test_a_call_that_errored_never_satisfies_an_expected_call() -> None:
    task = {**TASK, "expected_result": None, "success_criteria": []}
    failed = call(**REFUND, error="timeout")
    assert run(failed, task=task).reason == (
        "Expected call issue_refund not made: every call to it failed."
    )


def test_the_same_call_cannot_satisfy_two_expected_calls() -> None:
    task = {"expected_calls": [REFUND, REFUND]}
    assert run(call(**REFUND), task=task).reason == (
        "Expected call issue_refund not made: the call that matches it counts for another "
        "expected call."
    )


def test_an_extra_write_fails_under_superset() -> None:
    task = {**TASK, "call_order": "superset"}
    twice = run(call(**REFUND), call(**REFUND), task=task)
    assert twice.passed is False
    assert twice.reason == 'Extra write: issue_refund({"amount":20.5,"order_id":"1182"}).'


def test_config_write_tools_add_to_the_tasks() -> None:
    settings = replace(SETTINGS, write_tools=("release*",))
    brake = call("releaseBrakePedal", {})
    checks = run(call(**REFUND), brake, settings=settings)
    assert checks.reason == "Extra write: releaseBrakePedal()."


def test_a_failed_write_changed_nothing() -> None:
    task = {**TASK, "call_order": "superset"}
    checks = run(call(**REFUND), call(**REFUND, error="declined"), task=task)
    assert checks.passed is True


def test_subset_order_allows_missing_calls_but_no_others() -> None:
    task = {"expected_calls": [REFUND, LOOKUP], "call_order": "subset"}
    assert run(call(**LOOKUP), task=task).passed is True
    extra = run(call(**LOOKUP), call("send_email", {"to": "a@b.c"}), task=task)
    assert extra.reason == 'Unexpected call send_email({"to":"a@b.c"}).'


def test_strict_order_needs_the_calls_in_order() -> None:
    task = {"expected_calls": [LOOKUP, REFUND], "call_order": "strict"}
    assert run(call(**LOOKUP), call(**REFUND), task=task).passed is True
    reversed_order = run(call(**REFUND), call(**LOOKUP), task=task)
    assert reversed_order.passed is False
    assert reversed_order.first_failed is not None
    assert reversed_order.first_failed.name == "expected_call"


def test_a_missing_optional_call_is_not_a_failed_check() -> None:
    task = {"expected_calls": [{**LOOKUP, "optional": True}, REFUND]}
    assert run(call(**REFUND), task=task).passed is True


def test_required_forbidden_and_unknown_tools() -> None:
    required = run(call(**LOOKUP), task={"required_tools": ["issue_refund"]})
    assert required.reason == "Required tool issue_refund not called (or every call failed)."
    forbidden = {"required_tools": ["get_order"], "forbidden_tools": ["delete_account"]}
    checks = run(call(**LOOKUP), call("delete_account", {}), task=forbidden)
    assert checks.reason == "Forbidden tool called: delete_account."
    available = {"required_tools": ["get_order"], "available_tools": ["get_order"]}
    checks = run(call(**LOOKUP), call("get_weather", {}), task=available)
    assert checks.reason == "Unknown tool called: get_weather."


def test_turns_place_an_expected_call() -> None:
    task = {"expected_calls": [{**REFUND, "turn": 2}]}
    steps: list[dict[str, Any]] = [
        {"role": "user", "message": "Refund order 1182"},
        {"tool_calls": [call(**REFUND)]},
        {"role": "user", "message": "Thanks"},
        {"message": FINAL, "is_final": True},
    ]
    checks = judge(make_context(task=task, steps=steps))
    assert checks.reason == "Expected call issue_refund made in turn 1, expected in turn 2."
    on_time = [steps[0], steps[2], steps[1], steps[3]]
    assert judge(make_context(task=task, steps=on_time)).passed is True


def test_a_turn_beyond_the_runs_user_turns_is_unmet() -> None:
    task = {"expected_calls": [{**REFUND, "turn": 5}]}
    steps = [{"role": "user", "message": "Refund"}, {"tool_calls": [call(**REFUND)]}]
    checks = judge(make_context(task=task, steps=[*steps, {"message": FINAL, "is_final": True}]))
    assert checks.reason == "Expected call issue_refund made in turn 1, expected in turn 5."


def test_write_patterns_are_names_or_globs() -> None:
    assert is_write("update_seat", ("update_*",))
    assert is_write("cancel", ("cancel",))
    assert not is_write("get_update", ("update_*",))
    # Names are matched case-sensitively, as tools are called.
    assert not is_write("Cancel", ("cancel",))


def test_show_call_cuts_long_arguments() -> None:
    made = ToolCall("send_email", {"body": "x" * 200})
    assert show_call(made) == 'send_email({"body":"' + "x" * 48 + "...)"


MODES: list[OutcomeMode] = ["exact", "contains", "numeric", "subset"]


@settings(max_examples=60, deadline=None)
@given(
    extra=st.lists(st.sampled_from(["issue_refund", "delete_account", "issue_credit"]), max_size=3),
    mode=st.sampled_from(MODES),
)
def test_an_extra_write_never_turns_a_failure_into_a_pass(extra: list[str], mode: str) -> None:
    settings_ = replace(SETTINGS, outcome_match=mode)
    base = run(call(**REFUND), settings=settings_)
    more = run(
        call(**REFUND), *(call(name, {"n": i}) for i, name in enumerate(extra)), settings=settings_
    )
    if extra:
        assert more.passed is False
    if base.passed is not True:
        assert more.passed is not True


@settings(max_examples=40, deadline=None)
@given(st.permutations([REFUND, LOOKUP, {"name": "send_email", "arguments": {"to": "x"}}]))
def test_unordered_expected_calls_do_not_depend_on_the_order_made(
    order: list[dict[str, Any]],
) -> None:
    task = {"expected_calls": [REFUND, LOOKUP], "call_order": "unordered"}
    assert run(*(call(**c) for c in order), task=task).passed is True
