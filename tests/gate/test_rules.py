"""Every gate rule at and around its boundary, with the exact findings it yields."""

from __future__ import annotations

import re
from typing import Any

import pytest

from taskgate.aggregate.cohorts import status_of, summarize_dimensions
from taskgate.aggregate.tasks import task_summaries
from taskgate.api.pipeline import assemble
from taskgate.config.load import default_config
from taskgate.config.model import Config
from taskgate.gate import cohort_rules, regression_rules, report_rules
from taskgate.gate.verdict import evaluate_gate, rule_levels, verdict
from taskgate.model.report import (
    BaselineCohort,
    BaselineRef,
    CohortRef,
    CohortSummary,
    Dataset,
    Finding,
    MetricDelta,
    MetricSummary,
    Report,
    RunResult,
    Verdict,
)
from tests.conftest import FIXTURES

DEFAULT = default_config()
GATE_DOC = (FIXTURES.parent / "docs" / "gate.md").read_text(encoding="utf-8")
BANDS = DEFAULT.thresholds
GATED = ("task_completion", "trajectory_score")


def config(**gate: Any) -> Config:
    return Config.model_validate({"gate": gate})


def summary(
    mean: float | None, tail: float | None = None, n: int = 20, metric: str = ""
) -> MetricSummary:
    tail = mean if tail is None else tail
    return MetricSummary(
        n=n,
        mean=mean,
        tail=tail,
        gap=None if mean is None or tail is None else round(mean - tail, 6),
        pass_rate=None,
        status=status_of(mean, BANDS.get(metric)),  # type: ignore[call-overload]
    )


def cohort(
    dimension: str = "all",
    value: str = "all",
    n: int = 20,
    tc: float | None = 0.9,
    tc_tail: float | None = None,
    traj: float | None = 0.9,
    **fields: Any,
) -> CohortSummary:
    """A cohort whose gated metrics are green unless told otherwise."""
    metrics = {
        "task_completion": summary(tc, tc_tail, n, "task_completion"),
        "trajectory_score": summary(traj, None, n, "trajectory_score"),
        **fields.pop("metrics", {}),
    }
    return CohortSummary(
        dimension=dimension,
        value=value,
        n=n,
        pass_rate=0.9,
        status=None,
        metrics=metrics,
        **fields,
    )


def smb(**fields: Any) -> CohortSummary:
    return cohort("segment", "smb", **fields)


def as_tuple(f: Finding) -> tuple[Any, ...]:
    return (f.rule, f.level, f.dimension, f.cohort, f.metric, f.observed, f.limit, f.message)


def found(findings: Any) -> list[tuple[Any, ...]]:
    return [as_tuple(f) for f in findings]


DATASET = Dataset(source="runs.jsonl", runs=20, invalid=0, underspecified=0, sha256="0" * 64)


def report(
    cohorts: list[CohortSummary],
    baseline: BaselineRef | None = None,
    dataset: Dataset = DATASET,
    min_size: int = 10,
) -> Report:
    return Report(
        taskgate_version="0.1.0",
        config_fingerprint="sha256:x",
        dataset=dataset,
        verdict=Verdict(status="pass", exit_code=0, findings=[]),
        dimensions=summarize_dimensions(cohorts, list(GATED), min_size),
        cohorts=cohorts,
        baseline=baseline,
        runs=[],
    )


# cohort_status ------------------------------------------------------------------------------


def test_a_red_cohort_fails_with_the_yellow_threshold_as_limit() -> None:
    red = smb(n=10, tc=0.499)
    assert found(cohort_rules.cohort_status([red], DEFAULT)) == [
        (
            "cohort_status",
            "fail",
            "segment",
            "smb",
            "task_completion",
            0.499,
            0.5,
            "segment=smb: task_completion mean 0.499 is red (below 0.50) over 10 runs",
        )
    ]


def test_a_yellow_cohort_passes_unless_fail_on_is_yellow() -> None:
    at_yellow = smb(tc=0.5)
    assert list(cohort_rules.cohort_status([at_yellow], DEFAULT)) == []
    assert found(cohort_rules.cohort_status([at_yellow], config(fail_on="yellow"))) == [
        (
            "cohort_status",
            "fail",
            "segment",
            "smb",
            "task_completion",
            0.5,
            0.7,
            "segment=smb: task_completion mean 0.500 is yellow (below 0.70) over 20 runs",
        )
    ]


def test_a_green_cohort_never_fails_and_red_keeps_the_yellow_limit_under_fail_on_yellow() -> None:
    strict = config(fail_on="yellow")
    assert list(cohort_rules.cohort_status([smb(tc=0.7, traj=0.7)], strict)) == []
    [red] = cohort_rules.cohort_status([smb(tc=0.9, traj=0.2)], strict)
    assert (red.metric, red.observed, red.limit) == ("trajectory_score", 0.2, 0.5)
    assert (
        red.message == "segment=smb: trajectory_score mean 0.200 is red (below 0.50) over 20 runs"
    )


