from __future__ import annotations

import collections
from typing import Any

import orjson
import pytest

from taskgate.config.load import default_config
from taskgate.scoring.scorer import Scorer
from tests.conftest import FIXTURES, make_record

SCORER = Scorer(default_config())
TASK: dict[str, Any] = {
    "expected_result": "Refund of $20.50 issued for order 1182",
    "success_criteria": [{"id": "refunded", "tool_called": "issue_refund"}],
    "required_tools": ["get_order", "issue_refund"],
    "available_tools": ["get_order", "issue_refund", "lookup_policy", "send_email"],
    "forbidden_tools": ["delete_account"],
    "optimal_steps": 3,
    "step_budget": 6,
}
GET = {"name": "get_order", "arguments": {"id": "1182"}, "result": {"total": 20.5}}
REFUND = {"name": "issue_refund", "arguments": {"id": "1182"}, "result": "ok"}
FAILING = {"name": "issue_refund", "arguments": {"id": "1182"}, "error": "503"}


def calls(*made: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"tool_calls": [call]} for call in made]


def final(text: str) -> dict[str, Any]:
    return {"message": text, "is_final": True}


def shape(steps: list[dict[str, Any]], **fields: Any) -> tuple[str, str | None]:
    record = make_record(task={**TASK, **fields.pop("task", {})}, steps=steps, **fields)
    result = SCORER.score(record).result
    return result.failure_shape or "", result.diagnosis


DONE = "Refund of $20.50 issued for order 1182"
NEAR = "Refund of $20.50 for order 1182"  # outcome 0.71: neither a match nor a miss


@pytest.mark.parametrize(
    ("steps", "fields", "expected"),
    [
        ([*calls(GET, REFUND), final(DONE)], {}, ("passed", None)),
        # a forbidden call is the shape of a failed run whatever else went wrong
        (
            [*calls(GET, FAILING, {"name": "delete_account"}), final("Done.")],
            {},
            ("tool_misuse", "criteria"),
        ),
        ([*calls(GET, {"name": "refund_v2"}), final("Done.")], {}, ("tool_misuse", "criteria")),
        # ran out: steps at the budget, no final step
        (
            calls(GET, FAILING, FAILING, FAILING, FAILING, FAILING),
            {},
            ("loop_exhaustion", "final_step"),
        ),
        (calls(GET), {"status": "timeout"}, ("loop_exhaustion", "final_step")),
        # one step short of the budget and no final step: not a loop, it just stopped
        (calls(GET, FAILING, FAILING, FAILING, FAILING), {}, ("other", "final_step")),
        ([*calls(GET, FAILING), final("Done.")], {}, ("early_stop", "criteria")),
        (calls(GET), {"status": "error"}, ("early_stop", "final_step")),
        # a required tool never called, another tool used in its place
        ([*calls(GET, {"name": "send_email"}), final("Done.")], {}, ("tool_misuse", "criteria")),
        ([*calls(GET), final("Sorry, I couldn't finish this.")], {}, ("early_stop", "criteria")),
        (
            [*calls(GET), final("Refund of $5 issued for order 77")],
            {},
            ("wrong_task_drift", "criteria"),
        ),
        # a result that half matches, without the refund call, in fewer steps than optimal
        (
            [*calls(GET), final(NEAR)],
            {"task": {"required_tools": []}},
            ("early_stop", "criteria"),
        ),
    ],
)
def test_decision_procedure(
    steps: list[dict[str, Any]], fields: dict[str, Any], expected: tuple[str, str | None]
) -> None:
    assert shape(steps, **fields) == expected


def test_drift_needs_the_outcome_to_miss() -> None:
    # A near miss (result close to the expected one, enough steps) is not drift.
    steps = [*calls(GET, GET, GET), final(NEAR)]
    task = {"required_tools": [], "success_criteria": ["email sent"]}
    assert shape(steps, task=task) == ("other", "criteria")


@pytest.mark.parametrize("name", ["golden", "candidate"])
def test_fixture_runs_land_in_their_planted_shape(name: str) -> None:
    # The generator records how each run was built; error and timeout runs are planted as
    # "other" and land in early_stop and loop_exhaustion respectively; a near miss that left
    # its reference out is planted "other" and stays there.
    planted_other = {"error": "early_stop", "timeout": "loop_exhaustion"}
    mismatches = collections.Counter()
    for line in (FIXTURES / f"{name}.jsonl").read_bytes().splitlines():
        data = orjson.loads(line)
        got = SCORER.score(make_record(**data)).result.failure_shape
        planted = data["labels"]["expected_shape"]
        want = planted_other.get(data["status"], planted) if planted == "other" else planted
        mismatches[(want, got)] += want != got
    assert sum(mismatches.values()) == 0, mismatches
