"""Reading a baseline report and comparing a candidate's cohorts with it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taskgate.api.pipeline import assemble
from taskgate.compare.baseline import (
    baseline_ref,
    check_fingerprint,
    compare_cohorts,
    load_report,
    metric_delta,
)
from taskgate.config.load import config_fingerprint, default_config
from taskgate.errors import BaselineError, Problem
from taskgate.model.report import BaselineCohort, CohortRef, Dataset, Report, RunResult
from taskgate.report.json import render_json

CONFIG = default_config()
FINGERPRINT = config_fingerprint(CONFIG)
METRICS = ["task_completion", "trajectory_score"]
RULE = CONFIG.gate.regression  # compares METRICS, the default
DATASET = Dataset(source="runs.jsonl", runs=4, invalid=0, underspecified=0, sha256="ab" * 32)


def result(run_id: str, task_id: str, score: float, **fields: Any) -> RunResult:
    values: dict[str, Any] = {
        "run_id": run_id,
        "task_id": task_id,
        "trial": None,
        "cohort": fields.pop("cohort", {}),
        "scores": {"task_completion": score, "trajectory_score": score},
        "passed": score >= 0.7,
        "reason": "",
        "status": "completed",
        "underspecified": False,
        "step_budget_exceeded": False,
        "steps": 4,
    }
    return RunResult.model_validate({**values, **fields})


def smb(run_id: str, task_id: str, score: float, **fields: Any) -> RunResult:
    return result(run_id, task_id, score, cohort={"segment": "smb"}, **fields)


def ent(run_id: str, task_id: str, score: float, **fields: Any) -> RunResult:
    return result(run_id, task_id, score, cohort={"segment": "ent"}, **fields)


BASE_RUNS = [
    smb("r0", "a", 1.0, cost_usd=0.1),
    smb("r1", "b", 1.0, cost_usd=0.1),
    ent("r2", "c", 0.5, steps=6, cost_usd=0.2),
    ent("r3", "d", 0.0),
]
# Task a now has two trials, 1.0 and 0.0: its task mean is 0.5. Segment ent is gone and
# segment new appears.
CAND_RUNS = [
    smb("r0", "a", 1.0, cost_usd=0.1),
    smb("r1", "a", 0.0, cost_usd=0.1),
    smb("r2", "b", 1.0, steps=8, cost_usd=0.3),
    result("r3", "e", 0.9, cohort={"segment": "new"}),
]


def gated(runs: list[RunResult], dimensions: tuple[str, ...] = ("segment",)) -> Report:
    return assemble(runs, DATASET, list(dimensions), CONFIG)


@pytest.fixture(scope="module")
def baseline() -> Report:
    return gated(BASE_RUNS)


@pytest.fixture(scope="module")
def compared(baseline: Report) -> dict[tuple[str, str], Any]:
    assert list(RULE.metrics) == METRICS
    cohorts = compare_cohorts(gated(CAND_RUNS).cohorts, CAND_RUNS, baseline, RULE)
    return {(c.dimension, c.value): c for c in cohorts}


# load_report --------------------------------------------------------------------------------


def problems_of(path: Path) -> list[Problem]:
    with pytest.raises(BaselineError) as caught:
        load_report(path)
    return caught.value.problems


def written(tmp_path: Path, report: Report) -> Path:
    path = tmp_path / "baseline.json"
    path.write_bytes(render_json(report))
    return path


def test_a_written_report_reads_back_equal(tmp_path: Path, baseline: Report) -> None:
    assert load_report(written(tmp_path, baseline)) == baseline


def test_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.json"
    assert problems_of(path) == [Problem(str(path), None, None, "file not found; check the path")]


def test_a_truncated_file(tmp_path: Path, baseline: Report) -> None:
    path = tmp_path / "baseline.json"
    path.write_bytes(b"".join(render_json(baseline).splitlines(keepends=True)[:5]))
    message = (
        "not valid JSON (unexpected end of data): the file is truncated; "
        "write it again with taskgate score -o"
    )
    assert problems_of(path) == [Problem(str(path), 6, None, message)]
    with pytest.raises(BaselineError) as caught:
        load_report(path)
    assert caught.value.message == f"{path}:6: {message}"
    assert caught.value.exit_code == 2


def test_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    path.write_bytes(b"")
    assert problems_of(path) == [
        Problem(str(path), None, None, "the file is empty; write it again with taskgate score -o")
    ]


@pytest.mark.parametrize(("version", "shown"), [(2, "2"), ("1", "'1'")])
def test_a_report_of_another_version(
    tmp_path: Path, baseline: Report, version: Any, shown: str
) -> None:
    data = orjson.loads(render_json(baseline))
    data["report_version"] = version
    path = tmp_path / "baseline.json"
    path.write_bytes(orjson.dumps(data))
    assert problems_of(path) == [
        Problem(
            str(path),
            None,
            "report_version",
            f"report_version {shown} is not 1, the version this taskgate writes; "
            "score the baseline again with this version",
        )
    ]


def test_a_report_without_a_version_is_not_a_report(tmp_path: Path, baseline: Report) -> None:
    data = orjson.loads(render_json(baseline))
    del data["report_version"]
    path = tmp_path / "baseline.json"
    path.write_bytes(orjson.dumps(data))
    message = (
        "required field is missing: not a taskgate report; write it again with taskgate score -o"
    )
    assert problems_of(path) == [Problem(str(path), None, "report_version", message)]


def test_fields_a_newer_taskgate_added_are_ignored(tmp_path: Path, baseline: Report) -> None:
    data = orjson.loads(render_json(baseline))
    data["written_by"] = "a newer taskgate"
    data["verdict"]["rules"]["a_new_rule"] = "warn"
    data["verdict"]["later"] = {"any": "value"}
    data["cohorts"][0]["later"] = [1, 2]
    data["runs"][0]["later"] = None
    path = tmp_path / "baseline.json"
    path.write_bytes(orjson.dumps(data))
    assert load_report(path) == baseline.model_copy(
        update={"verdict": baseline.verdict.model_copy(update={"rules": data["verdict"]["rules"]})}
    )


@pytest.mark.parametrize(
    ("score", "message"),
    [
        (-6, "must be at least 0, got -6"),
        (1.5, "must be at most 1, got 1.5"),
        ("1E400", "expected a finite number, got '1E400'"),
        ("NaN", "expected a finite number, got 'NaN'"),
    ],
)
def test_a_run_score_outside_zero_to_one_is_refused(
    tmp_path: Path, baseline: Report, score: Any, message: str
) -> None:
    # Paired tests read the baseline's run scores: one out of range made deltas no chart
    # could draw (found by the baseline fuzzing).
    data = orjson.loads(render_json(baseline))
    data["runs"][0]["scores"]["task_completion"] = score
    path = tmp_path / "baseline.json"
    path.write_bytes(orjson.dumps(data))
    field = "runs[0].scores.task_completion"
    assert problems_of(path) == [Problem(str(path), None, field, message)]


def test_a_json_document_that_is_not_an_object(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    path.write_bytes(b"[1, 2]")
    message = (
        "expected a JSON object, got a list: not a taskgate report; "
        "write it again with taskgate score -o"
    )
    assert problems_of(path) == [Problem(str(path), None, None, message)]


def test_another_json_document_is_not_called_truncated(tmp_path: Path) -> None:
    path = tmp_path / "runs.jsonl"
    path.write_bytes(b'{"run_id": "a"}\n{"run_id": "b"}\n')
    message = (
        "not valid JSON (unexpected content after document); "
        "expected a JSON report written by taskgate score -o"
    )
    assert problems_of(path) == [Problem(str(path), 2, None, message)]


def test_fields_of_the_wrong_type_are_each_named(tmp_path: Path, baseline: Report) -> None:
    data = orjson.loads(render_json(baseline))
    data["dataset"]["runs"] = "many"
    data["cohorts"][1]["n"] = [3]
    del data["verdict"]
    path = tmp_path / "baseline.json"
    path.write_bytes(orjson.dumps(data))
    with pytest.raises(BaselineError) as caught:
        load_report(path)
    assert [(p.line, p.field, p.message) for p in caught.value.problems] == [
        (None, "dataset.runs", "expected a whole number, got 'many'"),
        (None, "verdict", "required field is missing"),
        (None, "cohorts[1].n", "expected a whole number, got a list"),
    ]
    assert caught.value.message.splitlines()[0] == (
        f"{path}: not a taskgate report; write it again with taskgate score -o"
    )
    assert caught.value.message.splitlines()[1] == (
        f"{path}: dataset.runs: expected a whole number, got 'many'"
    )


# check_fingerprint --------------------------------------------------------------------------


def test_a_baseline_of_the_same_config_is_accepted(baseline: Report) -> None:
    assert baseline.config_fingerprint == FINGERPRINT
    check_fingerprint(baseline, FINGERPRINT, "base.json", allow=False)


def test_a_baseline_of_another_config_is_refused_unless_allowed(baseline: Report) -> None:
    other = "sha256:" + "0" * 64
    with pytest.raises(BaselineError) as caught:
        check_fingerprint(baseline, other, "base.json", allow=False)
    assert caught.value.problems == [
        Problem(
            "base.json",
            None,
            "config_fingerprint",
            "the baseline was scored under a different evaluator config than this one, so its "
            "scores do not compare; score it again with this config, or pass "
            "--allow-config-change",
        )
    ]
    check_fingerprint(baseline, other, "base.json", allow=True)


# compare_cohorts ----------------------------------------------------------------------------


def test_the_baseline_side_is_filled_from_the_same_cohort(compared: dict[Any, Any]) -> None:
    both = dict.fromkeys(
        ["goal_progress", "tool_selection", "function_calls", "step_efficiency", "grounding"]
    )
    # Baseline all: scores 1, 1, 0.5, 0; steps 4, 4, 6, 4; $0.40 over 2 passes.
    assert compared["all", "all"].baseline == BaselineCohort(
        n=4,
        pass_rate=0.5,
        status="yellow",
        means={**both, "task_completion": 0.625, "trajectory_score": 0.625},
        tails={**both, "task_completion": 0.0, "trajectory_score": 0.0},
        steps_mean=4.5,
        per_pass_usd=0.2,
    )
    assert compared["segment", "smb"].baseline == BaselineCohort(
        n=2,
        pass_rate=1.0,
        status="green",
        means={**both, "task_completion": 1.0, "trajectory_score": 1.0},
        tails={**both, "task_completion": 1.0, "trajectory_score": 1.0},
        steps_mean=4.0,
        per_pass_usd=0.1,
    )


def test_pass_rate_delta_is_over_runs(compared: dict[Any, Any]) -> None:
    assert compared["all", "all"].pass_rate_delta == 0.25  # 3 of 4 against 2 of 4
    assert compared["segment", "smb"].pass_rate_delta == -0.333333  # 2 of 3 against 2 of 2


def test_deltas_are_over_task_means_paired_when_the_tasks_match(
    compared: dict[Any, Any],
) -> None:
    smb_deltas = compared["segment", "smb"].delta
    assert set(smb_deltas) == set(METRICS)
    for change in smb_deltas.values():
        # Task a: 1.0 -> mean(1.0, 0.0) = 0.5; task b: 1.0 -> 1.0. Over runs it would be -1/3.
        assert (change.mean, change.tail, change.paired, change.tasks) == (-0.25, -0.5, True, 2)
        # Task b has one trial a side, so whole tasks are resampled: task deltas -0.5 and 0,
        # two drawn with replacement give -0.5, -0.25, 0 with chances 1/4, 1/2, 1/4.
        assert change.method == "tasks"
        assert (change.ci, change.tail_ci) == ((-0.5, 0.0), (-0.5, 0.0))
        # Within task a, the 0 lands on the baseline side in 1 of C(3, 1) = 3 deals (mean
        # change +0.5, tail +1) and on the candidate's in 2 (-0.25 and -0.5, as observed);
        # task b's runs are equal. So both p-values are 2/3, up to the resampling.
        assert change.p_value == pytest.approx(2 / 3, abs=0.02)
        assert change.tail_p_value == pytest.approx(2 / 3, abs=0.02)
        # Trials a task a side: (1 + 2 + 1 + 1) / 4. Under the null, task a's three runs
        # (variance 1/3) give 1/3 * (1/1 + 1/2) = 1/2, task b's nothing: SE sqrt(1/2) / 2.
        # The 3 * 2 deals reach p = 1/6 at best, never below alpha: no drop is detectable.
        assert (change.trials, change.se, change.smallest_p) == (1.25, 0.353553, 0.166667)
        assert change.min_detectable_drop is None


def test_deltas_are_paired_over_the_shared_tasks_when_the_tasks_differ(
    compared: dict[Any, Any],
) -> None:
    # Baseline tasks a, b, c, d (1, 1, 0.5, 0); candidate a, b, e (0.5, 1, 0.9). Only a and b
    # are on both sides (c, d missing and e new are the coverage rule's): baseline mean 1,
    # tail 1; candidate mean 0.75, tail 0.5.
    change = compared["all", "all"].delta["task_completion"]
    assert (change.mean, change.tail, change.paired, change.tasks) == (-0.25, -0.5, True, 2)


def test_deltas_are_unpaired_only_when_no_task_is_shared() -> None:
    before = [result("b0", "a", 1.0), result("b1", "b", 0.5)]
    after = [result("c0", "x", 0.5), result("c1", "y", 0.0), result("c2", "z", 0.25)]
    change = metric_delta(before, after, "task_completion", "all")
    assert change is not None
    assert (change.mean, change.tail, change.paired, change.tasks) == (-0.5, -0.5, False, 3)
    # Task means shuffled between the sides: 1 of C(5, 3) = 10 deals is the most extreme.
    assert (change.method, change.trials, change.smallest_p) == ("unpaired", 1.0, 0.1)
    assert change.min_detectable_drop is None


def test_a_new_cohort_has_no_baseline_side(compared: dict[Any, Any]) -> None:
    new = compared["segment", "new"]
    assert (new.baseline, new.delta, new.pass_rate_delta) == (None, None, None)


def test_only_the_metrics_asked_for_and_scored_get_a_delta(baseline: Report) -> None:
    rule = RULE.model_copy(update={"metrics": ("goal_progress",)})
    cohorts = compare_cohorts(gated(CAND_RUNS).cohorts, CAND_RUNS, baseline, rule)
    assert {c.value: c.delta for c in cohorts if c.baseline is not None} == {
        "all": {},
        "smb": {},
        "false": {},
    }


# baseline_ref -------------------------------------------------------------------------------


def test_vanished_cohorts_are_listed_for_the_dimensions_the_candidate_reports() -> None:
    base_runs = [
        result("r0", "a", 1.0, cohort={"segment": "smb", "variant": "v1"}),
        result("r1", "b", 0.0, cohort={"segment": "ent", "variant": "v1"}),
        result("r2", "c", 0.0, cohort={"segment": "ent"}, step_budget_exceeded=True),
    ]
    base = gated(base_runs, ("segment", "variant"))
    candidate = gated([result("r0", "a", 1.0, cohort={"segment": "smb"})])
    ref = baseline_ref(base, candidate.cohorts, "base.json", candidate.runs)
    assert ref.vanished == [
        CohortRef(dimension="segment", value="ent", n=2),
        CohortRef(dimension="step_budget_exceeded", value="true", n=1),
    ]
    assert ref.vanished_dimensions == ["variant"]
    assert (ref.source, ref.runs, ref.sha256, ref.config_fingerprint) == (
        "base.json",
        4,
        "ab" * 32,
        FINGERPRINT,
    )


# a report against itself --------------------------------------------------------------------

runs_strategy = st.lists(
    st.tuples(
        st.integers(0, 5),  # task
        st.sampled_from([0.0, 0.3, 0.55, 0.7, 1.0]),
        st.sampled_from(["smb", "ent", "consumer"]),
        st.booleans(),  # step budget exceeded
        st.integers(1, 12),  # steps
        st.sampled_from([None, 0.01, 0.25]),  # cost
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=10, deadline=None)
@given(runs_strategy)
def test_a_report_diffed_against_itself_shows_no_change(rows: list[tuple[Any, ...]]) -> None:
    runs = [
        result(
            f"r{i}",
            f"t{task}",
            score,
            cohort={"segment": segment},
            step_budget_exceeded=budget,
            steps=steps,
            cost_usd=cost,
        )
        for i, (task, score, segment, budget, steps, cost) in enumerate(rows)
    ]
    report = gated(runs)
    again = assemble(runs, DATASET, ["segment"], CONFIG, (report, "self.json"))
    assert again.baseline is not None and again.baseline.vanished == []
    for before, after in zip(report.cohorts, again.cohorts, strict=True):
        compared = {"baseline": None, "delta": None, "pass_rate_delta": None, "behaviour": None}
        bare = after.model_copy(update=compared)
        assert bare == before
        assert after.baseline is not None and after.delta is not None
        assert after.baseline.means == {m: s.mean for m, s in before.metrics.items()}
        assert (after.baseline.n, after.baseline.pass_rate) == (before.n, before.pass_rate)
        assert after.pass_rate_delta == 0.0
        assert after.behaviour is not None
        assert after.behaviour.steps_before == after.behaviour.steps_after
        assert after.behaviour.cost_per_run_before == after.behaviour.cost_per_run_after
        assert set(after.delta) == set(METRICS)
        members = [r for r in runs if _in(r, after.dimension, after.value)]
        trials: dict[str, list[float]] = {}
        for run in members:
            trials.setdefault(run.task_id, []).append(run.scores["task_completion"] or 0.0)
        method = "trials" if all(len(t) > 1 for t in trials.values()) else "tasks"
        # Every deal of a task's runs between two equal sides changes nothing when its runs
        # scored alike; otherwise the deals' changes are symmetric about 0 with ties at 0,
        # so p is at least 1/2 up to the resampling (it was 1.0 when whole tasks were flipped).
        alike = all(len(set(t)) == 1 for t in trials.values())
        for change in after.delta.values():
            assert (change.mean, change.tail, change.paired) == (0.0, 0.0, True)
            assert (change.method, change.tasks) == (method, len(trials))
            assert change.trials == round(len(members) / len(trials), 6)
            if alike:
                assert (change.p_value, change.tail_p_value) == (1.0, 1.0)
            else:
                assert change.p_value > 0.4 and change.tail_p_value > 0.4
            if method == "tasks" or alike:  # the same tasks drawn on both sides
                assert (change.ci, change.tail_ci) == ((0.0, 0.0), (0.0, 0.0))
            else:  # each side's trials drawn apart
                assert change.ci[0] <= 0.0 <= change.ci[1]
                assert change.tail_ci[0] <= 0.0 <= change.tail_ci[1]
    # Nothing changed, so nothing new is found; only whether the comparison could have seen a
    # drop is new (tests/gate/test_power_rules.py checks where it says so).
    found = [f for f in again.verdict.findings if f.rule != "underpowered"]
    assert found == report.verdict.findings


def _in(run: RunResult, dimension: str, value: str) -> bool:
    if dimension == "all":
        return True
    if dimension == "step_budget_exceeded":
        return str(run.step_budget_exceeded).lower() == value
    return run.cohort.get(dimension) == value
