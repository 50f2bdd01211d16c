from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from taskgate.aggregate.cohorts import (
    discover_dimensions,
    group_by_cohort,
    metric_columns,
    summarize_cohort,
    worst_status,
)
from taskgate.config.model import Threshold
from taskgate.model.report import RunResult

BANDS = {"task_completion": Threshold(green=0.7, yellow=0.5)}


def result(run_id: str, score: float | None, **fields: Any) -> RunResult:
    values: dict[str, Any] = {
        "run_id": run_id,
        "task_id": fields.pop("task_id", run_id),
        "trial": None,
        "cohort": fields.pop("cohort", {}),
        "scores": {"task_completion": score},
        "passed": score is not None and score >= 0.7,
        "reason": "",
        "status": "completed",
        "underspecified": False,
        "step_budget_exceeded": False,
        "steps": 4,
    }
    return RunResult.model_validate({**values, **fields})


def test_cohort_summary_values() -> None:
    runs = [
        result(f"r{i}", s, steps=i + 1, cost_usd=0.5) for i, s in enumerate([1.0, 0.9, 0.2, None])
    ]
    cohort = summarize_cohort("all", "all", runs, ["task_completion"], BANDS)
    metric = cohort.metrics["task_completion"]
    assert (metric.n, metric.mean, metric.tail, metric.gap) == (3, 0.7, 0.2, 0.5)
    assert (metric.pass_rate, metric.status) == (0.666667, "green")
    assert cohort.n == 4 and cohort.pass_rate == 0.5
    assert cohort.steps == {"mean": 2.5, "p50": 2.0, "p90": 4.0}
    assert cohort.cost == {"total_usd": 2.0, "per_pass_usd": 1.0, "tokens_per_pass": None}


def test_errored_runs_stay_in_every_denominator() -> None:
    runs = [result("ok", 1.0), result("crash", 0.0, status="error")]
    cohort = summarize_cohort("all", "all", runs, ["task_completion"], BANDS)
    assert (cohort.n, cohort.pass_rate, cohort.metrics["task_completion"].mean) == (2, 0.5, 0.5)


def test_pass_k_shows_a_task_that_always_fails() -> None:
    # Pooled pass rate 75% hides that task b never passes; pass^k does not.
    runs = [result(f"a{i}", 1.0, task_id="a") for i in range(4)]
    runs += [result(f"b{i}", 1.0 if i < 2 else 0.0, task_id="b") for i in range(4)]
    runs += [result(f"c{i}", 0.0, task_id="c") for i in range(2)]
    cohort = summarize_cohort("all", "all", runs, ["task_completion"], BANDS)
    assert cohort.pass_k == {"1": 0.5, "2": 0.388889, "3": 0.5, "4": 0.5}


def test_groups_cover_all_dimensions_and_budget() -> None:
    runs = [
        result("r1", 1.0, cohort={"segment": "smb"}),
        result("r2", 0.0, cohort={}, step_budget_exceeded=True),
    ]
    groups = [(d, v, [r.run_id for r in rs]) for d, v, rs in group_by_cohort(runs, ["segment"])]
    assert groups == [
        ("all", "all", ["r1", "r2"]),
        ("segment", "(none)", ["r2"]),
        ("segment", "smb", ["r1"]),
        ("step_budget_exceeded", "false", ["r1"]),
        ("step_budget_exceeded", "true", ["r2"]),
    ]
    assert discover_dimensions(runs) == ["segment"]


def test_worst_status() -> None:
    assert worst_status(["green", None, "yellow"]) == "yellow"
    assert worst_status([None]) is None


@given(st.lists(st.floats(0, 1), min_size=1, max_size=40), st.randoms())
def test_summary_does_not_depend_on_run_order(scores: list[float], rng: Any) -> None:
    runs = [result(f"r{i}", s) for i, s in enumerate(scores)]
    shuffled = list(runs)
    rng.shuffle(shuffled)
    first = summarize_cohort("all", "all", runs, ["task_completion"], BANDS)
    second = summarize_cohort("all", "all", shuffled, ["task_completion"], BANDS)
    assert first == second


def test_metric_columns_leave_out_unjudged_and_missing_values() -> None:
    runs = [
        result("a", 0.5, scores={"task_completion": 0.5, "goal_progress": None}),
        result("b", 0.25, scores={"task_completion": 0.25}),  # scored with fewer metrics
    ]
    assert metric_columns(runs, ["task_completion"]) == {"task_completion": [0.5, 0.25]}
    assert metric_columns(runs, ["task_completion", "goal_progress"]) == {
        "task_completion": [0.5, 0.25],
        "goal_progress": [],
    }
    assert metric_columns([], ["task_completion", "goal_progress"]) == {
        "task_completion": [],
        "goal_progress": [],
    }
    assert metric_columns(runs, []) == {}