def test_cohort_status_judges_each_gated_metric_and_skips_metrics_without_status() -> None:
    both = smb(tc=0.1, traj=0.3, metrics={"goal_progress": summary(0.0)})
    assert [(f.metric, f.observed) for f in cohort_rules.cohort_status([both], DEFAULT)] == [
        ("task_completion", 0.1),
        ("trajectory_score", 0.3),
    ]
    unjudged = smb(tc=None, traj=None)
    assert list(cohort_rules.cohort_status([unjudged], DEFAULT)) == []


def test_small_cohorts_are_not_judged_at_min_cohort_size_they_are() -> None:
    assert list(cohort_rules.cohort_status([smb(n=9, tc=0.0)], DEFAULT)) == []
    assert len(list(cohort_rules.cohort_status([smb(n=10, tc=0.0)], DEFAULT))) == 1
    assert list(cohort_rules.cohort_status([smb(n=4, tc=0.0)], config(min_cohort_size=5))) == []
    assert len(list(cohort_rules.cohort_status([smb(n=5, tc=0.0)], config(min_cohort_size=5)))) == 1


def test_all_is_judged_however_small() -> None:
    assert found(cohort_rules.cohort_status([cohort(n=3, tc=0.2)], DEFAULT)) == [
        (
            "cohort_status",
            "fail",
            "all",
            "all",
            "task_completion",
            0.2,
            0.5,
            "all: task_completion mean 0.200 is red (below 0.50) over 3 runs",
        )
    ]


def test_the_step_budget_dimension_is_never_judged() -> None:
    exhausted = cohort("step_budget_exceeded", "true", n=50, tc=0.0, tc_tail=0.0, traj=0.0)
    cfg = config(fail_on="yellow", tail={"level": "fail", "max_gap": 0.0})
    assert list(cohort_rules.cohort_status([exhausted], cfg)) == []
    assert list(cohort_rules.tail_gaps([exhausted], cfg)) == []
    assert (
        list(cohort_rules.small_cohorts([cohort("step_budget_exceeded", "true", n=1)], cfg)) == []
    )


# small_cohort -------------------------------------------------------------------------------


def test_small_cohort_warns_by_default_with_runs_and_minimum() -> None:
    assert found(cohort_rules.small_cohorts([smb(n=9), smb(n=10)], DEFAULT)) == [
        (
            "small_cohort",
            "warn",
            "segment",
            "smb",
            None,
            9.0,
            10.0,
            "segment=smb: 9 runs, fewer than min_cohort_size 10; too small to judge",
        )
    ]


def test_small_cohort_says_run_for_one_and_never_flags_all() -> None:
    [one] = cohort_rules.small_cohorts([cohort(n=1), smb(n=1)], DEFAULT)
    assert one.message == "segment=smb: 1 run, fewer than min_cohort_size 10; too small to judge"


@pytest.mark.parametrize(
    ("level", "expected"), [("warn", ["warn"]), ("fail", ["fail"]), ("off", [])]
)
def test_small_cohort_level(level: str, expected: list[str]) -> None:
    cfg = config(small_cohort={"level": level})
    assert [f.level for f in cohort_rules.small_cohorts([smb(n=2)], cfg)] == expected


# tail_gap -----------------------------------------------------------------------------------


def test_tail_gap_warns_above_max_gap_by_default() -> None:
    at_limit, above = smb(tc=0.9, tc_tail=0.5), smb(tc=0.9, tc_tail=0.49)
    assert list(cohort_rules.tail_gaps([at_limit], DEFAULT)) == []
    assert found(cohort_rules.tail_gaps([above], DEFAULT)) == [
        (
            "tail_gap",
            "warn",
            "segment",
            "smb",
            "task_completion",
            0.41,
            0.4,
            "segment=smb: task_completion worst decile 0.490 is 0.410 below the mean 0.900 "
            "(max_gap 0.40)",
        )
    ]


def test_tail_gap_level_and_max_gap_come_from_the_config() -> None:
    cfg = config(tail={"level": "fail", "max_gap": 0.2})
    [finding] = cohort_rules.tail_gaps([smb(tc=0.9, tc_tail=0.69)], cfg)
    assert (finding.level, finding.observed, finding.limit) == ("fail", 0.21, 0.2)
    assert finding.message.endswith("(max_gap 0.20)")
    assert (
        list(cohort_rules.tail_gaps([smb(tc=0.9, tc_tail=0.0)], config(tail={"level": "off"})))
        == []
    )


