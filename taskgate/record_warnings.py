"""What ``validate`` warns about in a valid record: things that are allowed but cannot be met.

An expected call placed in a user turn the run never reached is an unmet expectation when
scored (never a crash); validate says so before a gate run finds out. It also names fields
that other tools use for one of taskgate's (ignored here) and near-misses of taskgate's own.
"""

from __future__ import annotations

from taskgate.aliases import alias_warnings
from taskgate.errors import Problem
from taskgate.models import RunRecord


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
