"""``atif``: the Agent Trajectory Interchange Format (ATIF, Harbor's RFC 0001).

A file holds one trajectory (a JSON object with ``schema_version``, ``session_id``, ``agent``
and ``steps``), a list of them, or one per line. Each trajectory is a run: its
``session_id`` the run id, its task ``extra.task_id`` when the trajectory says (else the
file's stem, so ``--tasks`` can join one), ``agent.name`` and ``agent.model_name`` its
cohort.

- A ``user`` step is a user step; a ``system`` step is kept as a message.
- An ``agent`` step is an agent step: ``message`` what it said, ``reasoning_content`` its
  thought, ``tool_calls`` (``tool_call_id``, ``function_name``, ``arguments``) its calls,
  and each ``observation.results`` entry the result of the call its ``source_call_id``
  names (an error when ``is_error`` is true or the content starts with ``Error:``); a result
  for no call is the step's observation. A result that delegates to a sub-agent
  (``subagent_trajectory_ref``) says which session it went to; that trajectory is its own
  file.
- The run ended normally, and its last agent step is final, when the last agent step makes
  no call. Tokens and cost come from ``final_metrics``, else from the steps' ``metrics``
  (``prompt_tokens`` count the cached ones, as ATIF defines them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from taskgate.importers.chat import tool_error
from taskgate.importers.common import (
    BadLine,
    ImportResult,
    NotThisFormat,
    Unmappable,
    Where,
    as_dict,
    as_list,
    collect,
    json_lines,
    label,
    load_json,
    text,
)
from taskgate.importers.detect import is_atif


def import_file(path: str, prefix: str) -> ImportResult:
    result = collect(_items(path, prefix))
    if not result.records and not result.problems:
        result.notes.append(f"{path}: the file holds no trajectories; nothing imported")
    return result


def _items(path: str, prefix: str) -> Iterator[tuple[Where, Callable[[], dict[str, Any]]]]:
    try:
        whole: Any = load_json(path)
    except NotThisFormat:
        whole = None
    if isinstance(whole, dict) or (isinstance(whole, list) and whole):
        values = [whole] if isinstance(whole, dict) else whole
        if not is_atif(values[0]):
            raise NotThisFormat("it is not an ATIF trajectory (schema_version, agent, steps)")
        for index, value in enumerate(values):
            where = Where(path) if isinstance(whole, dict) else Where(path, None, f"[{index}]")
            yield where, partial(_record, value, prefix, index, len(values) > 1)
        return
    lines = list(json_lines(path))
    if not lines or not is_atif(lines[0][1]):
        raise NotThisFormat("it is not an ATIF trajectory (schema_version, agent, steps)")
    for index, (number, value) in enumerate(lines):
        yield Where(path, number), partial(_record, value, prefix, index, len(lines) > 1)


def _record(value: Any, prefix: str, index: int, several: bool) -> dict[str, Any]:
    if isinstance(value, BadLine):
        raise Unmappable(None, value.message)
    if not is_atif(value):
        raise Unmappable(None, "expected an ATIF trajectory object with 'agent' and 'steps'")
    trajectory: dict[str, Any] = value
    steps, messages = _steps(as_list(trajectory.get("steps")))
    agent_steps = [s for s in steps if s.get("role") != "user"]
    ended = bool(agent_steps) and not agent_steps[-1].get("tool_calls")
    if ended:
        agent_steps[-1]["is_final"] = True
    task = as_dict(trajectory.get("extra")).get("task_id")
    agent = as_dict(trajectory.get("agent"))
    cohort = {"agent": label(agent.get("name")), "model": label(agent.get("model_name"))}
    record: dict[str, Any] = {
        "run_id": str(trajectory.get("session_id") or f"{prefix}:{index}"),
        "task_id": task if isinstance(task, str) and task else prefix,
        "cohort": {key: shown for key, shown in cohort.items() if shown},
        "steps": steps,
        "messages": messages or None,
        "final_result": next(
            (s["message"] for s in reversed(agent_steps) if s.get("message")), None
        ),
        "status": "completed",
        "usage": _usage(trajectory),
    }
    if several:
        record["trial"] = index
    return record


def _steps(raw: list[Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    steps: list[dict[str, Any]] = []
    messages: list[dict[str, Any]] = []
    for index, item in enumerate(raw):
        where = f"steps[{index}]"
        step = as_dict(item)
        source = step.get("source")
        said = text(step.get("message"))
        if source == "user":
            if said and said.strip():
                steps.append({"role": "user", "message": said})
        elif source == "system":
            messages.append({"role": "system", "content": said, "after_steps": len(steps)})
        elif source == "agent":
            steps.append(_agent_step(step, where))
        else:
            raise Unmappable(
                f"{where}.source", f"unknown source {source!r}; expected user, agent or system"
            )
    return steps, messages


def _agent_step(step: dict[str, Any], where: str) -> dict[str, Any]:
    made: dict[str, Any] = {}
    if text(step.get("message")):
        made["message"] = text(step.get("message"))
    if isinstance(step.get("reasoning_content"), str) and step["reasoning_content"]:
        made["thought"] = step["reasoning_content"]
    calls = [
        _call(call, f"{where}.tool_calls[{i}]")
        for i, call in enumerate(as_list(step.get("tool_calls")))
    ]
    by_id = {call["id"]: call for call in calls if "id" in call}
    seen = []
    for i, result in enumerate(as_list(as_dict(step.get("observation")).get("results"))):
        entry = as_dict(result)
        content = _content(entry)
        source = entry.get("source_call_id")
        if source is None:
            seen.append(content or "")
            continue
        call = by_id.get(source) if isinstance(source, str) else None
        if call is None:
            raise Unmappable(
                f"{where}.observation.results[{i}].source_call_id",
                f"a result for call {source!r}, which this step does not make",
            )
        failure = tool_error(content, True if entry.get("is_error") is True else None)
        call["error" if failure is not None else "result"] = failure if failure else content
    if calls:
        made["tool_calls"] = calls
    if any(seen):
        made["observation"] = "\n".join(part for part in seen if part)
    return made


def _call(call: Any, where: str) -> dict[str, Any]:
    spec = as_dict(call)
    name = spec.get("function_name")
    if not isinstance(name, str) or not name:
        raise Unmappable(f"{where}.function_name", "a tool call without a function_name; add it")
    made: dict[str, Any] = {"name": name, "arguments": spec.get("arguments")}
    if isinstance(spec.get("tool_call_id"), str):
        made["id"] = spec["tool_call_id"]
    return made


def _content(result: dict[str, Any]) -> str | None:
    content = text(result.get("content"))
    refs = (
        as_dict(ref).get("session_id") for ref in as_list(result.get("subagent_trajectory_ref"))
    )
    named = [ref for ref in refs if isinstance(ref, str)]
    if content or not named:
        return content
    return f"delegated to sub-agent session {', '.join(named)}"


def _usage(trajectory: dict[str, Any]) -> dict[str, Any]:
    final = as_dict(trajectory.get("final_metrics"))
    per_step = [as_dict(as_dict(s).get("metrics")) for s in as_list(trajectory.get("steps"))]
    usage: dict[str, Any] = {}
    for ours, total, each in (
        ("input_tokens", "total_prompt_tokens", "prompt_tokens"),
        ("output_tokens", "total_completion_tokens", "completion_tokens"),
        ("cost_usd", "total_cost_usd", "cost_usd"),
    ):
        value = final.get(total)
        if not _is_number(value):
            found = [m[each] for m in per_step if _is_number(m.get(each))]
            value = sum(found) if found else None
        if value is not None:
            usage[ours] = value
    return usage


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
