"""Fields that other evaluation tools name differently, and the taskgate field to use.

A record written for another tool (``output``, ``expected_output``, ``tools_called``...)
is valid JSON with unknown fields, which taskgate keeps and ignores. Scored as it is, it
has no final result, no expectation and no calls: the agent looks broken when the writer is.
So a record that carries such a field while the taskgate field it stands for is empty is an
input error (exit 2), never a gate failure; when both are there, validate warns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from taskgate.errors import Problem
from taskgate.model.record import RunRecord, Task

Present = Callable[[RunRecord], bool]


def _task_has(*names: str) -> Present:
    def present(record: RunRecord) -> bool:
        task = record.task
        return task is not None and any(name in task.model_fields_set for name in names)

    return present


def _has_calls(record: RunRecord) -> bool:
    return any(step.tool_calls for step in record.steps)


def _record_has(name: str) -> Present:
    return lambda record: name in record.model_fields_set


@dataclass(frozen=True)
class Alias:
    target: str
    """The taskgate field, as a user writes it."""
    present: Present
    """Whether the record already sets the target."""
    blocking: bool = True
    """Whether the alias with an empty target is an input error (else a warning only)."""
    task_fields: tuple[str, ...] = ()
    """For a target inside the task: the Task fields any of which sets it."""


def _task_alias(target: str, *fields: str, blocking: bool = True) -> Alias:
    return Alias(target, _task_has(*fields), blocking, fields)


_FINAL = Alias("final_result", _record_has("final_result"))
_EXPECTED = _task_alias("task.expected_result", "expected_result")
_CALLS = Alias("steps[].tool_calls", _has_calls)
_DESCRIPTION = _task_alias("task.description", "description", blocking=False)

ALIASES: dict[str, Alias] = {
    "output": _FINAL,
    "outputs": _FINAL,
    "actual_output": _FINAL,
    "response": _FINAL,
    "result": _FINAL,
    "expected_output": _EXPECTED,
    "expected_outputs": _EXPECTED,
    "reference_output": _EXPECTED,
    "reference_outputs": _EXPECTED,
    "ground_truth": _EXPECTED,
    "expected_answer": _EXPECTED,
    "tools_called": _CALLS,
    "tool_calls": _CALLS,
    "expected_tools": _task_alias(
        "task.expected_calls (or task.required_tools)", "expected_calls", "required_tools"
    ),
    "trajectory": Alias("steps", _record_has("steps")),
    "id": Alias("run_id", _record_has("run_id")),
    "example_id": Alias("task_id", _record_has("task_id"), blocking=False),
    "input": _DESCRIPTION,
    "inputs": _DESCRIPTION,
    "user_input": _DESCRIPTION,
}
"""Another tool's field name -> the taskgate field it stands for."""

TASK_ALIASES: dict[str, Alias] = {
    "expected_output": _EXPECTED,
    "expected": _EXPECTED,
    "ground_truth": _EXPECTED,
    "reference_output": _EXPECTED,
    "expected_answer": _EXPECTED,
    "expected_tools": ALIASES["expected_tools"],
}
"""The same inside ``task`` (or a tasks file's line)."""

_REQUIRED_ALIASES = {"run_id": ("id",), "task_id": ("example_id",)}

_RECORD_FIELDS = sorted(RunRecord.model_fields)
_TASK_FIELDS = sorted(Task.model_fields)
_TYPO_SCORE = 85.0


def alias_errors(source: str, line: int, record: RunRecord, own_task: bool = True) -> list[Problem]:
    """Other tools' fields standing in for a taskgate field the record leaves empty.
    ``own_task``: the task is the record's; one joined from a tasks file was checked there."""
    return [
        Problem(source, line, name, _rename(name, alias.target))
        for name, alias in _found(record, own_task)
        if alias.blocking and not alias.present(record) and _holds_something(record, name)
    ]


def task_alias_errors(source: str, line: int, task: Task) -> list[Problem]:
    """The same for one line of a tasks file."""
    extra = task.model_extra or {}
    given = task.model_fields_set
    return [
        Problem(source, line, name, _rename(name, _bare(TASK_ALIASES[name].target), "task"))
        for name, value in extra.items()
        if name in TASK_ALIASES
        and value not in (None, "", [], {})
        and not given & set(TASK_ALIASES[name].task_fields)
    ]


def alias_warnings(source: str, line: int, record: RunRecord) -> list[Problem]:
    """What validate says of the other fields: aliases beside their target, and near-misses
    of taskgate's own names (``final_reslt``)."""
    warnings = [
        Problem(
            source,
            line,
            name,
            f"`{name}` is another tool's name for `{alias.target}`, which taskgate reads; "
            f"`{name}` is ignored",
        )
        for name, alias in _found(record)
        if alias.present(record) or not alias.blocking
    ]
    warnings += _typos(source, line, record.model_extra or {}, _RECORD_FIELDS, "")
    if record.task is not None:
        warnings += _typos(source, line, record.task.model_extra or {}, _TASK_FIELDS, "task.")
    return warnings


def missing_field_hint(field: str, data: dict[str, object]) -> str | None:
    """For a required field the record lacks: the other tool's name it has instead."""
    for name in _REQUIRED_ALIASES.get(field, ()):
        if name in data:
            return (
                f"the record has `{name}`, another tool's name for it; rename `{name}` to `{field}`"
            )
    return None


def _holds_something(record: RunRecord, name: str) -> bool:
    """An empty value (``"tools_called": []``) moves nothing: it is no error to leave it."""
    extra = record.model_extra or {}
    if name.startswith("task."):
        extra = (record.task.model_extra or {}) if record.task is not None else {}
        name = name.removeprefix("task.")
    return extra.get(name) not in (None, "", [], {})


def _found(record: RunRecord, own_task: bool = True) -> list[tuple[str, Alias]]:
    extra = record.model_extra or {}
    found = [(name, ALIASES[name]) for name in extra if name in ALIASES]
    if own_task and record.task is not None and record.task.model_extra:
        inner = record.task.model_extra
        found += [(f"task.{name}", TASK_ALIASES[name]) for name in inner if name in TASK_ALIASES]
    return found


def _bare(target: str) -> str:
    """``task.expected_calls (or task.required_tools)`` as a tasks file names it."""
    return target.split(" ")[0].removeprefix("task.")


def _rename(name: str, target: str, what: str = "record") -> str:
    return (
        f"`{name}` is another tool's name for `{target}`, which this {what} leaves empty; "
        f"put the value in `{target}` (taskgate ignores `{name}`)"
    )


def _typos(
    source: str, line: int, extra: dict[str, object], known: list[str], prefix: str
) -> list[Problem]:
    problems = []
    skip = TASK_ALIASES if prefix else ALIASES
    for name in extra:
        if name in skip:
            continue
        match = process.extractOne(name, known, scorer=fuzz.ratio, score_cutoff=_TYPO_SCORE)
        if match is not None:
            problems.append(
                Problem(
                    source,
                    line,
                    f"{prefix}{name}",
                    f"unknown field, ignored; did you mean `{prefix}{match[0]}`?",
                )
            )
    return problems
