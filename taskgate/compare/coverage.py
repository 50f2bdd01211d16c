"""Which golden tasks a run file covers: the baseline's tasks and the tasks file's.

A harness that crashed halfway through a tool surface writes a file without that surface's
tasks; its cohorts then look green because their failures never ran. Coverage names what is
missing, and which baseline cohorts it came from.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from taskgate.aggregate.cohorts import BUDGET_DIMENSION
from taskgate.model.report import CohortCoverage, Coverage, Report, RunResult


def coverage(
    runs: Sequence[RunResult], baseline: Report | None, tasks: Collection[str] | None
) -> Coverage | None:
    """The runs' tasks against the baseline's and the tasks file's; None with neither."""
    if baseline is None and tasks is None:
        return None
    ran = {run.task_id for run in runs}
    before = {run.task_id for run in baseline.runs} if baseline is not None else set()
    expected = before | set(tasks or ())
    missing = expected - ran
    sources = (("baseline", baseline), ("tasks file", tasks))
    against = [name for name, given in sources if given is not None]
    return Coverage(
        against=against,
        expected=len(expected),
        ran=len(ran),
        shared=len(ran & before) if baseline is not None else None,
        missing=sorted(missing),
        new=sorted(ran - before) if baseline is not None else [],
        missing_by_cohort=_by_cohort(baseline.runs, missing) if baseline is not None else [],
    )


def _by_cohort(base_runs: Sequence[RunResult], missing: set[str]) -> list[CohortCoverage]:
    """Per baseline cohort: its tasks, and how many of them have no run now."""
    if not missing:
        return []
    tasks: dict[tuple[str, str], set[str]] = {}
    for run in base_runs:
        for dimension, value in run.cohort.items():
            if dimension != BUDGET_DIMENSION:
                tasks.setdefault((dimension, value), set()).add(run.task_id)
    every = {run.task_id for run in base_runs}
    lost = [  # a cohort holding every task (a dimension with one value) tells nothing
        CohortCoverage(dimension=d, value=v, tasks=len(ids), missing=len(ids & missing))
        for (d, v), ids in tasks.items()
        if ids & missing and len(ids) < len(every)
    ]
    return sorted(lost, key=lambda c: (-c.missing / c.tasks, -c.missing, c.dimension, c.value))


def shared_tasks(runs: Sequence[RunResult], baseline: Report) -> int:
    """How many task ids the runs and the baseline have in common."""
    return len({run.task_id for run in runs} & {run.task_id for run in baseline.runs})