def test_tail_gap_only_judges_gated_metrics_and_judged_cohorts() -> None:
    ungated = smb(metrics={"goal_progress": summary(0.9, 0.0)})
    assert list(cohort_rules.tail_gaps([ungated], DEFAULT)) == []
    assert list(cohort_rules.tail_gaps([smb(n=9, tc=0.9, tc_tail=0.0)], DEFAULT)) == []
    assert [
        f.cohort for f in cohort_rules.tail_gaps([cohort(n=2, tc=0.9, tc_tail=0.0)], DEFAULT)
    ] == ["all"]


# worst_cohort -------------------------------------------------------------------------------


def dimension_findings(cohorts: list[CohortSummary], cfg: Config = DEFAULT) -> list[Any]:
    dimensions = summarize_dimensions(cohorts, list(GATED), cfg.gate.min_cohort_size)
    return found(cohort_rules.worst_cohorts(dimensions, cfg))


def test_worst_cohort_fails_when_the_worst_cohort_is_more_than_max_gap_below_the_mean() -> None:
    overall = cohort(tc=0.8, traj=0.8)
    segments = [smb(tc=0.9, traj=0.8), cohort("segment", "ent", tc=0.85, traj=0.8)]
    at_limit = cohort("segment", "consumer", tc=0.65, traj=0.8)
    below = cohort("segment", "consumer", tc=0.64, traj=0.8)
    assert dimension_findings([overall, *segments, at_limit]) == []
    assert dimension_findings([overall, *segments, below]) == [
        (
            "worst_cohort",
            "fail",
            "segment",
            None,
            "task_completion",
            0.16,
            0.15,
            "segment: the worst cohorts' task_completion mean is 0.160 below the overall mean "
            "(max_gap 0.15)",
        )
    ]


def test_worst_cohort_is_judged_per_dimension_and_per_metric() -> None:
    cohorts = [
        cohort(tc=0.8, traj=0.8),
        smb(tc=0.8, traj=0.8),
        cohort("variant", "v1", tc=0.8, traj=0.6),
        cohort("variant", "v2", tc=0.6, traj=0.8),
    ]
    assert [(f[2], f[4], f[5]) for f in dimension_findings(cohorts)] == [
        ("variant", "task_completion", 0.2),
        ("variant", "trajectory_score", 0.2),
    ]


def test_small_cohorts_are_left_out_of_the_worst_decile() -> None:
    cohorts = [cohort(tc=0.8), smb(tc=0.85), cohort("segment", "tiny", n=9, tc=0.0)]
    assert dimension_findings(cohorts) == []
    assert len(dimension_findings(cohorts, config(min_cohort_size=9))) == 1
    # Every cohort too small: nothing to compare, no finding.
    assert dimension_findings([cohort(tc=0.8), cohort("segment", "tiny", n=3, tc=0.0)]) == []


def test_worst_decile_of_many_cohorts_averages_the_worst_ceil_tenth() -> None:
    # 11 cohorts: the worst decile is the worst two, 0.5 and 0.7, mean 0.6; 0.8 - 0.6 = 0.2.
    members = [cohort("segment", f"s{i:02}", tc=0.9) for i in range(9)]
    members += [cohort("segment", "low", tc=0.5), cohort("segment", "mid", tc=0.7)]
    [dimension] = summarize_dimensions([cohort(tc=0.8), *members], list(GATED), 10)
    assert dimension.cohorts == 11
    assert dimension.worst_cohort_gap == {"task_completion": 0.2, "trajectory_score": 0.0}


@pytest.mark.parametrize(("level", "expected"), [("warn", ["warn"]), ("off", [])])
def test_worst_cohort_level(level: str, expected: list[str]) -> None:
    cohorts = [cohort(tc=0.8), smb(tc=0.1)]
    assert [f[1] for f in dimension_findings(cohorts, config(worst_cohort={"level": level}))] == (
        expected
    )


# regression and tail_regression -------------------------------------------------------------


def delta(
    mean: float = 0.0,
    p: float = 1.0,
    tail: float = 0.0,
    tail_p: float = 1.0,
    ci: tuple[float, float] = (-0.08, -0.02),
) -> MetricDelta:
    return MetricDelta(
        mean=mean,
        tail=tail,
        ci=ci,
        p_value=p,
        tail_ci=(-0.2, -0.01),
        tail_p_value=tail_p,
        paired=True,
        tasks=40,
    )


def with_delta(base: CohortSummary, **metrics: MetricDelta) -> CohortSummary:
    return base.model_copy(update={"delta": metrics})


