"""``tau2``: a τ²-bench simulation file, ``{timestamp, info, tasks[], simulations[]}``.

Each simulation is joined to its task in the same file on ``task_id``; a simulation whose
task is not there cannot be judged and is reported. Mapping:

- the task's agent-side ``evaluation_criteria.actions`` -> ``expected_calls`` (arguments
  cut to ``compare_args`` when the task sets them), with ``call_order: superset`` as for
  τ-bench. For a known domain (airline, retail, telecom) the domain's write tools ->
  ``write_tools``, and unless ``reward_basis`` has ``ACTION`` an action to a tool that does
  not write is ``optional`` (:mod:`taskgate.importers.tau2_task`); ``required_tools``
  names the required calls only. The user's own actions (``requestor: user``, the telecom
  user acting on their phone) -> ``task.expected_user_calls``, never the agent's.
- messages: each assistant message is an agent step, each user message with text a user
  step, in order. The user's own tool calls (a user message with ``tool_calls``; τ² refuses
  one with text as well) and their results (``requestor: user``) stay in ``messages``: the
  agent never sees them, and the steps hold only the agent's calls.
- ``communicate_info`` -> phrase criteria (the agent must say them); ``nl_assertions``
  stay under ``task.nl_assertions`` and are not criteria: they are sentences for an LLM
  judge ("Agent does not cancel ...") whose keywords would be met by doing the opposite.
- ``reward_info.reward``, compact ``action_checks``, ``termination_reason`` and the whole
  ``reward_info`` -> ``labels``; never used for scoring. The cohort is the model, agent,
  user model and domain: outcome variables (trial, termination reason) are never cohorts.
- ``termination_reason``: ``user_stop``/``agent_stop`` end normally (final step);
  ``max_steps`` hits the step budget; ``timeout`` -> status timeout; the error reasons
  (``too_many_errors``, ``agent_error``, ``user_error``, ...) -> status error, with
  ``error_kind`` ``agent`` for the agent's errors and ``infrastructure`` for
  ``infrastructure_error`` and ``user_error`` (the user simulator failed, not the agent).
- usage: the agent's messages' ``usage`` and ``cost`` summed; ``duration`` -> latency.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

from taskgate.importers.chat import (
    Call,
    Turn,
    agent_answered,
    call_id,
    final_text,
    summed_usage,
    to_steps,
)
from taskgate.importers.common import (
    ImportResult,
    NotThisFormat,
    Unmappable,
    Where,
    as_dict,
    as_list,
    cohort_of,
    collect,
    label,
    load_json,
    text,
)
from taskgate.importers.tau2_task import task_of, tool_names

NORMAL_ENDS = frozenset({"user_stop", "agent_stop"})
STATUS = {"timeout": "timeout"} | {
    reason: "error"
    for reason in (
        "too_many_errors",
        "agent_error",
        "user_error",
        "infrastructure_error",
        "context_window_exceeded",
        "unexpected_error",
    )
}

ERROR_KIND = {
    "agent_error": "agent",
    "too_many_errors": "agent",
    "context_window_exceeded": "agent",
    # The user simulator or the harness failed: nothing the agent did.
    "user_error": "infrastructure",
    "infrastructure_error": "infrastructure",
}
"""What failed, for the error reasons that say; unexpected_error and timeout do not."""


@dataclass(frozen=True)
class FileInfo:
    """What the file says once for all its simulations."""

    prefix: str
    tasks: dict[str, dict[str, Any]]
    cohort: dict[str, Any]
    tools: list[str] | None


def import_file(path: str, prefix: str) -> ImportResult:
    document = load_json(path)
    if not isinstance(document, dict) or not isinstance(document.get("simulations"), list):
        raise NotThisFormat("expected an object with a 'simulations' list")
    simulations = document["simulations"]
    result = collect(_items(path, _file_info(document, prefix), simulations))
    if not simulations:
        tasks = len(as_list(document.get("tasks")))
        result.notes.append(
            f"{path}: the file holds no simulations ({tasks} tasks, none run: an aborted "
            "benchmark run?); nothing imported from it"
        )
    return result


def _file_info(document: dict[str, Any], prefix: str) -> FileInfo:
    info = as_dict(document.get("info"))
    agent, user = as_dict(info.get("agent_info")), as_dict(info.get("user_info"))
    environment = as_dict(info.get("environment_info"))
    tasks = {str(t.get("id")): t for t in as_list(document.get("tasks")) if isinstance(t, dict)}
    cohort = {
        "model": agent.get("llm"),
        "agent": agent.get("implementation"),
        "user_model": user.get("llm"),
        "domain": environment.get("domain_name"),
    }
    return FileInfo(prefix, tasks, cohort, tool_names(environment.get("tool_defs")))


def _items(
    path: str, info: FileInfo, simulations: list[Any]
) -> Iterator[tuple[Where, Callable[[], dict[str, Any]]]]:
    for index, simulation in enumerate(simulations):
        where = Where(path, None, f"simulations[{index}]")
        yield where, partial(_record, simulation, info, index)


def _record(simulation: Any, info: FileInfo, index: int) -> dict[str, Any]:
    if not isinstance(simulation, dict) or not isinstance(simulation.get("messages"), list):
        raise Unmappable("messages", "not a simulation: expected an object with a 'messages' list")
    task = _task(simulation, info)
    messages = simulation["messages"]
    reason = label(simulation.get("termination_reason"))
    turns = [_turn(message, f"messages[{i}]") for i, message in enumerate(messages)]
    talk = to_steps(turns, agent_answered(turns) if reason is None else reason in NORMAL_ENDS)
    domain = info.cohort["domain"]
    return {
        "run_id": str(simulation.get("id") or f"{info.prefix}:{index}"),
        "task_id": f"{domain}/{task['id']}" if domain else str(task["id"]),
        "trial": simulation.get("trial"),
        # Outcome variables (the trial, the termination reason) are never cohorts: they stay
        # in trial and labels.
        "cohort": cohort_of(info.cohort),
        "task": task_of(task, info.tools, domain),
        "steps": talk.steps,
        "messages": talk.messages or None,
        "final_result": final_text(talk),
        "status": STATUS.get(reason or "", "completed"),
        "error_kind": ERROR_KIND.get(reason or ""),
        "step_budget_exceeded": reason == "max_steps",
        "usage": _usage(simulation),
        "labels": _labels(simulation, reason),
        "user_cost": simulation.get("user_cost"),
    }


def _task(simulation: dict[str, Any], info: FileInfo) -> dict[str, Any]:
    task_id = simulation.get("task_id")
    task = info.tasks.get(str(task_id))
    if task_id is None or task is None:
        raise Unmappable(
            "task_id",
            f"task {task_id!r} is not in this file's tasks, so the run has no ground truth; "
            "import the simulation file the run was written to",
        )
    return task


def _turn(message: Any, where: str) -> Turn:
    if not isinstance(message, dict) or not isinstance(message.get("role"), str):
        raise Unmappable(where, "expected a message object with a 'role'")
    role, content = message["role"], text(message.get("content"))
    calls = [as_dict(call) for call in as_list(message.get("tool_calls"))]
    if role == "assistant":
        return Turn("assistant", content, tuple(_call(c, where) for c in calls), where=where)
    if role == "tool" and message.get("requestor", "assistant") != "user":
        answers = call_id(message.get("id"), f"{where}.id")
        return Turn("tool", content, answers=answers, error=message.get("error"), where=where)
    if role in ("user", "tool", "system"):
        keep = {
            k: message[k] for k in ("id", "requestor", "error") if role == "tool" and k in message
        }
        if calls:
            keep["tool_calls"] = [{k: c.get(k) for k in ("id", "name", "arguments")} for c in calls]
        return Turn(role, content, agent=False, keep=keep, where=where)
    raise Unmappable(f"{where}.role", f"unknown role {role!r}; expected assistant, user or tool")


def _call(call: dict[str, Any], where: str) -> Call:
    name = call.get("name")
    if not isinstance(name, str) or not name:
        raise Unmappable(f"{where}.tool_calls", "a tool call without a name; add it")
    return Call(call_id(call.get("id"), f"{where}.tool_calls"), name, call.get("arguments"))


def _usage(simulation: dict[str, Any]) -> dict[str, Any]:
    agent = [m for m in simulation["messages"] if as_dict(m).get("role") == "assistant"]
    usage = summed_usage(agent)
    if isinstance(simulation.get("duration"), int | float):
        usage["latency_ms"] = round(simulation["duration"] * 1000, 3)
    return usage


def _labels(simulation: dict[str, Any], reason: Any) -> dict[str, Any]:
    reward_info = as_dict(simulation.get("reward_info"))
    checks = [
        {
            "action_id": as_dict(check.get("action")).get("action_id"),
            "name": as_dict(check.get("action")).get("name"),
            "match": check.get("action_match"),
        }
        for check in map(as_dict, as_list(reward_info.get("action_checks")))
    ]
    labels: dict[str, Any] = {"reward": reward_info.get("reward"), "termination_reason": reason}
    if checks:
        labels["action_checks"] = checks
    if reward_info:
        labels["reward_info"] = reward_info
    return labels
