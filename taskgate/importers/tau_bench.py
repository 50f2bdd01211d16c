"""``tau-bench``: a τ-bench results file, a JSON list of runs (sierra-research/tau-bench).

Each run has ``task_id``, ``trial``, ``reward``, ``info.task`` (``instruction``, ``actions``,
``outputs``), ``info.reward_info`` and ``traj``, the chat-completions messages. Mapping:

- ``info.task.actions`` -> ``expected_calls``, with ``call_order: superset``. τ-bench judges
  the final database state, so for a known domain (airline, retail) an action to a tool
  that does not write (a look-up, ``calculate``, ``transfer_to_human_agents``) is
  ``optional``: credit when made, never a failed check when missing. The domain's write
  tools (:mod:`taskgate.importers.benchmark_tools`) -> ``write_tools``, so a write the
  reference did not make fails the run; ``required_tools`` names the required calls only.
  For an unknown domain every action is required and ``write_tools`` is left out.
- ``traj``: one step per assistant message and one user step per user message, in order
  (:mod:`taskgate.importers.chat`); the system prompt is kept as ``messages``. A tool
  output starting with ``Error:``, as τ-bench's tools report failures, is the call's
  ``error``.
- ``info.task.outputs`` -> phrase criteria, see :func:`said_criteria`.
- ``reward``, ``reward_info`` and how the episode ended (``termination_reason``) ->
  ``labels``; never used for scoring. The cohort is the model and the domain only: outcome
  variables (the trial, how it ended) are never cohorts.
- ``info.source`` says how the episode ended: ``user`` (the user said ###STOP###) or
  ``transfer_to_human_agents`` end it normally (the agent's last step is final); anything
  else means the loop ran out of steps (τ-bench's ``max_num_steps``), so
  ``step_budget_exceeded`` and no final step.
- The domain comes from the system prompt's title (``# Airline Agent Policy``), the model
  from the file name (τ-bench names them ``<model>-<domain>.json``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

from taskgate.importers.benchmark_tools import (
    TAU_BENCH_WRITES,
    reference_calls,
    required_tools,
    write_tools,
)
from taskgate.importers.chat import Turn, agent_answered, final_text, to_steps
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
)
from taskgate.importers.openai_messages import chat_turn

NORMAL_ENDS = {"user": "user_stop", "transfer_to_human_agents": "transfer"}
_DOMAIN = re.compile(r"^\s*#\s*(\w+)\s+agent\s+policy", re.IGNORECASE)


def import_file(path: str, prefix: str) -> ImportResult:
    runs = load_json(path)
    if not isinstance(runs, list) or (runs and not any(_is_run(run) for run in runs)):
        raise NotThisFormat("expected a JSON list of runs, each with 'traj'")
    result = collect(_items(path, prefix, runs))
    if not runs:
        result.notes.append(f"{path}: the file holds no runs; nothing imported")
    return result


def _is_run(value: Any) -> bool:
    return isinstance(value, dict) and "traj" in value


def _items(
    path: str, prefix: str, runs: list[Any]
) -> Iterator[tuple[Where, Callable[[], dict[str, Any]]]]:
    for index, run in enumerate(runs):
        yield Where(path, None, f"[{index}]"), partial(_record, run, prefix, _stem(path), index)


def _stem(path: str) -> str:
    name = Path(path).name
    for suffix in (".gz", ".json"):
        name = name.removesuffix(suffix)
    return name


def _record(run: Any, prefix: str, stem: str, index: int) -> dict[str, Any]:
    if not _is_run(run) or not isinstance(run["traj"], list):
        raise Unmappable("traj", "not a τ-bench run: expected an object with a 'traj' list")
    info = as_dict(run.get("info"))
    turns = [chat_turn(message, f"traj[{i}]") for i, message in enumerate(run["traj"])]
    domain = domain_of(turns, stem)
    ending = _ending(info)
    ended = agent_answered(turns) if ending is None else ending in NORMAL_ENDS.values()
    talk = to_steps(turns, ended)
    trial = run.get("trial")
    return {
        "task_id": _task_id(run, domain),
        "run_id": f"{prefix}:{run['task_id']}:{trial if trial is not None else f'#{index}'}",
        "trial": trial,
        # Outcome variables (the trial, how the episode ended) are never cohorts: a cohort of
        # max_steps runs is red by construction. They stay in trial and labels.
        "cohort": cohort_of({"model": _model(stem, domain), "domain": domain}),
        "task": task_of(as_dict(info.get("task")), domain),
        "steps": talk.steps,
        "messages": talk.messages or None,
        "final_result": final_text(talk),
        "step_budget_exceeded": ending == "max_steps",
        "labels": _labels(run, info, ending),
        "user_cost": info.get("user_cost"),
    }


def _ending(info: dict[str, Any]) -> str | None:
    """How the episode ended, from ``info.source``; None when the file does not say."""
    source = label(info.get("source"))
    if source is None:
        return None
    return NORMAL_ENDS.get(source, "max_steps")


def _task_id(run: dict[str, Any], domain: str | None) -> str:
    task_id = run.get("task_id")
    if task_id is None:
        raise Unmappable("task_id", "the run has no task_id; add the task's index")
    return f"{domain}/{task_id}" if domain else str(task_id)


def domain_of(turns: list[Turn], stem: str) -> str | None:
    for turn in turns:
        if turn.role == "system" and turn.content:
            found = _DOMAIN.match(turn.content)
            if found:
                return found.group(1).lower()
    known = [d for d in ("airline", "retail") if stem.endswith(f"-{d}")]
    return known[0] if known else None


def _model(stem: str, domain: str | None) -> str | None:
    if domain and stem.endswith(f"-{domain}"):
        return stem.removesuffix(f"-{domain}")
    return None


def task_of(task: dict[str, Any], domain: str | None) -> dict[str, Any]:
    actions = [as_dict(action) for action in as_list(task.get("actions"))]
    writes = write_tools(TAU_BENCH_WRITES, domain)
    expected = reference_calls(
        [{"name": a.get("name"), "arguments": a.get("kwargs", {})} for a in actions],
        writes,
        by_end_state=True,
    )
    mapped: dict[str, Any] = {
        "description": task.get("instruction"),
        "expected_calls": expected,
        "required_tools": required_tools(expected),
        "call_order": "superset",
        "success_criteria": said_criteria(as_list(task.get("outputs"))),
    }
    if writes is not None:
        mapped["write_tools"] = writes
    if task.get("user_id") is not None:
        mapped["user_id"] = task["user_id"]
    return mapped


def said_criteria(outputs: list[Any]) -> list[str]:
    """Strings the agent must say -> phrase criteria.

    τ-bench checks them against every assistant message, not only the last, so a
    ``result_contains`` on the final result would fail runs τ-bench passes. A phrase is met
    by whole words in the result, the agent's messages or what it saw (tool results): the
    closest check taskgate has, lenient where the tools returned the value verbatim.
    """
    return [str(output) for output in outputs if str(output).strip()]


def _labels(run: dict[str, Any], info: dict[str, Any], ending: str | None) -> dict[str, Any]:
    labels: dict[str, Any] = {"reward": run.get("reward")}
    if ending is not None:
        labels["termination_reason"] = ending
    if info.get("reward_info") is not None:
        labels["reward_info"] = info["reward_info"]
    return labels