def test_a_significant_drop_beyond_max_drop_fails() -> None:
    # Two comparisons (mean and tail, p = 1): Benjamini-Hochberg gives q = 0.01 x 2 / 1.
    dropped = with_delta(cohort(), task_completion=delta(mean=-0.05, p=0.01))
    assert found(regression_rules.regressions([dropped], DEFAULT)) == [
        (
            "regression",
            "fail",
            "all",
            "all",
            "task_completion",
            -0.05,
            -0.03,
            "all: task_completion mean dropped 0.050 (95% CI -0.080 to -0.020; p=0.0100, "
            "q=0.0200 over 2 comparisons) against the baseline; allowed drop 0.03",
        )
    ]


def test_a_drop_must_exceed_max_drop() -> None:
    at_limit = with_delta(smb(), task_completion=delta(mean=-0.03, p=0.0002))
    beyond = with_delta(smb(), task_completion=delta(mean=-0.031, p=0.0002))
    assert list(regression_rules.regressions([at_limit], DEFAULT)) == []
    assert [f.observed for f in regression_rules.regressions([beyond], DEFAULT)] == [-0.031]


def test_a_big_drop_with_a_high_p_value_does_not_fire() -> None:
    noisy = with_delta(smb(), task_completion=delta(mean=-0.3, p=0.2, tail=-0.5, tail_p=0.3))
    assert list(regression_rules.regressions([noisy], DEFAULT)) == []


def test_a_significant_small_drop_does_not_fire() -> None:
    small = with_delta(
        smb(), task_completion=delta(mean=-0.02, p=0.0002, tail=-0.04, tail_p=0.0002)
    )
    assert list(regression_rules.regressions([small], DEFAULT)) == []


def test_p_values_are_corrected_over_every_comparison() -> None:
    # p = 0.03 is below alpha on its own, but q = 0.06 over two comparisons.
    alone = with_delta(smb(), task_completion=delta(mean=-0.1, p=0.03))
    assert list(regression_rules.regressions([alone], DEFAULT)) == []
    # Adding unchanged cohorts adds comparisons: 0.01 fails among two (q = 0.02) but not among
    # eight (q = 0.08).
    first = with_delta(smb(), task_completion=delta(mean=-0.1, p=0.01))
    assert len(list(regression_rules.regressions([first], DEFAULT))) == 1
    others = [with_delta(cohort("segment", v), task_completion=delta()) for v in ("a", "b", "c")]
    assert list(regression_rules.regressions([first, *others], DEFAULT)) == []


def test_related_drops_back_each_other_up() -> None:
    # Four comparisons at p = 0.04 each: Benjamini-Hochberg keeps q = 0.04 x 4 / 4 for all of
    # them (a Bonferroni-style correction would make each 0.16), so all four count.
    both = delta(mean=-0.1, p=0.04, tail=-0.1, tail_p=0.04)
    cohorts = [with_delta(cohort(), task_completion=both), with_delta(smb(), task_completion=both)]
    findings = list(regression_rules.regressions(cohorts, DEFAULT))
    assert [(f.rule, f.cohort) for f in findings] == [
        ("regression", "all"),
        ("tail_regression", "all"),
        ("regression", "smb"),
        ("tail_regression", "smb"),
    ]
    assert all("p=0.0400, q=0.0400 over 4 comparisons" in f.message for f in findings)


def test_small_cohorts_are_outside_the_corrected_family() -> None:
    tiny = with_delta(smb(n=3), task_completion=delta(mean=-0.5, p=0.0002))
    dropped = with_delta(cohort(), task_completion=delta(mean=-0.05, p=0.01))
    [finding] = regression_rules.regressions([dropped, tiny], DEFAULT)
    assert finding.cohort == "all"
    assert "p=0.0100, q=0.0200 over 2 comparisons" in finding.message


def test_tail_regression_uses_the_tail_limit_and_its_own_p_value() -> None:
    at_limit = with_delta(smb(), task_completion=delta(tail=-0.05, tail_p=0.0002))
    beyond = with_delta(smb(), trajectory_score=delta(tail=-0.06, tail_p=0.001))
    assert list(regression_rules.regressions([at_limit], DEFAULT)) == []
    assert found(regression_rules.regressions([beyond], DEFAULT)) == [
        (
            "tail_regression",
            "fail",
            "segment",
            "smb",
            "trajectory_score",
            -0.06,
            -0.05,
            "segment=smb: trajectory_score worst decile dropped 0.060 (95% CI -0.200 to -0.010; "
            "p=0.0010, q=0.0020 over 2 comparisons) against the baseline; "
            "allowed drop 0.05",
        )
    ]


