"""τ-bench result files: five real runs of gpt-4o on airline tasks (fixtures/import/tau-bench)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from taskgate.errors import Problem
from taskgate.importers import import_files
from taskgate.importers.benchmark_tools import TAU_BENCH_WRITES
from taskgate.model.record import ExpectedCall, RunRecord
from tests.importers.helpers import TAU_BENCH, assert_round_trips, write_json

AIRLINE_WRITES = [
    "book_reservation",
    "cancel_reservation",
    "send_certificate",
    "update_reservation_baggages",
    "update_reservation_flights",
    "update_reservation_passengers",
]


def runs() -> list[RunRecord]:
    result = import_files("tau-bench", [str(TAU_BENCH)])
    assert (result.problems, result.notes) == ([], [])
    return result.records


def test_a_hand_checked_run_maps_exactly() -> None:
    # Task 0, trial 0: gpt-4o booked the right flights but charged a bag the gold member
    # gets free, so the database did not match (reward 0).
    run = runs()[0]
    calls = [call for step in run.steps for call in step.tool_calls]
    assert (run.run_id, run.task_id, run.trial) == ("gpt-4o-airline:0:0", "airline/0", 0)
    assert run.cohort == {
        "model": "gpt-4o",
        "domain": "airline",
    }
    assert (len(run.steps), len(calls)) == (23, 8)
    assert [i for i, step in enumerate(run.steps) if step.is_final] == [21]
    assert (calls[0].name, calls[0].arguments) == ("get_user_details", {"user_id": "mia_li_3668"})
    assert str(calls[0].result).startswith('{"name": {"first_name": "Mia", "last_name": "Li"}')
    assert str(run.final_result).startswith(
        "Your flight from New York (JFK) to Seattle (SEA) has been successfully booked."
    )
    assert run.task is not None
    assert run.task.description is not None
    assert run.task.description.startswith("You are mia_li_3668. You want to fly from New York")
    assert [call.name for call in run.task.expected_calls] == ["book_reservation"]
    assert run.task.expected_calls[0].arguments["payment_methods"] == [
        {"payment_id": "certificate_7504069", "amount": 250},
        {"payment_id": "credit_card_4421486", "amount": 5},
    ]
    assert (run.task.required_tools, run.task.call_order) == (["book_reservation"], "superset")
    assert run.task.expected_calls[0].optional is False
    assert run.task.write_tools == AIRLINE_WRITES
    assert (run.task.success_criteria, run.task.available_tools) == ([], None)
    assert run.labels["reward"] == 0.0
    assert run.labels["reward_info"]["info"]["r_actions"] == 0.0
    assert (run.status, run.step_budget_exceeded, run.usage.tokens) == ("completed", False, None)


def test_user_turns_are_user_steps_in_order_and_the_system_prompt_a_message() -> None:
    run = runs()[0]
    said = [(i, step.message) for i, step in enumerate(run.steps) if step.is_user]
    assert [i for i, _ in said] == [0, 2, 4, 8, 11, 14, 19, 22]
    assert said[0][1] == "Hi! I'm looking to book a flight from New York to Seattle on May 20th."
    assert said[-1][1] == "Thank you so much for your help! ###STOP###"
    assert not any(step.tool_calls or step.is_final for step in run.steps if step.is_user)
    # The user's goodbye comes last; the final step is the agent's reply before it.
    assert (run.steps[21].role, run.steps[21].is_final) == ("agent", True)
    messages: list[dict[str, Any]] = (run.model_extra or {})["messages"]
    assert [(m["role"], m["after_steps"]) for m in messages] == [("system", 0)]
    assert messages[0]["content"].startswith("# Airline Agent Policy")


def test_a_tool_output_starting_with_error_is_the_calls_error() -> None:
    calls = [call for step in runs()[0].steps for call in step.tool_calls]
    failed = [(call.name, call.error) for call in calls if call.failed]
    assert failed == [
        (
            "book_reservation",
            "Error: payment amount does not add up, total price is 305, but paid 255",
        )
    ]
    assert calls[4].result is None


def test_reused_call_ids_pair_each_tool_message_with_the_oldest_unanswered_call() -> None:
    # τ-bench reuses call ids: two different searches share one id here.
    calls = [call for step in runs()[0].steps for call in step.tool_calls]
    assert [call.name for call in calls[1:3]] == ["search_direct_flight", "search_onestop_flight"]
    assert str(calls[1].result).startswith('[{"flight_number": "HAT069"')
    assert str(calls[2].result).startswith('[[{"flight_number": "HAT057"')


def test_outputs_the_agent_must_say_become_phrase_criteria() -> None:
    run = runs()[2]
    assert run.run_id == "gpt-4o-airline:44:0"
    assert run.task is not None
    assert run.task.success_criteria == ["4"]
    assert run.task.expected_calls == [
        ExpectedCall(
            name="get_reservation_details", arguments={"reservation_id": "JMO1MG"}, optional=True
        ),
        ExpectedCall(
            name="get_user_details", arguments={"user_id": "anya_garcia_5901"}, optional=True
        ),
    ]
    assert run.task.required_tools == []
    assert run.final_result == "You can take a total of 4 free checked bags."


def test_a_transfer_ends_the_run_normally_and_running_out_of_steps_does_not() -> None:
    transfer, exhausted = runs()[3], runs()[4]
    assert transfer.labels["termination_reason"] == "transfer"
    assert transfer.steps[-1].is_final
    assert transfer.steps[-1].tool_calls[0].name == "transfer_to_human_agents"
    assert exhausted.labels["termination_reason"] == "max_steps"
    assert (len(exhausted.steps), exhausted.step_budget_exceeded) == (38, True)
    assert not any(step.is_final for step in exhausted.steps)
    # reward_info is null in the source
    assert exhausted.labels == {"reward": 0.0, "termination_reason": "max_steps"}


def test_only_the_reference_writes_are_required_and_its_reads_are_optional() -> None:
    # Task 33: the reference looks up a user, five reservations and ten flights on the way
    # to one cancellation and three flight changes; τ-bench judges only the database.
    task = runs()[4].task
    assert task is not None
    assert [call.name for call in task.expected_calls if not call.optional] == [
        "cancel_reservation",
        "update_reservation_flights",
        "update_reservation_flights",
        "update_reservation_flights",
    ]
    assert [call.name for call in task.expected_calls if call.optional] == (
        ["get_user_details"] + ["get_reservation_details"] * 5 + ["search_direct_flight"] * 10
    )
    assert task.required_tools == ["cancel_reservation", "update_reservation_flights"]
    assert task.write_tools == AIRLINE_WRITES


def _actions(*names: str) -> dict[str, Any]:
    return {"task": {"actions": [{"name": name, "kwargs": {}} for name in names]}}


def test_a_retail_run_gets_retails_write_tools_and_a_transfer_is_optional(
    tmp_path: Path,
) -> None:
    run = {
        **_run([{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]),
        "info": _actions(
            "find_user_id_by_email", "cancel_pending_order", "transfer_to_human_agents"
        ),
    }
    (record,) = import_files(
        "tau-bench", [write_json(tmp_path / "gpt-4o-retail.json", [run])]
    ).records
    assert record.task is not None
    assert record.task.write_tools == sorted(TAU_BENCH_WRITES["retail"])
    assert [(call.name, call.optional) for call in record.task.expected_calls] == [
        ("find_user_id_by_email", True),
        ("cancel_pending_order", False),
        ("transfer_to_human_agents", True),
    ]
    assert record.task.required_tools == ["cancel_pending_order"]


def test_in_an_unknown_domain_every_action_is_required_and_no_write_tools_are_set(
    tmp_path: Path,
) -> None:
    run = {**_run([{"role": "assistant", "content": "hello"}]), "info": _actions("look", "act")}
    (record,) = import_files("tau-bench", [write_json(tmp_path / "runs.json", [run])]).records
    assert record.task is not None
    assert (record.cohort.get("domain"), record.task.write_tools) == (None, None)
    assert [(call.name, call.optional) for call in record.task.expected_calls] == [
        ("look", False),
        ("act", False),
    ]
    assert record.task.required_tools == ["look", "act"]


def test_empty_user_messages_are_no_steps_and_the_final_step_is_the_agents(
    tmp_path: Path,
) -> None:
    traj = [
        {"role": "system", "content": "# Retail agent policy"},
        {"role": "user", "content": "Where is my order?"},
        {"role": "assistant", "content": "It ships today."},
        {"role": "user", "content": " "},
        {"role": "user", "content": "Thanks ###STOP###"},
    ]
    run = {**_run(traj), "info": {"source": "user"}}
    (record,) = import_files("tau-bench", [write_json(tmp_path / "x.json", [run])]).records
    assert [(step.role, step.message, step.is_final) for step in record.steps] == [
        ("user", "Where is my order?", False),
        ("agent", "It ships today.", True),
        ("user", "Thanks ###STOP###", False),
    ]
    assert (record.cohort["domain"], record.final_result) == ("retail", "It ships today.")


def test_every_run_validates_round_trips_and_has_its_own_id() -> None:
    records = runs()
    assert_round_trips(records)
    assert len({record.run_id for record in records}) == 5


def _run(traj: list[dict[str, Any]], task_id: int = 7) -> dict[str, Any]:
    return {"task_id": task_id, "trial": 0, "reward": 1.0, "info": {}, "traj": traj}


def test_runs_that_cannot_be_mapped_are_reported_with_index_and_reason(tmp_path: Path) -> None:
    good = _run([{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}])
    stray = _run(
        [
            {"role": "assistant", "content": None, "tool_calls": []},
            {"role": "tool", "tool_call_id": "call_9", "name": "x", "content": "{}"},
        ]
    )
    path = write_json(tmp_path / "gpt-4o-airline.json", [good, {"task_id": 3}, stray])
    result = import_files("tau-bench", [path])
    assert [record.run_id for record in result.records] == ["gpt-4o-airline:7:0"]
    assert result.problems == [
        Problem(
            path,
            None,
            "[1].traj",
            "not a τ-bench run: expected an object with a 'traj' list",
        ),
        Problem(
            path,
            None,
            "[2].traj[1]",
            "a tool message answers call id 'call_9', which was never made; "
            "each tool message must answer an earlier tool call",
        ),
    ]


def test_an_empty_result_list_imports_nothing_and_says_so(tmp_path: Path) -> None:
    path = write_json(tmp_path / "empty.json", [])
    result = import_files("tau-bench", [path])
    assert (result.records, result.problems) == ([], [])
    assert result.notes == [f"{path}: the file holds no runs; nothing imported"]


def test_the_same_file_imports_to_the_same_bytes() -> None:
    first = [orjson.dumps(r.model_dump(mode="json", by_alias=True)) for r in runs()]
    assert first == [orjson.dumps(r.model_dump(mode="json", by_alias=True)) for r in runs()]
