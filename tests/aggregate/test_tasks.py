"""Per task over trials: states, newly failing and passing tasks, must_pass."""

from __future__ import annotations

from math import comb

import pytest

from taskgate.aggregate.tasks import fisher_drop, smallest_drop_p, task_states, task_summaries
from taskgate.config.model import Config
from taskgate.gate.task_rules import must_pass, newly_failing
from taskgate.gate.verdict import evaluate_gate
from taskgate.model.report import Dataset, Report, RunResult, Verdict
from tests.conftest import make_result


def run(task: str, trial: int, passed: bool | None, must: bool = False) -> RunResult:
    return make_result(f"{task}-{trial}", task, trial=trial, passed=passed, must_pass=must)


def trials(task: str, passes: list[bool | None], must: bool = False) -> list[RunResult]:
    return [run(task, i, p, must) for i, p in enumerate(passes)]


def report_of(runs: list[RunResult], baseline: list[RunResult] | None) -> Report:
    dataset = Dataset(source="x", runs=len(runs), invalid=0, underspecified=0, sha256="x")
    return Report(
        taskgate_version="0",
        config_fingerprint="x",
        dataset=dataset,
        verdict=Verdict(status="pass", exit_code=0, findings=[]),
        dimensions=[],
        cohorts=[],
        tasks=task_summaries(runs, baseline),
        runs=runs,
    )


def test_states_need_two_judged_trials() -> None:
    runs = [
        *trials("a", [True, True]),
        *trials("b", [True, False, True]),
        *trials("c", [False, False]),
        *trials("d", [True]),
        *trials("e", [True, None]),
    ]
    assert task_states(runs) == {"stable_pass": 1, "flaky": 1, "stable_fail": 1}
    states = {s.task_id: s.state for s in task_summaries(runs, None)}
    assert states == {"a": "stable_pass", "b": "flaky", "c": "stable_fail", "d": None, "e": None}


@pytest.mark.parametrize(
    ("m", "b", "n", "c"), [(2, 2, 2, 0), (4, 4, 4, 0), (4, 3, 3, 1), (3, 0, 3, 3)]
)
def test_fisher_drop_is_the_hypergeometric_lower_tail(m: int, b: int, n: int, c: int) -> None:
    # Counted by hand: ways to give the candidate k of the b + c passes, k <= c.
    total, passes = m + n, b + c
    expected = sum(comb(passes, k) * comb(total - passes, n - k) for k in range(c + 1))
    assert fisher_drop(m, b, n, c) == pytest.approx(expected / comb(total, n))
    if (b, c) == (m, 0):
        assert fisher_drop(m, b, n, c) == pytest.approx(1 / comb(m + n, n))


@pytest.mark.parametrize(
    ("m", "b", "n", "c", "smallest"),
    [(4, 4, 4, 0, 1 / 70), (3, 3, 3, 3, 1.0), (2, 0, 2, 0, 1.0), (4, 2, 4, 1, 5 / 70)],
)
def test_the_smallest_reachable_p_puts_every_pass_on_the_baseline_side(
    m: int, b: int, n: int, c: int, smallest: float
) -> None:
    # (4, 2, 4, 1): 3 passes in all; at best none of them on the candidate's side, whose 4
    # trials are then 4 of the 5 failures: C(5, 4) / C(8, 4) = 5/70.
    assert smallest_drop_p(m, b, n, c) == pytest.approx(smallest)


def test_a_task_flipping_with_two_trials_a_side_is_listed_not_failed() -> None:
    base = [*trials("a", [True, True]), *trials("b", [True, False])]
    now = [*trials("a", [False, False]), *trials("b", [True, False])]
    report = report_of(now, base)
    flipped = report.tasks[0]
    # p = 1/6, the smallest any 2 + 2 trials can give: it can never reach alpha, so it is
    # not corrected (q null), and only listed.
    assert (flipped.change, flipped.p_value, flipped.q_value) == ("newly_failing", 0.166667, None)
    found = list(newly_failing(report, Config()))
    assert [(f.level, f.rule) for f in found] == [("warn", "newly_failing")]
    assert found[0].message == (
        "1 task passed every baseline trial and fails every trial now, within what chance "
        "explains for flaky tasks with these trials (q >= 0.05, or too few trials to reach "
        "it): a; run more trials to tell"
    )


def test_many_tasks_flipping_with_four_trials_fail_one_by_one_with_their_runs() -> None:
    names = [f"t{i}" for i in range(6)]
    base = [r for t in names for r in trials(t, [True] * 4)]
    now = [r for t in names[:5] for r in trials(t, [False] * 4)] + trials("t5", [True] * 4)
    report = report_of(now, base)
    found = list(newly_failing(report, Config()))
    assert [(f.level, f.task) for f in found] == [("fail", t) for t in names[:5]]
    # p = 1/70 each; t5 passed all 8 trials, so its p is 1 whatever happens: BH over the 5
    # tasks that could reach alpha, 1/70 * 5/5.
    assert found[0].message == (
        "task 't0' passed all 4 baseline trials and fails all 4 now (p=0.0143, q=0.0143 over "
        "5 shared tasks that could reach alpha); runs t0-0, t0-1, t0-2, t0-3"
    )
    assert [t.change for t in report.tasks if t.task_id == "t5"] == [None]


def test_a_task_failing_back_to_passing_is_newly_passing_and_never_a_finding() -> None:
    report = report_of(trials("a", [True, True]), trials("a", [False, False]))
    assert report.tasks[0].change == "newly_passing"
    assert list(newly_failing(report, Config())) == []


def test_must_pass_fails_on_a_failed_an_unjudged_or_a_missing_trial() -> None:
    base = [*trials("a", [True, True], must=True), *trials("gone", [True], must=True)]
    now = [*trials("a", [True, False], must=True), *trials("b", [True, None], must=True)]
    now += trials("c", [True, True], must=True)
    report = report_of(now, base)
    messages = [(f.task, f.message) for f in must_pass(report, Config())]
    assert messages == [
        ("a", "task 'a' is must_pass and failed 1 of its 2 trials: runs a-1"),
        (
            "b",
            "task 'b' is must_pass and failed 0 of its 2 trials (1 unjudged: nothing to "
            "check): runs b-1",
        ),
        ("gone", "task 'gone' is must_pass in the baseline and has no run: run every golden task"),
    ]


def test_the_rules_are_off_when_the_config_says_so() -> None:
    base = [r for t in "abcdef" for r in trials(t, [True] * 4, must=True)]
    now = [r for t in "abcdef" for r in trials(t, [False] * 4, must=True)]
    report = report_of(now, base)
    off = Config.model_validate(
        {"gate": {"newly_failing": {"level": "off"}, "must_pass": {"level": "off"}}}
    )
    assert {f.rule for f in evaluate_gate(report, Config())} >= {"newly_failing", "must_pass"}
    assert not {f.rule for f in evaluate_gate(report, off)} & {"newly_failing", "must_pass"}


def test_a_must_pass_task_of_the_tasks_file_with_no_run_fails() -> None:
    runs = trials("a", [True, True])
    report = report_of(runs, None).model_copy(
        update={"tasks": task_summaries(runs, None, must_pass=["a", "z"])}
    )
    assert [(f.task, f.message) for f in must_pass(report, Config())] == [
        ("z", "task 'z' is must_pass in the tasks file and has no run: run every golden task")
    ]