def test_regression_limits_alpha_and_level_come_from_the_config() -> None:
    dropped = with_delta(smb(), task_completion=delta(mean=-0.05, p=0.01, tail=-0.05, tail_p=0.01))
    loose = config(regression={"max_drop": 0.05, "tail_max_drop": 0.05})
    assert list(regression_rules.regressions([dropped], loose)) == []
    # Both p = 0.01: q = min(0.01 x 2 / 2, 0.01 x 2 / 1) = 0.01, which must be below alpha.
    assert (
        len(list(regression_rules.regressions([dropped], config(regression={"alpha": 0.011})))) == 1
    )
    assert list(regression_rules.regressions([dropped], config(regression={"alpha": 0.01}))) == []
    warn = config(regression={"level": "warn", "tail_max_drop": 0.04})
    assert [(f.rule, f.level) for f in regression_rules.regressions([dropped], warn)] == [
        ("regression", "warn"),
        ("tail_regression", "warn"),
    ]
    assert list(regression_rules.regressions([dropped], config(regression={"level": "off"}))) == []


def test_no_baseline_no_regression() -> None:
    assert list(regression_rules.regressions([cohort(), smb()], DEFAULT)) == []


# pass_k -------------------------------------------------------------------------------------


def test_pass_k_below_the_floor_fails() -> None:
    cfg = config(pass_k={"k": 2, "min": 0.5})
    at_floor = smb(pass_k={"1": 0.8, "2": 0.5})
    below = smb(pass_k={"1": 0.8, "2": 0.49})
    assert list(cohort_rules.pass_k_floor([at_floor], cfg)) == []
    assert found(cohort_rules.pass_k_floor([below], cfg)) == [
        (
            "pass_k",
            "fail",
            "segment",
            "smb",
            None,
            0.49,
            0.5,
            "segment=smb: pass^2 is 0.490, below the floor 0.50",
        )
    ]


def test_pass_k_cannot_be_judged_when_no_task_has_k_trials() -> None:
    cfg = config(pass_k={"k": 3, "min": 0.5})
    cohorts = [cohort(pass_k={"1": 0.9, "2": 0.8}), smb(pass_k={"1": 0.9})]
    assert found(cohort_rules.pass_k_floor(cohorts, cfg)) == [
        (
            "pass_k",
            "warn",
            "all",
            "all",
            None,
            None,
            0.5,
            "pass^3 cannot be judged: no task has 3 trials",
        )
    ]


def test_pass_k_is_off_without_a_floor_or_when_off_and_skips_small_cohorts() -> None:
    low = [cohort(pass_k={"1": 0.1}), smb(pass_k={"1": 0.1})]
    assert list(cohort_rules.pass_k_floor(low, DEFAULT)) == []  # min defaults to 0
    assert list(cohort_rules.pass_k_floor(low, config(pass_k={"min": 0.5, "level": "off"}))) == []
    warn = config(pass_k={"min": 0.5, "level": "warn"}, min_cohort_size=30)
    assert [(f.level, f.cohort) for f in cohort_rules.pass_k_floor(low, warn)] == [("warn", "all")]


# step_drift and cost_per_pass ---------------------------------------------------------------


def drifted(
    steps_before: float | None,
    steps_after: float | None,
    cost_before: float | None = None,
    cost_after: float | None = None,
) -> CohortSummary:
    side = BaselineCohort(
        n=20,
        pass_rate=0.9,
        status="green",
        means={},
        tails={},
        steps_mean=steps_before,
        per_pass_usd=cost_before,
    )
    return smb(
        baseline=side,
        delta={},
        steps={"mean": steps_after, "p50": None, "p90": None},
        cost={"total_usd": None, "per_pass_usd": cost_after, "tokens_per_pass": None},
    )


def test_step_drift_warns_above_the_relative_increase() -> None:
    assert list(cohort_rules.drifts([drifted(4.0, 5.0)], DEFAULT)) == []  # exactly +25%
    assert found(cohort_rules.drifts([drifted(4.0, 5.2)], DEFAULT)) == [
        (
            "step_drift",
            "warn",
            "segment",
            "smb",
            None,
            0.3,
            0.25,
            "segment=smb: steps per run rose 30% (4.0 to 5.2)",
        )
    ]


def test_cost_per_pass_warns_above_the_relative_increase() -> None:
    # (0.15 - 0.1) / 0.1 is 0.4999999999999999 in floats: rounded, it sits on the limit.
    assert list(cohort_rules.drifts([drifted(None, None, 0.1, 0.15)], DEFAULT)) == []
    assert found(cohort_rules.drifts([drifted(None, None, 0.1, 0.16)], DEFAULT)) == [
        (
            "cost_per_pass",
            "warn",
            "segment",
            "smb",
            None,
            0.6,
            0.5,
            "segment=smb: cost per passed run rose 60% ($0.1000 to $0.1600)",
        )
    ]


