from __future__ import annotations

import re
from html import escape
from pathlib import Path
from typing import Any

import pytest

from taskgate.api import score
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
from taskgate.report.html import render_html
from taskgate.report.json import render_json
from tests.conftest import FIXTURES, write_jsonl

HOSTILE = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def candidate() -> Report:
    return score(FIXTURES / "candidate.jsonl", baseline=FIXTURES / "baseline.json")


@pytest.fixture(scope="module")
def golden() -> Report:
    return score(FIXTURES / "golden.jsonl")


def page(report: Report) -> str:
    return render_html(report).decode("utf-8")


def metric(mean: float | None, tail: float | None, status: Any = None) -> MetricSummary:
    gap = None if mean is None or tail is None else round(mean - tail, 6)
    return MetricSummary(n=2, mean=mean, tail=tail, gap=gap, pass_rate=0.5, status=status)


def run(run_id: str, team: str, completion: float | None, passed: bool) -> RunResult:
    return RunResult(
        run_id=run_id,
        task_id=f"t-{run_id}",
        trial=0,
        cohort={"team": team},
        scores={"task_completion": completion, "trajectory_score": completion},
        passed=passed,
        failure_shape="passed" if passed else "early_stop",
        diagnosis=None if passed else "outcome",
        reason="r",
        status="completed",
        underspecified=False,
        step_budget_exceeded=False,
        steps=3,
    )


def cohort(dimension: str, value: str, **fields: Any) -> CohortSummary:
    summary = {"task_completion": metric(0.55, 0.1, "yellow"), "trajectory_score": metric(0.6, 0.2)}
    base: dict[str, Any] = {
        "dimension": dimension,
        "value": value,
        "n": 2,
        "pass_rate": 0.5,
        "status": "yellow",
        "metrics": summary,
        "failure_shapes": {"early_stop": 1, "passed": 1},
        "diagnoses": {"outcome": 1},
    }
    return CohortSummary(**{**base, **fields})


def hand_report(findings: list[Finding], with_baseline: bool = False) -> Report:
    """Two runs in one cohort of ``team``: every number below is fixed by hand."""
    delta = MetricDelta(
        mean=-0.25,
        tail=-0.1,
        ci=(-0.4, -0.1),
        p_value=0.0123,
        tail_ci=(-0.3, 0.0),
        tail_p_value=0.2,
        paired=True,
        tasks=2,
    )
    extra: dict[str, Any] = {}
    if with_baseline:
        extra = {
            "baseline": BaselineCohort(
                n=2,
                pass_rate=1.0,
                status="green",
                means={"task_completion": 0.8},
                tails={},
                steps_mean=3.0,
                per_pass_usd=None,
            ),
            "delta": {"task_completion": delta},
            "pass_rate_delta": -0.5,
        }
    return Report(
        taskgate_version="9.9.9",
        config_fingerprint="sha256:" + "ab" * 32,
        dataset=Dataset(source="runs.jsonl", runs=2, invalid=0, underspecified=0, sha256="cd" * 32),
        verdict=Verdict(
            status="fail" if any(f.level == "fail" for f in findings) else "pass",
            exit_code=1 if any(f.level == "fail" for f in findings) else 0,
            findings=findings,
        ),
        dimensions=[],
        cohorts=[cohort("all", "all", **extra), cohort("team", "core", **extra)],
        baseline=BaselineRef(
            source="base.json",
            runs=2,
            sha256="ef" * 32,
            config_fingerprint="x",
            vanished=[CohortRef(dimension="team", value="gone", n=4)],
        )
        if with_baseline
        else None,
        runs=[run("r-1", "core", 1.0, True), run("r-2", "core", 0.1, False)],
    )


REGRESSION = Finding(
    rule="regression",
    level="fail",
    dimension="team",
    cohort="core",
    metric="task_completion",
    observed=-0.25,
    limit=-0.03,
    message="team=core: task_completion mean dropped 0.250",
)
TAIL_GAP = Finding(
    rule="tail_gap",
    level="warn",
    dimension="team",
    cohort="core",
    metric="task_completion",
    observed=0.45,
    limit=0.4,
    message="team=core: task_completion tail 0.100 is 0.450 below",
)


def test_the_verdict_comes_first_as_a_word_with_the_counts() -> None:
    html = page(hand_report([REGRESSION, TAIL_GAP], with_baseline=True))
    assert html.index('<p class="word">FAIL</p>') < html.index('<section id="findings">')
    assert (
        '<p class="headline">1 finding failed the gate · 1 warning · 2 runs scored</p>'
        '<dl class="meta"><dt>Runs</dt><dd>runs.jsonl · sha256 '
        f'<code title="{"cd" * 32}">cdcdcdcdcdcd</code></dd>'
        "<dt>Input</dt><dd>0 invalid lines skipped · 0 unjudged · 0 underspecified · "
        "0 infrastructure failures</dd>"
        f'<dt>Baseline</dt><dd>base.json · 2 runs · sha256 <code title="{"ef" * 32}">'
        "efefefefefef</code></dd><dt>Vanished</dt><dd>team=gone</dd>"
        "<dt>Broke most at</dt><dd>outcome (1) of 1 failed run</dd>"
        f'<dt>taskgate</dt><dd>9.9.9 · config <code title="sha256:{"ab" * 32}">abababababab</code>'
    ) in html
    assert '<header class="banner fail" role="status">' in html


