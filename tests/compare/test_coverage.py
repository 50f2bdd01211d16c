"""Coverage of the golden tasks, vanished dimensions and foreign baselines: inputs that used
to pass a broken release with exit 0."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from taskgate.api import score
from taskgate.compare.coverage import coverage
from taskgate.config.load import default_config
from taskgate.config.model import Config
from taskgate.errors import BaselineError, ConfigError
from taskgate.gate.verdict import evaluate_gate
from taskgate.model.report import CohortCoverage, Report
from taskgate.report.coverage_line import coverage_line
from tests.conftest import FIXTURES, write_jsonl

TASK = {"expected_result": "Order 7 cancelled"}


def run(task_id: str, ok: bool = True, trial: int = 0, **cohort: str) -> dict[str, Any]:
    final = "Order 7 cancelled" if ok else "Sorry, something broke"
    return {
        "run_id": f"{task_id}-{trial}",
        "task_id": task_id,
        "trial": trial,
        "cohort": cohort,
        "task": TASK,
        "steps": [{"message": final, "is_final": True}],
        "final_result": final,
    }


def golden(tmp_path: Path, records: list[dict[str, Any]], name: str = "base") -> Path:
    """Score records and save the report as a baseline."""
    report = score(write_jsonl(tmp_path / f"{name}.jsonl", records))
    path = tmp_path / f"{name}.json"
    path.write_bytes(orjson.dumps(report.model_dump(mode="json")))
    return path


def twenty(ok_from: int = 0, **cohort: str) -> list[dict[str, Any]]:
    """Tasks t00..t19 on surface a (t00..t09) and b (t10..t19)."""
    return [
        run(f"t{i:02d}", ok=i >= ok_from, surface="a" if i < 10 else "b", **cohort)
        for i in range(20)
    ]


def rules_of(report: Report) -> list[str]:
    """The rules that failed the gate."""
    return [f.rule for f in report.verdict.findings if f.level == "fail"]


def coverage_levels(report: Report) -> list[str]:
    return [f.level for f in report.verdict.findings if f.rule == "coverage"]


def test_a_candidate_without_its_failing_tasks_fails_coverage_and_names_the_cohort(
    tmp_path: Path,
) -> None:
    # The baseline ran 20 tasks, all passing. The candidate broke surface b, and its harness
    # wrote only the tasks that passed: every cohort left looks perfect.
    base = golden(tmp_path, twenty())
    kept = [r for r in twenty() if r["cohort"]["surface"] == "a"] + [
        run("t10", surface="b"),
        run("t11", surface="b"),
    ]
    report = score(write_jsonl(tmp_path / "cand.jsonl", kept), baseline=base)
    assert report.coverage is not None
    assert (report.coverage.expected, report.coverage.ran, report.coverage.shared) == (20, 12, 12)
    assert report.coverage.missing == [f"t{i}" for i in range(12, 20)]
    assert report.coverage.missing_by_cohort == [
        CohortCoverage(dimension="surface", value="b", tasks=10, missing=8)
    ]
    assert report.verdict.exit_code == 1
    [failed] = [f for f in report.verdict.findings if f.level == "fail"]
    assert failed.rule == "coverage"
    assert (failed.observed, failed.limit) == (8, 0)
    assert failed.message == (
        "8 of the 20 golden tasks of the baseline have no run: t12, t13, t14, t15, t16 and 3 "
        "more; most from surface=b (8 of its 10 tasks); their cohorts are judged without them. "
        "Did the harness stop early? Run every golden task (gate.coverage.max_missing allows 0)"
    )


def test_missing_tasks_within_max_missing_are_a_warning_as_a_count_or_a_share(
    tmp_path: Path,
) -> None:
    base = golden(tmp_path, twenty())
    cand = write_jsonl(tmp_path / "cand.jsonl", twenty()[:18])
    for allowed in (2, 0.1):
        config = Config.model_validate({"gate": {"coverage": {"max_missing": allowed}}})
        report = score(cand, config=config, baseline=base)
        assert rules_of(report) == []
        assert coverage_levels(report) == ["warn"]
    for allowed in (1, 0.05):
        config = Config.model_validate({"gate": {"coverage": {"max_missing": allowed}}})
        assert rules_of(score(cand, config=config, baseline=base)) == ["coverage"]


@pytest.mark.parametrize("value", [-1, 1.0, 1.5, True, "2", None])
def test_max_missing_is_a_count_or_a_share_below_one(value: Any, tmp_path: Path) -> None:
    from taskgate.config.load import load_config

    path = tmp_path / "taskgate.yaml"
    path.write_text(f"gate:\n  coverage:\n    max_missing: {orjson.dumps(value).decode()}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    [problem] = caught.value.problems
    assert (problem.line, problem.field) == (3, "gate.coverage.max_missing")
    assert problem.message.startswith("expected a count of tasks (0, 1, 2...) or a share below 1")


def test_new_tasks_are_reported_scored_and_not_compared(tmp_path: Path) -> None:
    base = golden(tmp_path, twenty())
    cand = [*twenty(), run("t20", surface="b"), run("t21", surface="b")]
    report = score(write_jsonl(tmp_path / "cand.jsonl", cand), baseline=base)
    assert report.coverage is not None
    assert (report.coverage.new, report.coverage.missing) == (["t20", "t21"], [])
    [warning] = [f for f in report.verdict.findings if f.rule == "coverage"]
    assert warning.level == "warn"
    assert warning.message == "2 tasks not in the baseline: t20, t21; scored, not compared"
    delta = report.cohorts[0].delta
    assert delta is not None
    assert (delta["task_completion"].paired, delta["task_completion"].tasks) == (True, 20)
    assert coverage_line(report) == (
        "20 of 20 golden tasks ran (2 new); compared task by task over 20 shared tasks"
    )


def test_the_tasks_file_is_covered_too_without_a_baseline(tmp_path: Path) -> None:
    tasks = tmp_path / "tasks.jsonl"
    write_jsonl(tasks, [{"task_id": f"t{i:02d}", **TASK} for i in range(12)])
    records = [{k: v for k, v in run(f"t{i:02d}").items() if k != "task"} for i in range(10)]
    report = score(write_jsonl(tmp_path / "runs.jsonl", records), tasks=tasks)
    assert report.coverage is not None
    assert report.coverage.against == ["tasks file"]
    assert (report.coverage.missing, report.coverage.shared) == (["t10", "t11"], None)
    assert rules_of(report) == ["coverage"]
    assert coverage_line(report) == "10 of 12 golden tasks ran (2 missing)"


def test_no_coverage_without_a_baseline_or_a_tasks_file(tmp_path: Path) -> None:
    report = score(write_jsonl(tmp_path / "runs.jsonl", twenty()))
    assert report.coverage is None
    assert coverage_line(report) is None


def test_a_baseline_sharing_no_task_is_refused(tmp_path: Path) -> None:
    base = golden(tmp_path, [run(f"other-{i}") for i in range(4)])
    with pytest.raises(BaselineError) as caught:
        score(write_jsonl(tmp_path / "cand.jsonl", twenty()), baseline=base)
    [problem] = caught.value.problems
    assert (problem.source, problem.field) == (str(base), "runs")
    assert problem.message == (
        "the baseline shares no task id with the runs (baseline: 4 tasks, such as 'other-0', "
        "'other-1', 'other-2'; runs: 20 tasks, such as 't00', 't01', 't02'); is it the report "
        "of this golden set? Give the baseline of these tasks, or score them once without "
        "--baseline to make one"
    )


def test_a_dimension_the_baseline_judged_that_no_run_has_fails(tmp_path: Path) -> None:
    base = golden(tmp_path, twenty(variant="v1"))
    no_cohort = [{**r, "cohort": {}} for r in twenty()]
    report = score(write_jsonl(tmp_path / "cand.jsonl", no_cohort), baseline=base)
    assert report.baseline is not None
    assert report.baseline.vanished_dimensions == ["surface", "variant"]
    vanished = [f for f in report.verdict.findings if f.rule == "dimension_vanished"]
    assert [(f.level, f.dimension) for f in vanished] == [
        ("fail", "surface"),
        ("fail", "variant"),
    ]
    assert vanished[0].message == (
        "surface: the baseline judged this dimension, but no run has the cohort key 'surface' "
        "(keys found: none); did the writer drop `cohort`? If the dimension was changed on "
        "purpose, score the baseline again"
    )
    only_variant = write_jsonl(
        tmp_path / "cand2.jsonl", [{**r, "cohort": {"variant": "v1"}} for r in twenty()]
    )
    report = score(only_variant, baseline=base)
    [vanished_one] = [f for f in report.verdict.findings if f.rule == "dimension_vanished"]
    assert "(keys found: variant); did the writer drop it from `cohort`?" in vanished_one.message


def test_asking_for_fewer_dimensions_is_not_a_vanished_one(tmp_path: Path) -> None:
    base = golden(tmp_path, twenty(variant="v1"))
    cand = write_jsonl(tmp_path / "cand.jsonl", twenty(variant="v1"))
    report = score(cand, baseline=base, cohorts=["variant"])
    assert report.baseline is not None
    assert report.baseline.vanished_dimensions == []
    assert report.verdict.exit_code == 0


def test_the_fixture_candidate_without_cohorts_fails_where_it_used_to_pass(tmp_path: Path) -> None:
    lines = (FIXTURES / "candidate.jsonl").read_bytes().splitlines()
    records = [{k: v for k, v in orjson.loads(line).items() if k != "cohort"} for line in lines]
    report = score(
        write_jsonl(tmp_path / "cand.jsonl", records), baseline=FIXTURES / "baseline.json"
    )
    vanished = sorted(
        f.dimension or "" for f in report.verdict.findings if f.rule == "dimension_vanished"
    )
    assert vanished == ["segment", "tool_surface", "variant"]
    assert report.verdict.exit_code == 1


task_ids = st.sets(st.sampled_from([f"t{i}" for i in range(12)]))


@given(ran=task_ids, before=task_ids, listed=st.none() | task_ids)
def test_coverage_counts_agree_with_set_arithmetic(
    ran: set[str], before: set[str], listed: set[str] | None
) -> None:
    runs = [_result(task) for task in sorted(ran)]
    baseline = _report([_result(task) for task in sorted(before)]) if before else None
    cover = coverage(runs, baseline, listed)
    if baseline is None and listed is None:
        assert cover is None
        return
    assert cover is not None
    expected = (before if baseline else set()) | (listed or set())
    assert cover.missing == sorted(expected - ran)
    assert cover.ran == len(ran)
    assert cover.expected == len(expected)
    assert cover.new == (sorted(ran - before) if baseline else [])
    assert cover.shared == (len(ran & before) if baseline else None)
    # Each run's cohort is the last character of its task id; a cohort holding every
    # baseline task is never named.
    groups: dict[str, set[str]] = {}
    for task in before if baseline else set():
        groups.setdefault(task[-1], set()).add(task)
    expected_lost = sum(len(ids - ran) for ids in groups.values() if len(ids) < len(before))
    assert sum(c.missing for c in cover.missing_by_cohort) == expected_lost


def _result(task: str) -> Any:
    from taskgate.model.report import RunResult

    return RunResult(
        run_id=task,
        task_id=task,
        trial=None,
        cohort={"surface": task[-1]},
        scores={},
        passed=True,
        reason="",
        status="completed",
        underspecified=False,
        step_budget_exceeded=False,
        steps=1,
    )


def _report(runs: list[Any]) -> Report:
    from taskgate.api.pipeline import assemble
    from taskgate.model.report import Dataset

    data = Dataset(source="b", runs=len(runs), invalid=0, underspecified=0, sha256="x")
    return assemble(runs, data, ["surface"], default_config())


def test_the_coverage_rule_can_be_turned_off() -> None:
    config = Config.model_validate({"gate": {"coverage": {"level": "off"}}})
    base = _report([_result("t1"), _result("t2")])
    from taskgate.api.pipeline import assemble

    report = assemble([_result("t1")], base.dataset, ["surface"], config, (base, "b"))
    assert [f.rule for f in evaluate_gate(report, config) if f.rule == "coverage"] == []
    assert report.verdict.rules["coverage"] == "off"


def test_a_real_candidate_covering_4_of_the_baseline_tasks_fails_coverage(tmp_path: Path) -> None:
    # τ²-bench airline runs (fixtures/labelled): the baseline is the whole file, the candidate
    # keeps the runs of only 4 tasks, as a harness that stopped early would write them.
    from taskgate.importers import import_files

    source = FIXTURES / "labelled" / "tau2-2025-10-13T000141.624853_airline.json.gz"
    records = [
        r.model_dump(mode="json", exclude_none=True)
        for r in import_files("tau2", [str(source)]).records
    ]
    base = golden(tmp_path, records)
    kept = sorted({r["task_id"] for r in records})[:4]
    cand = write_jsonl(tmp_path / "cand.jsonl", [r for r in records if r["task_id"] in kept])
    report = score(cand, baseline=base)
    assert report.coverage is not None
    expected = len({r["task_id"] for r in records})
    assert (report.coverage.ran, report.coverage.expected) == (4, expected)
    assert len(report.coverage.missing) == expected - 4
    assert "coverage" in rules_of(report)
    assert report.verdict.exit_code == 1


def _fixture_candidate(change: Any) -> list[dict[str, Any]]:
    lines = (FIXTURES / "candidate.jsonl").read_bytes().splitlines()
    records = [orjson.loads(line) for line in lines]
    for index, record in enumerate(records):
        change(index, record["cohort"])
    return records


def _vanished(report: Report) -> list[tuple[str, str, str]]:
    return [
        (f.level, f.dimension or "", f.message)
        for f in report.verdict.findings
        if f.rule == "dimension_vanished"
    ]


def test_a_dimension_kept_on_some_runs_only_still_fails(tmp_path: Path) -> None:
    # The key kept on one run of 597: the other 596 pool into tool_surface=(none), green, and
    # the broken surface's drop disappears into it.
    records = _fixture_candidate(lambda i, cohort: cohort.pop("tool_surface") if i else None)
    path = write_jsonl(tmp_path / "cand.jsonl", records)
    report = score(path, baseline=FIXTURES / "baseline.json")
    assert _vanished(report) == [
        (
            "fail",
            "tool_surface",
            "tool_surface: 596 of 597 runs have no cohort key 'tool_surface', which every "
            "baseline run had; their cohorts could not be compared (did the writer drop it from "
            "some runs?). If the dimension was changed on purpose, score the baseline again",
        )
    ]
    assert report.verdict.exit_code == 1


def test_a_dimension_whose_every_value_changed_fails(tmp_path: Path) -> None:
    records = _fixture_candidate(lambda i, cohort: cohort.update(tool_surface="unknown"))
    report = score(
        write_jsonl(tmp_path / "cand.jsonl", records), baseline=FIXTURES / "baseline.json"
    )
    assert [(level, name) for level, name, _ in _vanished(report)] == [("fail", "tool_surface")]
    assert _vanished(report)[0][2].startswith(
        "tool_surface: none of the baseline's values is left (the runs have unknown)"
    )


def test_slicing_by_fewer_dimensions_than_the_baseline_is_said(tmp_path: Path) -> None:
    report = score(
        FIXTURES / "candidate.jsonl", baseline=FIXTURES / "baseline.json", cohorts=["segment"]
    )
    assert [(level, name) for level, name, _ in _vanished(report)] == [
        ("warn", "tool_surface"),
        ("warn", "variant"),
    ]
    assert _vanished(report)[0][2] == (
        "tool_surface: the baseline judged this dimension, but it was not compared: it is not "
        "among the dimensions asked for (--cohort, cohorts:)"
    )


def test_cohorts_compared_unpaired_are_counted_in_the_coverage_line(tmp_path: Path) -> None:
    # The variant labels swapped: every task is shared, but no variant cohort shares a task
    # with the same cohort of the baseline.
    base = golden(tmp_path, twenty(variant="v1")[:10] + twenty(variant="v2")[10:])
    swapped = twenty(variant="v2")[:10] + twenty(variant="v1")[10:]
    report = score(write_jsonl(tmp_path / "cand.jsonl", swapped), baseline=base)
    assert coverage_line(report) == (
        "20 of 20 golden tasks ran; compared task by task over 20 shared tasks (2 cohorts "
        "unpaired: no task in common with the same cohort of the baseline)"
    )


def test_a_dimension_with_one_value_is_never_named_as_where_tasks_went_missing(
    tmp_path: Path,
) -> None:
    base = golden(tmp_path, twenty(agent="only"))
    report = score(write_jsonl(tmp_path / "cand.jsonl", twenty(agent="only")[:15]), baseline=base)
    assert report.coverage is not None
    assert report.coverage.missing_by_cohort == [
        CohortCoverage(dimension="surface", value="b", tasks=10, missing=5)
    ]
