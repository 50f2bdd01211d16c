"""τ²-bench simulation files: real grok-3 runs, airline and telecom (fixtures/import/tau2)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from taskgate.errors import Problem
from taskgate.importers import import_files
from taskgate.models import RunRecord
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
        "trial": "0",
        "termination_reason": "user_stop",
    }
    assert (len(run.steps), len(calls), run.steps[-1].is_final) == (9, 5, True)
    assert (calls[0].name, calls[0].arguments) == (
        "get_user_details",
        {"user_id": "james_patel_9828"},
    )
    assert str(calls[0].result).startswith('{"user_id": "james_patel_9828"')
    assert str(run.final_result).startswith("Thank you for your patience, James. The downgrade")
    assert run.task is not None
    assert [call.model_dump() for call in run.task.expected_calls] == [
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
            "action_id": "11_0",
        }
    ]
    assert run.task.required_tools == ["update_reservation_flights"]
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
    assert [call.model_dump() for call in run.task.expected_calls] == [
        {
            "name": "refuel_data",
            "arguments": {"customer_id": "C1001", "line_id": "L1002", "gb_amount": 2.0},
            "action_id": "refuel_data_1",
        }
    ]
    assert (run.task.model_extra or {})["expected_user_calls"] == [
        {"name": "toggle_data", "arguments": {}, "action_id": "toggle_data_0"}
    ]
    agent_calls = {call.name for step in run.steps for call in step.tool_calls}
    assert "run_speed_test" not in agent_calls
    kept = [m for m in (run.model_extra or {})["messages"] if m["role"] == "tool"]
    assert kept[0] == {
        "role": "tool",
        "content": "Speed test failed: No Connection.",
        "id": "call_80118423",
        "requestor": "user",
        "error": False,
        "after_steps": 12,
    }


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
    reasons = ["agent_stop", "max_steps", "timeout", "too_many_errors", "infrastructure_error"]
    sims = [{**base, "id": reason, "termination_reason": reason} for reason in reasons]
    result = import_files(
        "tau2", [write_json(tmp_path / "t.json", _cut(document, simulations=sims))]
    )
    seen = [
        (r.run_id, r.status, r.step_budget_exceeded, r.steps[-1].is_final) for r in result.records
    ]
    assert seen == [
        ("agent_stop", "completed", False, True),
        ("max_steps", "completed", True, False),
        ("timeout", "timeout", False, False),
        ("too_many_errors", "error", False, False),
        ("infrastructure_error", "error", False, False),
    ]
