"""underpowered: said exactly when a comparison cannot detect max_drop, and never beyond."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from taskgate.api.pipeline import assemble
from taskgate.config.model import Config
from taskgate.model.report import Dataset, Report, RunResult
from taskgate.stats.bootstrap import trials_by_task
from taskgate.stats.power import comparison_design, min_detectable_drop
from tests.conftest import make_result


def run(task: str, trial: int, score: float, segment: str) -> RunResult:
    scores = {"task_completion": score, "trajectory_score": score}
    return make_result(
        f"{task}-{trial}",
        task,
        trial=trial,
        cohort={"segment": segment},
        scores=scores,
        passed=score >= 0.7,
        steps=3,
        tools={},
    )


def gate(base: list[RunResult], cand: list[RunResult], config: Config) -> Report:
    def data(runs: list[RunResult]) -> Dataset:
        return Dataset(source="x", runs=len(runs), invalid=0, underspecified=0, sha256="x")

    baseline = assemble(base, data(base), ["segment"], config)
    return assemble(cand, data(cand), ["segment"], config, (baseline, "base.json"))


def expected_short(runs: list[RunResult], config: Config) -> set[str]:
    """Cohorts whose design cannot detect max_drop, worked out from the runs alone."""
    rule = config.gate.regression
    cohorts: dict[str, list[RunResult]] = {"all": runs}
    for r in runs:
        cohorts.setdefault(r.cohort["segment"], []).append(r)
    short = set()
    for name, members in cohorts.items():
        if name != "all" and len(members) < config.gate.min_cohort_size:
            continue  # too small to judge: small_cohort says so instead
        trials = trials_by_task([(r.task_id, r.scores["task_completion"] or 0.0) for r in members])
        design = comparison_design(trials, trials)
        assert design is not None
        for metric in rule.metrics:
            drop = min_detectable_drop(design, rule.alpha, rule.power)
            if drop is None or drop > rule.max_drop:
                short.add(name)
                del metric
                break
    return short


@settings(max_examples=15, deadline=None)
@given(
    st.integers(2, 40),
    st.integers(1, 4),
    st.floats(0.0, 0.4),
    st.randoms(use_true_random=False),
)
def test_a_report_against_itself_changes_nothing_and_is_underpowered_only_where_n_says(
    tasks: int, trials: int, noise: float, rng: random.Random
) -> None:
    runs = [
        run(f"t{t}", k, min(1.0, max(0.0, 0.6 + rng.uniform(-noise, noise))), f"s{t % 2}")
        for t in range(tasks)
        for k in range(trials)
    ]
    config = Config()
    report = gate(runs, runs, config)
    assert [f for f in report.verdict.findings if "regression" in f.rule] == []
    for cohort in report.cohorts:
        for delta in (cohort.delta or {}).values():
            assert (delta.mean, delta.tail) == (0.0, 0.0)
    named = {f.cohort for f in report.verdict.findings if f.rule == "underpowered"}
    # The worst decile has no closed form: its figure comes from its own null spread.
    tail_short = {
        cohort.value
        for cohort in report.cohorts
        if cohort.dimension in ("all", "segment")
        and (cohort.dimension == "all" or cohort.n >= config.gate.min_cohort_size)
        and any(
            d.tail_min_detectable_drop is None
            or d.tail_min_detectable_drop > config.gate.regression.tail_max_drop
            for d in (cohort.delta or {}).values()
        )
    }
    assert named == expected_short(runs, config) | tail_short


def test_the_message_names_the_design_and_what_would_fix_it() -> None:
    rng = random.Random(4)
    base = [run(f"t{t}", k, rng.choice([0.2, 1.0]), "a") for t in range(20) for k in range(2)]
    cand = [run(f"t{t}", k, rng.choice([0.2, 1.0]), "a") for t in range(20) for k in range(2)]
    report = gate(base, cand, Config())
    found = [f for f in report.verdict.findings if f.rule == "underpowered"]
    assert [f.cohort for f in found] == ["all", "a"]
    message = found[0].message
    assert message.startswith("all: 20 tasks x 2 trials a side can detect drops of task_comp")
    assert " at alpha 0.05 with power 0.8 (allowed: mean 0.03, worst decile 0.05); seeing " in (
        message
    )
    assert message.endswith(": a pass here does not show that nothing dropped")
    assert found[0].level == "warn" and found[0].limit == 0.03


def test_underpowered_is_off_with_the_regression_rule_or_on_its_own() -> None:
    runs = [run(f"t{t}", 0, 0.5 + 0.02 * t, "a") for t in range(12)]
    for gate_config in ({"regression": {"level": "off"}}, {"underpowered": {"level": "off"}}):
        report = gate(runs, runs, Config.model_validate({"gate": gate_config}))
        assert [f for f in report.verdict.findings if f.rule == "underpowered"] == []
    failing = gate(runs, runs, Config.model_validate({"gate": {"underpowered": {"level": "fail"}}}))
    assert failing.verdict.status == "fail"
