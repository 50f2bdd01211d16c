"""τ²-bench simulation files: real grok-3 runs, airline and telecom (fixtures/import/tau2)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from taskgate.errors import Problem
from taskgate.importers import import_files
from taskgate.importers.benchmark_tools import TAU2_WRITES
from taskgate.model.record import RunRecord
from tests.importers.helpers import (
    TAU2_ABORTED,
    TAU2_AIRLINE,
    TAU2_TELECOM,
    assert_round_trips,
    write_json,
)


def simulations(*paths: Path) -> list[RunRecord]:
    result = import_files("tau2", [str(path) for path in paths])
    assert result.problems == []
    return result.records


def test_a_hand_checked_simulation_maps_exactly() -> None:
    run = simulations(TAU2_AIRLINE)[0]
    calls = [call for step in run.steps for call in step.tool_calls]
    assert (run.run_id, run.task_id, run.trial) == (
        "b9c630c1-97a3-4bba-a3b5-230e24fcfe9b",
        "airline/11",
        0,
    )
    assert run.cohort == {
        "model": "xai/grok-3",
        "agent": "llm_agent",
        "user_model": "xai/grok-3",
        "domain": "airline",
    }
    assert (len(run.steps), len(calls)) == (13, 5)
    assert [i for i, step in enumerate(run.steps) if step.is_final] == [11]
    assert [i for i, step in enumerate(run.steps) if step.is_user] == [1, 3, 9, 12]
    assert (calls[0].name, calls[0].arguments) == (
        "get_user_details",
        {"user_id": "james_patel_9828"},
    )
    assert str(calls[0].result).startswith('{"user_id": "james_patel_9828"')
    assert str(run.final_result).startswith("Thank you for your patience, James. The downgrade")
    assert run.task is not None
    assert [call.model_dump(exclude_none=True) for call in run.task.expected_calls] == [
        {
            "name": "update_reservation_flights",
            "arguments": {
                "reservation_id": "GV1N64",
                "cabin": "basic_economy",
                "flights": [
                    {"flight_number": "HAT003", "date": "2024-05-19"},
                    {"flight_number": "HAT290", "date": "2024-05-20"},
                ],
                "payment_id": "gift_card_1642017",
            },
            "optional": False,
            "action_id": "11_0",
        }
    ]
    assert run.task.required_tools == ["update_reservation_flights"]
    assert run.task.write_tools == sorted(TAU2_WRITES["airline"])
    assert "messages" not in (run.model_extra or {})  # no system prompt, no user tool calls
    assert (run.task.success_criteria, run.task.call_order) == (["5244"], "superset")
    assert (run.usage.input_tokens, run.usage.output_tokens) == (43068, 1201)
    assert (run.usage.cost_usd, run.usage.latency_ms) == (0.147219, 45938.59)
    assert run.labels["reward"] == 1.0
    assert run.labels["termination_reason"] == "user_stop"
    assert run.labels["action_checks"] == [
        {"action_id": "11_0", "name": "update_reservation_flights", "match": True}
    ]
    assert run.labels["reward_info"]["reward_breakdown"] == {"DB": 1.0, "COMMUNICATE": 1.0}


def test_llm_judged_assertions_are_kept_but_are_not_criteria() -> None:
    task = simulations(TAU2_AIRLINE)[0].task
    assert task is not None
    extra: dict[str, Any] = task.model_extra or {}
    assert extra["nl_assertions"][2] == "Check that agent refunds $5244 to original payment method."
    assert (
        extra["purpose"] == "Test that agent does not change the number of passenger for a flight."
    )
    assert task.success_criteria == ["5244"]


def test_a_tool_error_flag_becomes_the_calls_error() -> None:
    run = simulations(TAU2_AIRLINE)[2]
    failed = [(c.name, c.error) for step in run.steps for c in step.tool_calls if c.failed]
    assert failed == [("update_reservation_flights", "Error: Payment method not found")]


def test_the_users_own_actions_are_messages_and_expected_user_calls_not_agent_steps() -> None:
    run = simulations(TAU2_TELECOM)[0]
    assert run.task is not None
    assert [call.model_dump(exclude_none=True) for call in run.task.expected_calls] == [
        {
            "name": "refuel_data",
            "arguments": {"customer_id": "C1001", "line_id": "L1002", "gb_amount": 2.0},
            "optional": False,
            "action_id": "refuel_data_1",
        }
    ]
    assert (run.task.model_extra or {})["expected_user_calls"] == [
        {"name": "toggle_data", "arguments": {}, "action_id": "toggle_data_0"}
    ]
    assert [call.name for step in run.steps for call in step.tool_calls] == [
        "get_customer_by_phone",
        "get_details_by_id",
        "get_details_by_id",
        "get_details_by_id",
        "get_details_by_id",
        "refuel_data",
    ]
    assert not any(step.tool_calls for step in run.steps if step.is_user)
    kept = (run.model_extra or {})["messages"]
    assert [(m["role"], m["after_steps"]) for m in kept] == [
        ("user", 17),
        ("tool", 17),
        ("user", 19),
        ("tool", 19),
        ("user", 21),
        ("tool", 21),
        ("user", 23),
        ("tool", 23),
    ]
    assert kept[:2] == [
        {
            "role": "user",
            "content": None,
            "tool_calls": [{"id": "call_80118423", "name": "run_speed_test", "arguments": {}}],
            "after_steps": 17,
        },
        {
            "role": "tool",
            "content": "Speed test failed: No Connection.",
            "id": "call_80118423",
            "requestor": "user",
            "error": False,
            "after_steps": 17,
        },
    ]


def test_the_users_text_messages_are_user_steps_in_conversation_order() -> None:
    run = simulations(TAU2_TELECOM)[0]
    said = [step.message or "" for step in run.steps if step.is_user]
    assert len(said) == 10
    assert said[0].startswith("Hi, I'm having some issues with my mobile data.")
    assert said[1] == "Sure, my phone number is 555-123-2002."
    assert run.steps[0].role == "agent"  # τ²'s agent greets first
    assert run.steps[-1].is_user and run.steps[-2].is_final


def test_reference_reads_are_optional_when_the_reward_is_the_end_state() -> None:
    # Task 30 is judged on DB and COMMUNICATE: its look-ups are the reference's way there.
    run = simulations(TAU2_AIRLINE)[2]
    assert run.task is not None
    assert [(call.name, call.optional) for call in run.task.expected_calls] == [
        ("get_reservation_details", True),
        ("search_direct_flight", True),
        ("update_reservation_flights", False),
    ]
    assert run.task.required_tools == ["update_reservation_flights"]


def test_each_known_domain_gets_its_agents_write_tools() -> None:
    airline, telecom = simulations(TAU2_AIRLINE)[0], simulations(TAU2_TELECOM)[0]
    assert airline.task is not None and telecom.task is not None
    assert airline.task.write_tools == sorted(TAU2_WRITES["airline"])
    assert telecom.task.write_tools == [
        "disable_roaming",
        "enable_roaming",
        "refuel_data",
        "resume_line",
        "send_payment_request",
        "suspend_line",
    ]


def _with_task(document: dict[str, Any], **criteria: Any) -> dict[str, Any]:
    task = document["tasks"][2]  # task 30: two look-ups and a flight change
    changed = {**task, "evaluation_criteria": {**task["evaluation_criteria"], **criteria}}
    return {**document, "tasks": [changed], "simulations": [document["simulations"][2]]}


def test_with_action_in_the_reward_basis_every_action_is_required(tmp_path: Path) -> None:
    document = orjson.loads(TAU2_AIRLINE.read_bytes())
    path = write_json(tmp_path / "a.json", _with_task(document, reward_basis=["DB", "ACTION"]))
    (run,) = import_files("tau2", [path]).records
    assert run.task is not None
    assert not any(call.optional for call in run.task.expected_calls)
    assert run.task.required_tools == [
        "get_reservation_details",
        "search_direct_flight",
        "update_reservation_flights",
    ]
    assert run.task.write_tools == sorted(TAU2_WRITES["airline"])


def test_without_a_reward_basis_the_default_end_state_makes_reads_optional(
    tmp_path: Path,
) -> None:
    document = orjson.loads(TAU2_AIRLINE.read_bytes())
    (run,) = import_files(
        "tau2", [write_json(tmp_path / "d.json", _with_task(document, reward_basis=None))]
    ).records
    assert run.task is not None
    assert run.task.required_tools == ["update_reservation_flights"]


def test_in_an_unknown_domain_every_action_is_required_and_no_write_tools_are_set(
    tmp_path: Path,
) -> None:
    document = orjson.loads(TAU2_AIRLINE.read_bytes())
    info = {**document["info"], "environment_info": {"domain_name": "banking"}}
    path = write_json(tmp_path / "b.json", {**_with_task(document), "info": info})
    (run,) = import_files("tau2", [path]).records
    assert run.task is not None
    assert (run.task_id, run.task.write_tools) == ("banking/30", None)
    assert not any(call.optional for call in run.task.expected_calls)
    assert len(run.task.required_tools) == 3


def test_a_file_without_simulations_imports_nothing_with_a_note() -> None:
    result = import_files("tau2", [str(TAU2_ABORTED)])
    assert (result.records, result.problems) == ([], [])
    assert result.notes == [
        f"{TAU2_ABORTED}: the file holds no simulations (5 tasks, none run: an aborted "
        "benchmark run?); nothing imported from it"
    ]


def test_every_simulation_validates_round_trips_and_has_its_own_id() -> None:
    records = simulations(TAU2_AIRLINE, TAU2_TELECOM, TAU2_ABORTED)
    assert_round_trips(records)
    assert len({record.run_id for record in records}) == len(records) == 5


def _cut(document: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**document, **changes}


def test_simulations_that_cannot_be_mapped_are_reported_with_index_and_reason(
    tmp_path: Path,
) -> None:
    document = orjson.loads(TAU2_AIRLINE.read_bytes())
    sims = document["simulations"]
    orphan = {**sims[1], "task_id": "999"}
    broken = {**sims[2], "messages": "none"}
    path = write_json(tmp_path / "cut.json", _cut(document, simulations=[sims[0], orphan, broken]))
    result = import_files("tau2", [path])
    assert [record.task_id for record in result.records] == ["airline/11"]
    assert result.problems == [
        Problem(
            path,
            None,
            "simulations[1].task_id",
            "task '999' is not in this file's tasks, so the run has no ground truth; "
            "import the simulation file the run was written to",
        ),
        Problem(
            path,
            None,
            "simulations[2].messages",
            "not a simulation: expected an object with a 'messages' list",
        ),
    ]


def test_termination_reasons_set_status_budget_and_final_step(tmp_path: Path) -> None:
    document = orjson.loads(TAU2_AIRLINE.read_bytes())
    base = document["simulations"][0]
    reasons = [
        "agent_stop",
        "max_steps",
        "timeout",
        "too_many_errors",
        "infrastructure_error",
        "user_error",
        "unexpected_error",
    ]
    sims = [{**base, "id": reason, "termination_reason": reason} for reason in reasons]
    result = import_files(
        "tau2", [write_json(tmp_path / "t.json", _cut(document, simulations=sims))]
    )
    seen = [
        (r.run_id, r.status, r.error_kind, r.step_budget_exceeded, any(s.is_final for s in r.steps))
        for r in result.records
    ]
    assert seen == [
        ("agent_stop", "completed", None, False, True),
        ("max_steps", "completed", None, True, False),
        ("timeout", "timeout", None, False, False),
        ("too_many_errors", "error", "agent", False, False),
        ("infrastructure_error", "error", "infrastructure", False, False),
        ("user_error", "error", "infrastructure", False, False),
        ("unexpected_error", "error", None, False, False),
    ]
