"""Multi-agent runs: the agent holding the run at its end must take the final step."""

from __future__ import annotations

from typing import Any

from taskgate.config.load import default_config
from taskgate.scoring.scorer import Scorer
from tests.conftest import make_context, make_record

TASK = {"expected_result": "Refund issued"}


def step(agent: str | None, message: str | None = None, **fields: Any) -> dict[str, Any]:
    made: dict[str, Any] = {"agent": agent} if agent else {}
    if message:
        made["message"] = message
    return {**made, **fields}


def failed(steps: list[dict[str, Any]]) -> list[str]:
    checks = make_context(task=TASK, steps=steps).checks
    return [c.message for c in checks.checks if not c.holds]


def held(steps: list[dict[str, Any]]) -> list[str]:
    checks = make_context(task=TASK, steps=steps).checks
    return [c.name for c in checks.checks if c.holds]


DELEGATED = [
    step(None, tool_calls=[{"name": "Task", "arguments": {"subagent_type": "billing"}}]),
    step("billing", "Refund issued"),
]


def test_a_sub_agent_that_finishes_for_an_orchestrator_that_never_did_fails() -> None:
    final = [*DELEGATED[:-1], step("billing", "Refund issued", is_final=True)]
    assert failed(final) == [
        "Final step taken by 'billing', not by the top-level agent, which holds the run"
    ]
    finished = [*DELEGATED, step(None, "Refund issued", is_final=True)]
    assert failed(finished) == []
    assert "final_agent" in held(finished)


def test_after_a_handoff_the_receiver_holds_the_run() -> None:
    handoff = step("triage", handoff={"from": "triage", "to": "billing"})
    by_receiver = [
        step("triage", "One moment"),
        handoff,
        step("billing", "Refund issued", is_final=True),
    ]
    assert failed(by_receiver) == []
    by_sender = [
        step("triage", "One moment"),
        handoff,
        step("triage", "Refund issued", is_final=True),
    ]
    assert failed(by_sender) == [
        "Final step taken by 'triage', not by 'billing', which holds the run"
    ]


def test_a_run_that_does_not_say_who_holds_it_is_not_judged_so() -> None:
    # Named agents from the first step and no handoff: a swarm whose transfers were not
    # recorded, or a supervisor; which agent should finish cannot be told.
    swarm = [step("triage", "One moment"), step("billing", "Refund issued", is_final=True)]
    assert failed(swarm) == []
    assert "final_agent" not in held(swarm)
    single = [step(None, "Refund issued", is_final=True)]
    assert "final_agent" not in held(single)


def test_the_failure_shape_is_abandoned_handoff() -> None:
    steps = [*DELEGATED[:-1], step("billing", "Refund issued", is_final=True)]
    result = Scorer(default_config()).score(make_record(task=TASK, steps=steps)).result
    assert (result.passed, result.failed_check, result.failure_shape) == (
        False,
        "final_agent",
        "abandoned_handoff",
    )


def handoffs(*receivers: str) -> list[dict[str, Any]]:
    made = [step("triage", handoff={"from": "triage", "to": to}) for to in receivers]
    return [*made, step(receivers[-1], "Refund issued", is_final=True)]


def expected(order: str, *names: str) -> dict[str, Any]:
    return {**TASK, "expected_handoffs": list(names), "call_order": order}


def checked(task: dict[str, Any], steps: list[dict[str, Any]]) -> list[tuple[str, bool, str]]:
    checks = make_context(task=task, steps=steps).checks.checks
    return [(c.name, c.holds, c.message) for c in checks if "handoff" in c.name]


def test_expected_handoffs_are_checked_under_the_call_order() -> None:
    run = handoffs("billing", "refunds")
    assert checked(expected("strict", "billing", "refunds"), run) == [
        ("expected_handoff", True, "Expected handoff to 'billing' made"),
        ("expected_handoff", True, "Expected handoff to 'refunds' made"),
    ]
    assert checked(expected("strict", "refunds", "billing"), run) == [
        ("expected_handoff", True, "Expected handoff to 'refunds' made"),
        ("expected_handoff", False, "Expected handoff to 'billing' not made in order"),
    ]
    assert checked(expected("unordered", "refunds", "billing"), run) == [
        ("expected_handoff", True, "Expected handoff to 'refunds' made"),
        ("expected_handoff", True, "Expected handoff to 'billing' made"),
    ]
    assert checked(expected("superset", "billing", "billing"), run) == [
        ("expected_handoff", True, "Expected handoff to 'billing' made"),
        ("expected_handoff", False, "Expected handoff to 'billing' not made"),
    ]
    assert checked(expected("subset", "billing"), run) == [
        ("extra_handoff", False, "Unexpected handoff to 'refunds'"),
    ]


def test_a_task_stating_only_handoffs_is_judged_on_them() -> None:
    task = {"expected_handoffs": ["billing"]}
    made = make_context(task=task, steps=handoffs("billing")).checks
    assert (made.judged, made.passed) == (True, True)
    missed = make_context(task=task, steps=handoffs("refunds")).checks
    assert (missed.passed, missed.reason) == (False, "Expected handoff to 'billing' not made.")


def handled_by(steps: list[dict[str, Any]], cohort: dict[str, str] | None = None) -> str | None:
    record = make_record(task=TASK, steps=steps, cohort=cohort or {})
    return Scorer(default_config()).score(record).result.cohort.get("handled_by")


def test_a_multi_agent_run_is_in_the_cohort_of_the_agent_it_ended_with() -> None:
    assert handled_by(handoffs("billing", "refunds")) == "refunds"
    # A handoff names who holds the run even when someone else spoke last.
    assert handled_by([*handoffs("billing")[:-1], step("triage", "Done")]) == "billing"
    assert handled_by([*DELEGATED, step(None, "Refund issued", is_final=True)]) == "(top-level)"
    swarm = [step("triage", "One moment"), step("billing", "Refund issued", is_final=True)]
    assert handled_by(swarm) == "billing"


def test_a_run_naming_no_agent_gets_no_handled_by_and_the_record_s_own_key_wins() -> None:
    assert handled_by([step(None, "Refund issued", is_final=True)]) is None
    mine = handled_by(handoffs("billing"), cohort={"handled_by": "queue-7"})
    assert mine == "queue-7"
