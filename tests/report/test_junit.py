from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings

from taskgate.api import score
from taskgate.config.model import Config
from taskgate.model.report import Report
from taskgate.report.junit import render_junit, xml_safe
from tests.conftest import FIXTURES
from tests.report.test_markdown import tiny_report, tiny_reports

COUNTS = ("tests", "failures", "errors", "skipped")
OUTCOMES = {"failure", "error", "skipped", "system-out"}


@pytest.fixture(scope="module")
def with_invalid_line(tmp_path_factory: pytest.TempPathFactory) -> Report:
    """Three golden runs and a broken line, which the config allows to skip."""
    folder = tmp_path_factory.mktemp("invalid")
    good = (FIXTURES / "golden.jsonl").read_text().splitlines()[:3]
    (folder / "runs.jsonl").write_text("\n".join([*good, '{"run_id": 5']) + "\n")
    config = Config.model_validate({"gate": {"invalid_runs": {"max": 1}}})
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        return score("runs.jsonl", config=config)


def parse(report: Report) -> ET.Element:
    return ET.fromstring(render_junit(report))


def cases(root: ET.Element, suite: str) -> dict[str, ET.Element]:
    found = root.find(f"testsuite[@name='{suite}']")
    assert found is not None, suite
    return {case.get("name", ""): case for case in found}


def outcome_counts(cases: list[ET.Element]) -> dict[str, int]:
    return {
        "tests": len(cases),
        "failures": sum(c.find("failure") is not None for c in cases),
        "errors": sum(c.find("error") is not None for c in cases),
        "skipped": sum(c.find("skipped") is not None for c in cases),
    }


def check_structure(root: ET.Element) -> None:
    """What JUnit consumers rely on, checked without an XSD."""
    assert root.tag == "testsuites" and root.get("name") == "taskgate"
    totals = dict.fromkeys(COUNTS, 0)
    for suite in root:
        assert suite.tag == "testsuite" and suite.get("name", "").startswith("taskgate.")
        for case in suite:
            assert case.tag == "testcase"
            assert case.get("classname") == suite.get("name") and case.get("name") is not None
            assert {child.tag for child in case} <= OUTCOMES
        counts = outcome_counts(list(suite))
        assert {key: int(suite.get(key, "-1")) for key in COUNTS} == counts
        totals = {key: totals[key] + counts[key] for key in COUNTS}
    assert {key: int(root.get(key, "-1")) for key in COUNTS} == totals


def test_the_layout_and_counts(candidate: Report) -> None:
    text = render_junit(candidate).decode("utf-8")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="taskgate" ')
    root = ET.fromstring(text.encode("utf-8"))
    check_structure(root)
    # 24 cases each for cohort_status, regression and tail_regression, 1 coverage; in
    # newly_failing 8 newly failing tasks, 4 newly passing and the warning; 2 worst_cohort,
    # 12 underpowered, 16 tail_gap, and never_passed, step_drift, cost_per_pass; the 12
    # failing findings fail.
    assert [root.get(key) for key in COUNTS] == ["119", "12", "0", "0"]
    assert [suite.get("name") for suite in root] == [
        "taskgate.cohort_status",
        "taskgate.regression",
        "taskgate.tail_regression",
        "taskgate.coverage",
        "taskgate.newly_failing",
        "taskgate.worst_cohort",
        "taskgate.underpowered",
        "taskgate.tail_gap",
        "taskgate.never_passed",
        "taskgate.step_drift",
        "taskgate.cost_per_pass",
    ]


def test_coverage_is_a_passing_testcase_that_says_what_ran(candidate: Report) -> None:
    [case] = [
        c for c in parse(candidate).iter("testcase") if c.get("classname") == "taskgate.coverage"
    ]
    assert case.get("name") == "dataset"
    assert [child.tag for child in case] == ["system-out"]
    assert case.findtext("system-out") == (
        "240 of 240 golden tasks ran; compared task by task over 240 shared tasks"
    )


def test_every_judged_cohort_and_metric_is_a_testcase(candidate: Report) -> None:
    names = list(cases(parse(candidate), "taskgate.cohort_status"))
    assert len(names) == 24
    assert names[:3] == [
        "all task_completion",
        "all trajectory_score",
        "segment=consumer task_completion",
    ]
    assert not any(name.startswith("step_budget_exceeded") for name in names)
    assert len(cases(parse(candidate), "taskgate.regression")) == 24


