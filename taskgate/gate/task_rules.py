"""Rules over single tasks: newly failing tasks, must_pass tasks and task ids with more than
one definition, each named with its runs so a reviewer can go straight to taskgate explain."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from taskgate.config.model import Config
from taskgate.gate.evidence import Evidence
from taskgate.gate.findings import finding
from taskgate.model.messages import listed
from taskgate.model.report import Finding, RunResult, TaskSummary


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


def newly_failing(report: Evidence, config: Config) -> Iterator[Finding]:
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


def _tested(report: Evidence) -> int:
    return sum(t.q_value is not None for t in report.tasks)


def must_pass(report: Evidence, config: Config) -> Iterator[Finding]:
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


def _must_pass_message(report: Evidence, task: TaskSummary) -> str:
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


def differing_definitions(runs: Iterable[RunResult]) -> dict[str, list[str]]:
    """task_id -> the first run of each different definition, for task ids whose runs state
    more than one task (a tasks file joined by task_id states one)."""
    seen: dict[str, dict[str, str]] = {}
    for run in runs:
        if run.task_digest is not None:
            seen.setdefault(run.task_id, {}).setdefault(run.task_digest, run.run_id)
    return {task: list(firsts.values()) for task, firsts in sorted(seen.items()) if len(firsts) > 1}


def task_definitions(report: Evidence, config: Config) -> Iterator[Finding]:
    """Runs of one task_id that state different tasks are pooled as trials of one task,
    compared as one and counted in one pass^k: said, since it is usually a harness bug."""
    level = config.gate.task_definitions.level
    differing = differing_definitions(report.runs) if level != "off" else {}
    if not differing:
        return
    shown = [f"{task} ({listed(runs, 3)})" for task, runs in differing.items()]
    count = len(differing)
    yield finding(
        "task_definitions",
        level,
        f"{count} task id{'s' if count != 1 else ''} {'have' if count != 1 else 'has'} runs "
        f"that state different tasks, pooled as trials of one: {listed(shown, 5)}; give each "
        "definition its own task_id, or the same task to every trial",
        observed=count,
        limit=0,
    )