def test_drift_levels_and_limits_come_from_the_config() -> None:
    both = drifted(4.0, 4.5, 0.1, 0.12)  # +12.5% steps, +20% cost
    cfg = config(
        step_drift={"level": "fail", "max_relative_increase": 0.1},
        cost_per_pass={"level": "fail", "max_relative_increase": 0.1},
    )
    assert [(f.rule, f.level, f.observed) for f in cohort_rules.drifts([both], cfg)] == [
        ("step_drift", "fail", 0.125),
        ("cost_per_pass", "fail", 0.2),
    ]
    off = config(step_drift={"level": "off"}, cost_per_pass={"level": "off"})
    assert list(cohort_rules.drifts([drifted(1.0, 9.0, 0.1, 9.0)], off)) == []


@pytest.mark.parametrize(
    "cohort_",
    [
        drifted(None, 9.0, None, 9.0),  # the baseline had no steps or no passes with cost
        drifted(0.0, 9.0, 0.0, 9.0),  # a zero baseline has no relative increase
        drifted(4.0, None, 0.1, None),  # nothing passed in the candidate: no cost per pass
        smb(steps={"mean": 9.0}, cost={"per_pass_usd": 9.0}),  # no baseline at all
        drifted(4.0, 9.0, 0.1, 9.0).model_copy(update={"n": 9}),  # too small to judge
    ],
)
def test_drift_is_skipped_without_a_comparable_baseline(cohort_: CohortSummary) -> None:
    assert list(cohort_rules.drifts([cohort_], DEFAULT)) == []


def test_a_drop_in_steps_or_cost_is_not_drift() -> None:
    assert list(cohort_rules.drifts([drifted(8.0, 2.0, 0.4, 0.1)], DEFAULT)) == []


# cohort_added and cohort_removed ------------------------------------------------------------


def ref(*vanished: CohortRef) -> BaselineRef:
    return BaselineRef(
        source="base.json",
        runs=20,
        sha256="1" * 64,
        config_fingerprint="sha256:x",
        vanished=list(vanished),
    )


def test_new_and_vanished_cohorts_are_reported() -> None:
    compared = drifted(4.0, 4.0)
    new = cohort("segment", "new", n=12)
    cohorts = [cohort(), compared, new]
    gone = CohortRef(dimension="segment", value="old", n=7)
    findings = found(report_rules.cohort_changes(cohorts, report(cohorts, ref(gone))))
    assert findings == [
        (
            "cohort_added",
            "warn",
            "segment",
            "new",
            None,
            12.0,
            None,
            "segment=new: new cohort (12 runs), not in the baseline",
        ),
        (
            "cohort_removed",
            "warn",
            "segment",
            None,
            None,
            7.0,
            None,
            "segment=old: in the baseline (7 runs), gone from this run",
        ),
    ]


def test_cohorts_of_a_dimension_the_baseline_never_compared_are_not_new() -> None:
    cohorts = [cohort(), drifted(4.0, 4.0), cohort("variant", "v1")]
    assert list(report_rules.cohort_changes(cohorts, report(cohorts, ref()))) == []


def test_without_a_baseline_nothing_is_added_or_removed() -> None:
    cohorts = [cohort(), smb(), cohort("segment", "new")]
    assert list(report_rules.cohort_changes(cohorts, report(cohorts))) == []


def result(run_id: str, score: float, **cohort_: str) -> RunResult:
    return RunResult(
        run_id=run_id,
        task_id=f"t-{run_id}",
        trial=None,
        cohort=cohort_,
        scores={"task_completion": score, "trajectory_score": score},
        passed=score >= 0.7,
        reason="",
        status="completed",
        underspecified=False,
        step_budget_exceeded=False,
        steps=4,
    )


def test_a_dimension_whose_every_value_changed_reports_the_new_cohorts() -> None:
    base_runs = [result(f"r{i}", 0.9, variant="v1") for i in range(12)]
    cand_runs = [result(f"r{i}", 0.9, variant="v2") for i in range(12)]
    baseline = assemble(base_runs, DATASET, ["variant"], DEFAULT)
    candidate = assemble(cand_runs, DATASET, ["variant"], DEFAULT, (baseline, "base.json"))
    changes = {
        (f.rule, f.dimension, f.cohort if f.cohort else "")
        for f in candidate.verdict.findings
        if f.rule.startswith("cohort_")
    }
    assert changes == {("cohort_removed", "variant", ""), ("cohort_added", "variant", "v2")}


# invalid_runs and underspecified ------------------------------------------------------------


def dataset(
    runs: int = 10,
    invalid: int = 0,
    underspecified: int = 0,
    tasks: tuple[str, ...] = (),
    final_step_only: int = 0,
    unjudged: int = 0,
    unjudged_tasks: tuple[str, ...] = (),
) -> Dataset:
    return Dataset(
        source="runs.jsonl",
        runs=runs,
        invalid=invalid,
        underspecified=underspecified,
        underspecified_tasks=list(tasks),
        final_step_only=final_step_only,
        unjudged=unjudged,
        unjudged_tasks=list(unjudged_tasks),
        sha256="0" * 64,
    )