def test_a_cohort_row_has_every_column_and_the_change_against_the_baseline() -> None:
    html = page(hand_report([REGRESSION], with_baseline=True))
    assert (
        '<tr class="flag"><td>core<span class="badge">FAIL</span></td><td class="num">2</td>'
        '<td class="num">50.0%</td><td class="num">0</td><td class="status s-yellow">yellow</td>'
        '<td class="num">0.550</td><td class="num">0.100</td><td class="num">0.450</td>'
        '<td class="num">0.600</td><td class="num">0.800</td>'
        '<td class="num">-0.250 <span class="ci">[-0.400, -0.100]</span></td>'
        '<td class="num">0.0123</td><td class="num">-50.0 pt</td><td>early_stop (1)</td></tr>'
    ) in html


def test_findings_show_failures_then_warnings_grouped_by_rule() -> None:
    html = page(hand_report([REGRESSION, TAIL_GAP]))
    assert (
        '<tr><td><span class="level-fail">FAIL</span> regression</td><td>team=core</td>'
        '<td class="nowrap">task_completion</td><td class="num">-0.25</td>'
        '<td class="num">-0.03</td><td>team=core: task_completion mean dropped 0.250</td></tr>'
    ) in html
    assert "<details><summary><b>tail_gap</b>: 1 warning</summary>" in html
    assert html.index("regression</td>") < html.index("<summary><b>tail_gap")


def test_a_report_without_findings_says_so() -> None:
    html = page(hand_report([]))
    assert '<header class="banner pass" role="status"><p class="word">PASS</p>' in html
    assert "No finding failed the gate · 0 warnings · 2 runs scored" in html
    assert '<p class="muted">No warnings.</p>' in html


def test_the_charts_mark_regressions_and_flagged_gaps_in_words() -> None:
    html = page(hand_report([REGRESSION, TAIL_GAP], with_baseline=True))
    assert '<g class="c-bad">' in html and "-0.250 regressed</text>" in html
    assert "gap 0.450 (tail 0.100, mean 0.550) over limit</text>" in html
    assert "<title>core: 1 run(s) scored 0.10 to 0.15</title>" in html


def test_metrics_that_are_none_render_as_dashes() -> None:
    report = hand_report([])
    empty = {"task_completion": metric(None, None), "trajectory_score": metric(None, None)}
    report = report.model_copy(
        update={
            "cohorts": [
                c.model_copy(update={"metrics": empty, "status": None}) for c in report.cohorts
            ],
            "runs": [run("r-1", "core", None, False)],
        }
    )
    html = page(report)
    assert '<td class="status">-</td><td class="num">-</td><td class="num">-</td>' in html
    assert "no scores</text>" in html and "mean -</text>" in html


def test_every_chart_has_a_title_and_an_aria_label(candidate: Report) -> None:
    html = page(candidate)
    charts = re.findall(
        r'<svg class="chart" [^>]*aria-label="([^"]+)"><title>([^<]+)</title>', html
    )
    # one tail chart, then per dimension a distribution and a change against the baseline
    assert len(charts) == html.count("<svg") == 1 + 2 * 5
    assert all(label == title for label, title in charts)
    assert "task_completion against the baseline per tool_surface cohort" in html


def test_the_page_is_self_contained(candidate: Report) -> None:
    html = page(candidate)
    for banned in ("http://", "https://", "src=", "<link", "@import", "<script", "<img"):
        assert banned not in html
    assert set(re.findall(r"url\(([^)]*)\)", html)) == {"#tg-hatch"}


def test_the_fixture_report_names_the_failing_cohort(candidate: Report) -> None:
    html = page(candidate)
    fails = [f for f in candidate.verdict.findings if f.level == "fail"]
    warns = len(candidate.verdict.findings) - len(fails)
    assert f"{len(fails)} findings failed the gate · {warns} warnings · 597 runs scored" in html
    assert all(escape(f.message) in html for f in candidate.verdict.findings)
    assert '<tr class="flag"><td>mcp-identity<span class="badge">FAIL</span></td>' in html
    assert '<text x="812.0" y="' in html and "regressed</text>" in html


def test_without_a_baseline_there_is_no_change_column_or_chart(golden: Report) -> None:
    html = page(golden)
    assert '<header class="banner pass"' in html
    assert "Δ mean" not in html and "against the baseline" not in html
    assert html.count("<svg") == 1 + 5


def test_the_same_report_gives_the_same_bytes(candidate: Report) -> None:
    reloaded = Report.model_validate_json(render_json(candidate))
    assert render_html(candidate) == render_html(candidate) == render_html(reloaded)


def test_the_page_stays_small_for_hundreds_of_runs(candidate: Report) -> None:
    html = page(candidate)
    assert len(candidate.runs) == 597
    assert len(html) < 150_000
    assert html.count("<rect") < 20 * len(candidate.cohorts) + 50


def test_user_strings_are_escaped_everywhere(tmp_path: Path) -> None:
    task = {"description": "d", "expected_result": "ok", "success_criteria": ["ok"]}
    records = [
        {
            "run_id": f"{HOSTILE}-{i}",
            "task_id": "t<1>",
            "cohort": {'k"<b>': HOSTILE},
            "task": task,
            "steps": [{"message": "ok", "is_final": True}],
            "final_result": "ok",
        }
        for i in range(2)
    ]
    runs = write_jsonl(tmp_path / "a&b<i>.jsonl", records)
    html = page(score(runs, cohorts=['k"<b>']))
    assert "<script" not in html and "<b>team" not in html and "<i>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Cohorts by k&quot;&lt;b&gt;</h2>" in html
    assert "a&amp;b&lt;i&gt;.jsonl" in html
    # a single cohort per dimension still draws every chart
    assert html.count("<svg") == 1 + 3