def test_rules_that_were_off_give_no_passing_testcases() -> None:
    # A rule turned off in the config made no check: no passing case may say it did.
    config = Config.model_validate({"gate": {"regression": {"level": "off"}}})
    off = score(FIXTURES / "candidate.jsonl", config=config, baseline=FIXTURES / "baseline.json")
    assert off.verdict.turned_off == ["regression", "tail_regression", "underpowered"]
    root = parse(off)
    check_structure(root)
    suites = [suite.get("name") for suite in root]
    assert "taskgate.regression" not in suites and "taskgate.tail_regression" not in suites
    assert len(cases(root, "taskgate.cohort_status")) == 24


def test_newly_failing_turned_off_lists_no_task() -> None:
    config = Config.model_validate({"gate": {"newly_failing": {"level": "off"}}})
    off = score(FIXTURES / "candidate.jsonl", config=config, baseline=FIXTURES / "baseline.json")
    assert "taskgate.newly_failing" not in [suite.get("name") for suite in parse(off)]


def test_testcases_are_the_checks_the_gate_recorded(candidate: Report) -> None:
    # The renderer lists what the gate says it checked; it does not work that out itself.
    root = parse(candidate)
    assert len(cases(root, "taskgate.regression")) == 24
    kept = [c for c in candidate.verdict.checks if c.rule != "regression"]
    fewer = candidate.verdict.model_copy(update={"checks": kept})
    root = parse(candidate.model_copy(update={"verdict": fewer}))
    failing = {
        f"{f.dimension}={f.cohort} {f.metric}"
        for f in candidate.verdict.findings
        if f.rule == "regression"
    }
    assert set(cases(root, "taskgate.regression")) == failing


def test_fail_findings_are_failures(candidate: Report) -> None:
    root = parse(candidate)
    failed = [
        (suite.get("name"), case.get("name"))
        for suite in root
        for case in suite
        if case.find("failure") is not None
    ]
    assert failed == [
        ("taskgate.cohort_status", "tool_surface=mcp-identity task_completion"),
        ("taskgate.regression", "tool_surface=mcp-identity task_completion"),
        ("taskgate.regression", "tool_surface=mcp-identity trajectory_score"),
        # The worst decile of these two holds the broken surface's tasks (tests/cli/test_diff.py).
        ("taskgate.tail_regression", "segment=consumer task_completion"),
        ("taskgate.tail_regression", "segment=consumer trajectory_score"),
        ("taskgate.tail_regression", "tool_surface=mcp-identity task_completion"),
        ("taskgate.tail_regression", "tool_surface=mcp-identity trajectory_score"),
        ("taskgate.tail_regression", "variant=react-baseline task_completion"),
        # 4/4 -> 0/4 beats chance among the 4 tasks whose passes could reach alpha.
        ("taskgate.newly_failing", "task reset-004"),
        ("taskgate.newly_failing", "task unlock-010"),
        ("taskgate.worst_cohort", "tool_surface task_completion"),
        ("taskgate.worst_cohort", "tool_surface trajectory_score"),
    ]
    failure = cases(root, "taskgate.cohort_status")["tool_surface=mcp-identity task_completion"][0]
    message = (
        "tool_surface=mcp-identity: task_completion mean 0.481 is red (below 0.50) over 82 runs"
    )
    assert failure.attrib == {"message": message, "type": "cohort_status"}
    assert failure.text == f"{message}\nobserved: 0.480567\nlimit: 0.5"


def test_warnings_pass_with_their_message_in_system_out(candidate: Report) -> None:
    root = parse(candidate)
    case = cases(root, "taskgate.tail_gap")["all task_completion"]
    assert [child.tag for child in case] == ["system-out"]
    assert case[0].text == (
        "WARN all: task_completion worst decile 0.191 is 0.699 below the mean 0.890 (max_gap 0.40)"
    )
    assert list(cases(root, "taskgate.never_passed")) == ["dataset"]
    assert list(cases(root, "taskgate.step_drift")) == ["tool_surface=mcp-identity"]


