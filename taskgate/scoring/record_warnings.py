"""What ``validate`` warns about in a valid record: things that are allowed but cannot be met.

An expected call placed in a user turn the run never reached is an unmet expectation when
scored (never a crash); validate says so before a gate run finds out. It also names fields
that other tools use for one of taskgate's (ignored here) and near-misses of taskgate's own.
"""

from __future__ import annotations

from collections.abc import Collection

from taskgate.errors import Problem
from taskgate.model.messages import listed
from taskgate.model.record import RunRecord
from taskgate.read.aliases import alias_warnings
from taskgate.scoring.checks import states_a_goal


def file_warnings(
    source: str, unjudged: dict[str, int], tasks: Collection[str] | None, ran: Collection[str]
) -> list[Problem]:
    """What score would say of the whole file: unjudged runs (``unjudged``: task -> runs) and
    tasks of the tasks file that no run covers."""
    warnings = []
    if unjudged:
        runs, names = sum(unjudged.values()), sorted(unjudged)
        which = f"tasks {listed(names)} state" if len(names) > 1 else f"task {names[0]} states"
        warnings.append(
            Problem(
                source,
                None,
                None,
                f"{runs} run{'s' if runs != 1 else ''} cannot be judged: {which} nothing to "
                "check beyond a final step; score fails on unjudged runs (gate.underspecified)",
            )
        )
    missing = sorted(set(tasks) - set(ran)) if tasks is not None else []
    if missing:
        warnings.append(
            Problem(
                source,
                None,
                None,
                f"{len(missing)} task{'s' if len(missing) != 1 else ''} of the tasks file "
                f"{'have' if len(missing) != 1 else 'has'} no run: {listed(missing)}; score "
                "fails on missing tasks (gate.coverage)",
            )
        )
    return warnings


def unjudged_task(record: RunRecord) -> bool:
    """Whether the record's task states nothing to check beyond a final step."""
    task = record.task
    return task is None or not states_a_goal(task, task.expected_result is not None)


def record_warnings(source: str, line: int, record: RunRecord) -> list[Problem]:
    """Each warning as a Problem: where it is and what it means."""
    return alias_warnings(source, line, record) + _unreachable_turns(source, line, record)


def _unreachable_turns(source: str, line: int, record: RunRecord) -> list[Problem]:
    task = record.task
    if task is None:
        return []
    turns = sum(1 for step in record.steps if step.is_user)
    return [
        Problem(
            source,
            line,
            f"task.expected_calls[{index}].turn",
            f"turn {call.turn} is beyond the run's {turns} user turn{'s' if turns != 1 else ''}; "
            "the call can never be made there, so the run fails this check",
        )
        for index, call in enumerate(task.expected_calls)
        if call.turn is not None and call.turn > turns
    ]


def definition_warnings(
    source: str, definitions: dict[str, dict[str | None, int]]
) -> list[Problem]:
    """Task ids whose runs state different tasks (``definitions``: task -> the first line
    of each definition): score pools them as trials of one task."""
    warnings = []
    for task, lines in sorted(definitions.items()):
        firsts = sorted(line for digest, line in lines.items() if digest is not None)
        if len(firsts) > 1:
            shown = listed([str(line) for line in firsts], 4)
            warnings.append(
                Problem(
                    source,
                    firsts[1],
                    "task",
                    f"task {task!r} is stated differently here than on line {firsts[0]} "
                    f"({len(firsts)} definitions, first on lines {shown}); score pools them "
                    "as trials of one task: give each its own task_id",
                )
            )
    return warnings
