"""Rules over single tasks: newly failing tasks and must_pass tasks, each named with its
runs so a reviewer can go straight to taskgate explain."""

from __future__ import annotations

from collections.abc import Iterator

from taskgate.config import Config
from taskgate.messages import listed
from taskgate.results import Finding, Report, TaskSummary
from taskgate.rules import finding


def _task_finding(
    rule: str,
    level: str,
    message: str,
    task: TaskSummary,
    observed: float | None = None,
    limit: float | None = None,
) -> Finding:
    made = finding(rule, level, message, observed=observed, limit=limit)
    return made.model_copy(update={"task": task.task_id})


def _runs(task: TaskSummary, shown: int = 4) -> str:
    return listed(task.runs, shown)


def newly_failing(report: Report, config: Config) -> Iterator[Finding]:
    """A task that passed every baseline trial and fails every trial now fails the gate when
    the flip beats chance after the correction over the shared tasks that could; within chance, the
    tasks are listed as a warning."""
    rule, alpha = config.gate.newly_failing, config.gate.regression.alpha
    if rule.level == "off":
        return
    flipped = [t for t in report.tasks if t.change == "newly_failing"]
    for task in flipped:
        if task.q_value is not None and task.q_value < alpha:
            yield _task_finding(
                "newly_failing",
                rule.level,
                f"task {task.task_id!r} passed all {task.baseline_trials} baseline trials and "
                f"fails all {task.trials} now (p={task.p_value:.4f}, q={task.q_value:.4f} over "
                f"{_shared(_tested(report))} that could reach alpha); runs {_runs(task)}",
                task,
                observed=task.q_value,
                limit=alpha,
            )
    chance = [t for t in flipped if t.q_value is None or t.q_value >= alpha]
    if chance:
        names = listed([t.task_id for t in chance], 8)
        yield finding(
            "newly_failing",
            "warn",
            f"{len(chance)} task{'s' if len(chance) != 1 else ''} passed every baseline trial "
            f"and {'fail' if len(chance) != 1 else 'fails'} every trial now, within what "
            f"chance explains for flaky tasks with these trials (q >= {alpha:g}, or too few "
            f"trials to reach it): {names}; run more trials to tell",
            observed=len(chance),
        )


def _shared(count: int) -> str:
    return f"{count} shared task{'s' if count != 1 else ''}"


def _tested(report: Report) -> int:
    return sum(t.q_value is not None for t in report.tasks)


def must_pass(report: Report, config: Config) -> Iterator[Finding]:
    """Any failed or unjudged trial of a must_pass task fails, and so does a must_pass task
    of the baseline with no run."""
    rule = config.gate.must_pass
    if rule.level == "off":
        return
    for task in report.tasks:
        if not task.must_pass or task.passed == task.trials == len(task.runs) > 0:
            continue
        message = _must_pass_message(report, task)
        yield _task_finding(
            "must_pass", rule.level, message, task, observed=task.passed, limit=len(task.runs)
        )


def _must_pass_message(report: Report, task: TaskSummary) -> str:
    if not task.runs:
        where = "the baseline" if task.baseline_trials is not None else "the tasks file"
        return (
            f"task {task.task_id!r} is must_pass in {where} and has no run: run every golden task"
        )
    runs = {r.run_id: r for r in report.runs if r.task_id == task.task_id}
    failed = [run for run in task.runs if not runs[run].passed]
    unjudged = len(task.runs) - task.trials
    what = f"failed {task.trials - task.passed} of its {len(task.runs)} trials" + (
        f" ({unjudged} unjudged: nothing to check)" if unjudged else ""
    )
    return f"task {task.task_id!r} is must_pass and {what}: runs {listed(failed, 4)}"