def test_skipped_invalid_lines_are_a_warning() -> None:
    assert list(report_rules.dataset_rules(dataset(), DEFAULT)) == []
    cfg = config(invalid_runs={"max": 3})
    assert found(report_rules.dataset_rules(dataset(invalid=2), cfg)) == [
        (
            "invalid_runs",
            "warn",
            None,
            None,
            None,
            2.0,
            3.0,
            "2 invalid lines skipped (gate.invalid_runs.max allows 3); "
            "see dataset.skipped in the JSON report",
        )
    ]
    [one] = report_rules.dataset_rules(dataset(invalid=1), config(invalid_runs={"max": 1}))
    assert one.message.startswith("1 invalid line skipped (gate.invalid_runs.max allows 1)")


def test_unjudged_runs_fail_the_gate_by_default() -> None:
    # Runs with criteria but no expected result are judged on what they state: no finding.
    assert (
        list(report_rules.dataset_rules(dataset(3, underspecified=3, tasks=("a",)), DEFAULT)) == []
    )
    one = dataset(3, unjudged=1, unjudged_tasks=("t-b",))
    assert found(report_rules.dataset_rules(one, DEFAULT)) == [
        (
            "underspecified",
            "fail",
            None,
            None,
            None,
            0.333333,
            0.0,
            "1 of 3 runs are unjudged: tasks t-b give no expected_result, success_criteria, "
            "expected_calls, required_tools or write_tools; add them to the tasks (or pass "
            "--tasks)",
        )
    ]
    at_limit = config(underspecified={"max_share": 0.1})
    assert (
        list(report_rules.dataset_rules(dataset(10, unjudged=1, unjudged_tasks=("a",)), at_limit))
        == []
    )
    above = config(underspecified={"max_share": 0.1, "level": "warn"})
    [finding] = report_rules.dataset_rules(
        dataset(10, unjudged=2, unjudged_tasks=("a", "b")), above
    )
    assert (finding.level, finding.observed, finding.limit) == ("warn", 0.2, 0.1)
    off = config(underspecified={"level": "off"})
    assert (
        list(report_rules.dataset_rules(dataset(10, unjudged=9, unjudged_tasks=("a",)), off)) == []
    )
    assert list(report_rules.dataset_rules(dataset(runs=0), DEFAULT)) == []


def test_no_run_judged_fails_whatever_the_level() -> None:
    tasks = tuple(f"t{i}" for i in range(7))
    off = config(underspecified={"level": "off", "max_share": 1.0})
    nothing = dataset(10, unjudged=10, unjudged_tasks=tasks)
    assert found(report_rules.dataset_rules(nothing, off)) == [
        (
            "underspecified",
            "fail",
            None,
            None,
            None,
            1.0,
            1.0,
            "no run can be judged: tasks t0, t1, t2, t3, t4 and 2 more give no expected_result, "
            "success_criteria, expected_calls, required_tools or write_tools; add them to the "
            "tasks (or pass --tasks)",
        )
    ]


def test_the_underspecified_message_never_shows_an_empty_task_list() -> None:
    [finding] = report_rules.dataset_rules(dataset(runs=3, unjudged=1), DEFAULT)
    assert "tasks  give" not in finding.message
    assert finding.message.startswith("1 of 3 runs are unjudged: their tasks give")


# never_passed -------------------------------------------------------------------------------


def trials(*outcomes: tuple[str, list[bool]]) -> list[RunResult]:
    return [
        result(f"{task}-{i}", 0.9 if ok else 0.1).model_copy(update={"task_id": task, "trial": i})
        for task, oks in outcomes
        for i, ok in enumerate(oks)
    ]


def with_runs(runs: list[RunResult], baseline: BaselineRef | None = None) -> Report:
    """A report of these runs, with the per-task summaries the gate reads."""
    update = {"runs": runs, "tasks": task_summaries(runs, None)}
    return report([cohort()], baseline).model_copy(update=update)


BROKEN = trials(
    ("a", [False, False]),
    ("b", [False]),  # one failed trial is not a pattern
    ("c", [True, False]),
    ("d", [False, False, False]),
)


def test_tasks_that_failed_every_trial_are_named() -> None:
    assert found(report_rules.never_passed(with_runs(BROKEN), DEFAULT)) == [
        (
            "never_passed",
            "warn",
            None,
            None,
            None,
            2.0,
            0.0,
            "2 tasks failed every one of their trials (at least 2 each): a, d",
        )
    ]
    [one] = report_rules.never_passed(with_runs(BROKEN[:3]), DEFAULT)
    assert one.message == "1 task failed every one of their trials (at least 2 each): a"
    assert list(report_rules.never_passed(with_runs(BROKEN[2:5]), DEFAULT)) == []