def test_changed_tasks_are_cases_named_with_their_runs(candidate: Report) -> None:
    root = parse(candidate)
    flipped = cases(root, "taskgate.newly_failing")
    assert list(flipped) == [
        *(f"task {t}" for t in ("reset-001", "reset-003", "reset-004", "reset-006")),
        *(f"task {t}" for t in ("reset-008", "unlock-006", "unlock-008", "unlock-010")),
        # Newly passing tasks passed the check: listed after the failing ones.
        *(f"task {t}" for t in ("coupon-012", "policy-020", "rebook-011", "warranty-005")),
        "dataset",
    ]
    # 4 of 4 passed, now 0 of 4: 1 of the C(8, 4) = 70 ways to deal the 4 passes out.
    case = flipped["task reset-004"]
    assert [child.tag for child in case] == ["failure", "system-out"]
    assert case[1].text == (
        "newly_failing: 4/4 passed in the baseline, 0/4 now (p=0.0143); "
        "runs r-00178, r-00179, r-00180, r-00181"
    )
    # The other six have too few trials to reach alpha (2/2 -> 0/2 is p = 1/6 at best): a warning.
    assert [child.tag for child in flipped["dataset"]] == ["system-out"]
    assert flipped["task coupon-012"][0].text.startswith("newly_passing: 0/")


def test_skipped_invalid_lines_are_errors(with_invalid_line: Report) -> None:
    root = parse(with_invalid_line)
    check_structure(root)
    assert [root.get(key) for key in COUNTS] == ["13", "0", "1", "6"]
    problem = (
        "runs.jsonl:4: not valid JSON at column 13 (unexpected end of data); "
        "each line must be one JSON object"
    )
    error = cases(root, "taskgate.input")["runs.jsonl:4"][0]
    assert (error.tag, error.attrib, error.text) == (
        "error",
        {"message": problem, "type": "invalid_record"},
        problem,
    )
    assert [s.get("name") for s in root][-1] == "taskgate.input"


def test_cohorts_too_small_to_judge_are_skipped(with_invalid_line: Report) -> None:
    status = cases(parse(with_invalid_line), "taskgate.cohort_status")
    assert list(status)[:3] == [
        "all task_completion",
        "all trajectory_score",
        "segment=enterprise task_completion",
    ]
    assert list(status["all task_completion"]) == []
    skipped = status["segment=enterprise task_completion"][0]
    assert (skipped.tag, skipped.get("message")) == (
        "skipped",
        "segment=enterprise: 3 runs, too small to judge",
    )


def test_a_red_cohort_too_small_to_judge_is_skipped_even_with_small_cohort_off() -> None:
    report = tiny_report(["a", "a", "a", "b"], [0.9, 0.9, 0.9, 0.1], min_cohort_size=2)
    kept = [f for f in report.verdict.findings if f.rule != "small_cohort"]
    verdict = report.verdict.model_copy(update={"findings": kept})
    status = cases(parse(report.model_copy(update={"verdict": verdict})), "taskgate.cohort_status")
    assert list(status["team=a task_completion"]) == []
    skipped = status["team=b task_completion"][0]
    assert (skipped.tag, skipped.get("message")) == ("skipped", "team=b: 1 run, too small to judge")


def test_a_hostile_cohort_name_is_kept_as_text() -> None:
    report = tiny_report(["a|b<script>\x00\x1b`", "ok"], [0.1, 0.9])
    root = parse(report)
    check_structure(root)
    status = cases(root, "taskgate.cohort_status")
    assert "team=a|b<script>\ufffd\ufffd` task_completion" in status
    assert b"<script>" not in render_junit(report)


def test_xml_safe() -> None:
    assert xml_safe("a\x00b\x1b\tc\nd\ufffe\U0001f600") == "a\ufffdb\ufffd\tc\nd\ufffd\U0001f600"
    assert xml_safe("a\r\nb\rc") == "a\nb\nc"


def test_white_space_in_names_becomes_spaces() -> None:
    status = cases(parse(tiny_report(["x\ty\r\nz"], [0.9])), "taskgate.cohort_status")
    assert "team=x y z task_completion" in status


def test_same_bytes_twice(candidate: Report) -> None:
    again = Report.model_validate_json(candidate.model_dump_json())
    assert render_junit(candidate) == render_junit(candidate) == render_junit(again)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_reports())
def test_any_report_gives_well_formed_consistent_junit(report: Report) -> None:
    root = parse(report)
    check_structure(root)
    assert (root.get("failures") != "0") == (report.verdict.status == "fail")
    assert root.get("errors") == str(len(report.dataset.skipped))
