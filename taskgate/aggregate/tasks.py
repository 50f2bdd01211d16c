"""Per task, over its trials: stable or flaky, and what changed against the baseline.

A task whose trials all passed in the baseline and all fail now is newly failing. Flaky
tasks flip by chance, so each shared task gets the one-sided Fisher p-value of so few
passes now (given its passes on both sides), and the Benjamini-Hochberg correction, as the
regression rule corrects over its comparisons: with 2 trials a side one task going 2/2 ->
0/2 has p = 1/6, noise; with 4 a side, 1/70.

The correction runs over the shared tasks that could reach alpha at all (Tarone's rule for
discrete tests, with Benjamini-Hochberg as Gilbert showed it keeps the false discovery
rate): a task that passed, or failed, every trial on both sides has p = 1 whatever happens,
and counting it would only dilute the tasks that did change.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from math import comb

from taskgate.model.report import RunResult, TaskState, TaskSummary
from taskgate.stats.measures import benjamini_hochberg, rounded


def fisher_drop(base_trials: int, base_passed: int, trials: int, passed: int) -> float:
    """P(at most ``passed`` of ``trials`` pass) when the passes of both sides together were
    dealt out at random: the hypergeometric lower tail."""
    total, passes = base_trials + trials, base_passed + passed
    ways = comb(total, trials)
    low = sum(comb(passes, k) * comb(total - passes, trials - k) for k in range(passed + 1))
    return low / ways


def _state(trials: int, passed: int) -> TaskState | None:
    if trials < 2:
        return None  # one trial cannot show whether a task is flaky
    if passed == trials:
        return "stable_pass"
    return "stable_fail" if passed == 0 else "flaky"


def _by_task(runs: Sequence[RunResult]) -> dict[str, list[RunResult]]:
    tasks: dict[str, list[RunResult]] = {}
    for run in runs:
        tasks.setdefault(run.task_id, []).append(run)
    return tasks


def _trial_order(run: RunResult) -> tuple[int, str]:
    return (run.trial if run.trial is not None else -1, run.run_id)


def _count(runs: Sequence[RunResult]) -> tuple[int, int]:
    judged = [r.passed for r in runs if r.passed is not None]
    return len(judged), sum(judged)


def task_states(runs: Sequence[RunResult]) -> dict[str, int]:
    """How many tasks are stable_pass, flaky and stable_fail (tasks with two or more judged
    trials)."""
    counts = dict.fromkeys(("stable_pass", "flaky", "stable_fail"), 0)
    for members in _by_task(runs).values():
        state = _state(*_count(members))
        if state is not None:
            counts[state] += 1
    return counts


def smallest_drop_p(base_trials: int, base_passed: int, trials: int, passed: int) -> float:
    """The smallest p-value fisher_drop can give for this task's passes on both sides: all
    of them on the baseline's side, as far as its trials go."""
    passes = base_passed + passed
    held = min(passes, base_trials)
    return fisher_drop(base_trials, held, trials, passes - held)


def task_summaries(
    runs: Sequence[RunResult],
    baseline: Sequence[RunResult] | None,
    alpha: float = 0.05,
    must_pass: Collection[str] = (),
) -> list[TaskSummary]:
    """Every task of the runs, of the baseline and the ``must_pass`` tasks of the tasks file
    (the last two with no trials when no run has them)."""
    now, before = _by_task(runs), _by_task(baseline or [])
    summaries = []
    for task in sorted(now):
        trials, passed = _count(now[task])
        summary = TaskSummary(
            task_id=task,
            trials=trials,
            passed=passed,
            state=_state(trials, passed),
            must_pass=any(r.must_pass for r in now[task]),
            runs=[r.run_id for r in sorted(now[task], key=_trial_order)],
        )
        if baseline is not None and task in before:
            summary = _against(summary, *_count(before[task]))
        summaries.append(summary)
    summaries += [_missing(task, before[task]) for task in sorted(before.keys() - now.keys())]
    summaries += [
        TaskSummary(task_id=task, trials=0, passed=0, state=None, must_pass=True, runs=[])
        for task in sorted(set(must_pass) - now.keys() - before.keys())
    ]
    return _corrected(sorted(summaries, key=lambda s: s.task_id), alpha)


def _missing(task: str, baseline: Sequence[RunResult]) -> TaskSummary:
    """A baseline task with no run now: listed with no trials (coverage names it)."""
    trials, passed = _count(baseline)
    return TaskSummary(
        task_id=task,
        trials=0,
        passed=0,
        state=None,
        must_pass=any(r.must_pass for r in baseline),
        runs=[],
        baseline_trials=trials,
        baseline_passed=passed,
    )


def _against(summary: TaskSummary, base_trials: int, base_passed: int) -> TaskSummary:
    trials, passed = summary.trials, summary.passed
    change = None
    if base_trials and trials:
        if base_passed == base_trials and passed == 0:
            change = "newly_failing"
        elif base_passed == 0 and passed == trials:
            change = "newly_passing"
    p_value = (
        rounded(fisher_drop(base_trials, base_passed, trials, passed))
        if base_trials and trials
        else None
    )
    return summary.model_copy(
        update={
            "baseline_trials": base_trials,
            "baseline_passed": base_passed,
            "change": change,
            "p_value": p_value,
        }
    )


def _corrected(summaries: list[TaskSummary], alpha: float) -> list[TaskSummary]:
    """q-values over the tasks that can reach alpha; the others keep none."""
    tested = [
        i
        for i, s in enumerate(summaries)
        if s.p_value is not None
        and smallest_drop_p(s.baseline_trials or 0, s.baseline_passed or 0, s.trials, s.passed)
        < alpha
    ]
    adjusted = benjamini_hochberg([summaries[i].p_value or 0.0 for i in tested])
    for index, q_value in zip(tested, adjusted, strict=True):
        summaries[index] = summaries[index].model_copy(update={"q_value": q_value})
    return summaries