def test_never_passed_min_trials_and_level_come_from_the_config() -> None:
    cfg = config(never_passed={"min_trials": 1, "level": "fail"})
    [finding] = report_rules.never_passed(with_runs(BROKEN), cfg)
    assert (finding.level, finding.observed) == ("fail", 3.0)
    assert finding.message.endswith("(at least 1 each): a, b, d")
    off = config(never_passed={"level": "off"})
    assert list(report_rules.never_passed(with_runs(BROKEN), off)) == []


def test_never_passed_names_eight_tasks_then_counts() -> None:
    runs = trials(*((f"t{i:02}", [False, False]) for i in range(10)))
    [finding] = report_rules.never_passed(with_runs(runs), DEFAULT)
    assert finding.message == (
        "10 tasks failed every one of their trials (at least 2 each): "
        "t00, t01, t02, t03, t04, t05, t06, t07 and 2 more"
    )


# the gate -----------------------------------------------------------------------------------


def test_evaluate_gate_puts_failures_first_then_keeps_rule_order() -> None:
    cohorts = [
        cohort(tc=0.8, tc_tail=0.3),  # tail_gap warn
        smb(tc=0.45),  # cohort_status fail and worst_cohort fail
        cohort("segment", "tiny", n=2),  # small_cohort warn
    ]
    gated = report(cohorts, dataset=dataset(runs=22, unjudged=1, unjudged_tasks=("t",)))
    never = trials(("a", [False, False]))  # never_passed warn
    gated = gated.model_copy(update={"runs": never, "tasks": task_summaries(never, None)})
    findings = evaluate_gate(gated, DEFAULT)
    assert [(f.rule, f.level, f.cohort) for f in findings] == [
        ("cohort_status", "fail", "smb"),
        ("worst_cohort", "fail", None),
        ("underspecified", "fail", None),
        ("tail_gap", "warn", "all"),
        ("never_passed", "warn", None),
        ("small_cohort", "warn", "tiny"),
    ]
    assert verdict(findings) == Verdict(status="fail", exit_code=1, findings=findings)


def test_verdict_passes_with_warnings_only_or_nothing() -> None:
    warning = Finding(rule="small_cohort", level="warn", message="m")
    assert verdict([]) == Verdict(status="pass", exit_code=0, findings=[])
    assert verdict([warning]) == Verdict(status="pass", exit_code=0, findings=[warning])
    failure = warning.model_copy(update={"level": "fail"})
    assert verdict([warning, failure]).exit_code == 1


def test_rule_levels_are_the_configured_ones() -> None:
    assert rule_levels(DEFAULT) == {
        "cohort_status": "fail",
        "regression": "fail",
        "tail_regression": "fail",
        "underpowered": "warn",
        "worst_cohort": "fail",
        "tail_gap": "warn",
        "pass_k": "off",  # min 0: no floor to check
        "never_passed": "warn",
        "newly_failing": "fail",
        "must_pass": "fail",
        "step_drift": "warn",
        "cost_per_pass": "warn",
        "behaviour": "off",  # always reported, judged only where configured
        "cohort_added": "warn",
        "cohort_removed": "warn",
        "dimension_vanished": "fail",
        "cohort_values": "warn",
        "task_definitions": "warn",
        "coverage": "fail",
        "infrastructure": "fail",
        "small_cohort": "warn",
        "invalid_runs": "warn",
        "underspecified": "fail",
    }
    changed = Config.model_validate(
        {"gate": {"regression": {"level": "off"}, "pass_k": {"min": 0.5, "level": "warn"}}}
    )
    levels = rule_levels(changed)
    assert (levels["regression"], levels["tail_regression"], levels["pass_k"]) == (
        "off",
        "off",
        "warn",
    )
    # No comparison is judged, so whether one could have seen a drop is not checked either.
    assert levels["underpowered"] == "off"
    strict = Config.model_validate(
        {
            "gate": {
                "underpowered": {"level": "fail"},
                "newly_failing": {"level": "warn"},
                "must_pass": {"level": "off"},
            }
        }
    )
    levels = rule_levels(strict)
    assert (levels["underpowered"], levels["newly_failing"], levels["must_pass"]) == (
        "fail",
        "warn",
        "off",
    )


def test_rule_levels_name_every_rule_of_the_gate_rules_table() -> None:
    table = GATE_DOC.split("\n## Gate rules\n")[1].split("\n## ")[0]
    named = [
        name
        for row in table.splitlines()
        if row.startswith("| `")
        for name in re.findall(r"`([a-z_]+)`", row.split("|")[1])
    ]
    assert sorted(named) == sorted(rule_levels(DEFAULT))


def test_the_verdict_carries_the_rule_levels() -> None:
    assert verdict([], {"regression": "off"}).rules == {"regression": "off"}
    assert verdict([]).rules == {}
