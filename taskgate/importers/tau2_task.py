"""A τ²-bench task as a taskgate task: the ground truth the simulation file carries.

τ² judges a run by what its ``reward_basis`` lists. Without ``ACTION`` there (the usual
``DB``, ``COMMUNICATE``, ``ENV_ASSERTION``) it judges the end state, so a reference action
to a tool that does not write is ``optional``; with ``ACTION`` every action is required,
as τ² then checks each one. A task without a ``reward_basis`` has τ²'s default,
``DB`` and ``COMMUNICATE``.
"""

from __future__ import annotations

from typing import Any

from taskgate.importers.benchmark_tools import (
    TAU2_WRITES,
    reference_calls,
    required_tools,
    write_tools,
)
from taskgate.importers.common import as_dict, as_list, unique
from taskgate.importers.tau_bench import said_criteria

_INSTRUCTION_PARTS = ("reason_for_call", "known_info", "unknown_info", "task_instructions")


def task_of(task: dict[str, Any], tools: list[str] | None, domain: str | None) -> dict[str, Any]:
    criteria = as_dict(task.get("evaluation_criteria"))
    actions = [as_dict(action) for action in as_list(criteria.get("actions"))]
    agent = [action for action in actions if action.get("requestor") != "user"]
    user = [action for action in actions if action.get("requestor") == "user"]
    writes = write_tools(TAU2_WRITES, domain)
    expected = reference_calls(
        [expected_call(action) for action in agent], writes, by_end_state(criteria)
    )
    mapped: dict[str, Any] = {
        "description": description(task),
        "expected_calls": expected,
        "required_tools": required_tools(expected),
        "call_order": "superset",
        "write_tools": writes,
        "success_criteria": said_criteria(as_list(criteria.get("communicate_info"))),
        "available_tools": tools,
        "purpose": as_dict(task.get("description")).get("purpose"),
        "ticket": task.get("ticket"),
        "expected_user_calls": [expected_call(action) for action in user] or None,
        "nl_assertions": criteria.get("nl_assertions"),
        "env_assertions": criteria.get("env_assertions"),
        "reward_basis": criteria.get("reward_basis"),
    }
    return {key: value for key, value in mapped.items() if value is not None}


def by_end_state(criteria: dict[str, Any]) -> bool:
    """τ² judges the end state, not each action: ``ACTION`` is not in the reward basis."""
    basis = criteria.get("reward_basis")
    return not (isinstance(basis, list) and "ACTION" in basis)


def description(task: dict[str, Any]) -> str | None:
    """The user's instructions: what the simulated user was told to get done."""
    instructions = as_dict(task.get("user_scenario")).get("instructions")
    if isinstance(instructions, str):
        return instructions
    parts = [as_dict(instructions).get(name) for name in _INSTRUCTION_PARTS]
    joined = "\n\n".join(part for part in parts if isinstance(part, str) and part.strip())
    return joined or None


def expected_call(action: dict[str, Any]) -> dict[str, Any]:
    """An action as an expected call; τ² compares only ``compare_args`` when it is set."""
    arguments = as_dict(action.get("arguments"))
    compare = action.get("compare_args")
    call: dict[str, Any] = {"name": action.get("name"), "arguments": arguments}
    if isinstance(compare, list):
        call["arguments"] = {key: arguments[key] for key in compare if key in arguments}
        call["compare_args"] = compare
    if action.get("action_id") is not None:
        call["action_id"] = action["action_id"]
    return call


def tool_names(tool_defs: Any) -> list[str] | None:
    """Names of the domain's tools when the file lists them, else None (unknown)."""
    if isinstance(tool_defs, dict):
        return sorted(str(name) for name in tool_defs) or None
    names = []
    for tool in as_list(tool_defs):
        spec = as_dict(tool)
        name = as_dict(spec.get("function")).get("name", spec.get("name"))
        if isinstance(name, str):
            names.append(name)
    return unique(names) or None
