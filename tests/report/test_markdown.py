from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taskgate.api import score
from taskgate.api.pipeline import assemble
from taskgate.config.model import Config
from taskgate.model.names import METRIC_NAMES
from taskgate.model.report import Dataset, Report, RunResult
from taskgate.report.json import render_json
from taskgate.report.markdown import escape, render_markdown
from tests.conftest import FIXTURES

METRICS = METRIC_NAMES
HOSTILE = "a|b<script>`x`"
# The only HTML the renderer writes itself; "<0.001" is a p-value, not a tag.
OWN_TAGS = re.compile(r"</?(details|summary|sub)>|<0\.001")


def tiny_runs(values: Sequence[str], scores: Sequence[float], dimension: str) -> list[RunResult]:
    return [
        RunResult(
            run_id=f"r{i}",
            task_id=f"t{i}",
            trial=None,
            cohort={dimension: value},
            scores=dict.fromkeys(METRICS, score_),
            passed=score_ >= 0.7,
            failure_shape="passed" if score_ >= 0.7 else "early_stop",
            reason="",
            status="completed",
            underspecified=False,
            step_budget_exceeded=False,
            steps=3,
        )
        for i, (value, score_) in enumerate(zip(values, scores, strict=True))
    ]


def tiny_report(
    values: Sequence[str],
    scores: Sequence[float],
    base_scores: Sequence[float] | None = None,
    dimension: str = "team",
    skipped: Sequence[str] = (),
    min_cohort_size: int = 1,
) -> Report:
    """A report straight from scored runs, without reading a file: one run per value."""
    config = Config.model_validate({"gate": {"min_cohort_size": min_cohort_size}})
    dataset = Dataset(
        source="runs.jsonl",
        runs=len(values),
        invalid=len(skipped),
        skipped=list(skipped),
        underspecified=0,
        sha256="0" * 64,
    )
    baseline = None
    if base_scores is not None:
        before = assemble(tiny_runs(values, base_scores, dimension), dataset, [dimension], config)
        baseline = (before, "base.json")
    runs = tiny_runs(values, scores, dimension)
    return assemble(runs, dataset, [dimension], config, baseline)


@st.composite
def tiny_reports(draw: st.DrawFn) -> Report:
    values = draw(st.lists(st.text(max_size=10), min_size=1, max_size=5))
    size = len(values)
    unit = st.floats(0, 1)
    scores = draw(st.lists(unit, min_size=size, max_size=size))
    base = draw(st.none() | st.lists(unit, min_size=size, max_size=size))
    dimension = draw(st.text(min_size=1, max_size=8).filter(lambda d: d not in ("all", "(none)")))
    skipped = draw(st.lists(st.text(max_size=20), max_size=2))
    return tiny_report(values, scores, base, dimension, skipped, draw(st.integers(1, 3)))


def lines(report: Report) -> list[str]:
    return render_markdown(report).decode("utf-8").splitlines()


def unescaped_pipes(line: str) -> int:
    """Pipes a GFM table splits on: every backslash escapes the next character."""
    return len(re.findall(r"\|", re.sub(r"\\.", "", line)))


def tables(text: str) -> Iterator[list[str]]:
    block: list[str] = []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            block.append(line)
        elif block:
            yield block
            block = []


def test_the_verdict_comes_first(candidate: Report, golden: Report) -> None:
    assert lines(candidate)[:3] == [
        "## ❌ taskgate: FAIL — 12 findings failed the gate",
        "",
        "**597** runs scored · **32** warnings · baseline: fixtures/baseline.json (597 runs) · "
        "240 of 240 golden tasks ran; compared task by task over 240 shared tasks · "
        "inconclusive for all, segment=consumer, segment=enterprise, segment=smb and 8 more: "
        "too few tasks x trials to detect the allowed drops",
    ]
    assert lines(golden)[:3] == [
        "## ✅ taskgate: PASS",
        "",
        "**597** runs scored · **20** warnings · no baseline",
    ]


def test_rules_the_config_turned_off_are_named_under_the_verdict(golden: Report) -> None:
    config = Config.model_validate({"gate": {"regression": {"level": "off"}}})
    off = score(FIXTURES / "golden.jsonl", config=config)
    assert lines(off)[2] == (
        "**597** runs scored · **20** warnings · no baseline · "
        "off in the config: regression, tail_regression, underpowered"
    )
    assert golden.verdict.rules["pass_k"] == "off"  # off by default: not named


def test_failing_findings_are_a_table(candidate: Report) -> None:
    text = lines(candidate)
    assert text[4:7] == [
        "### What failed the gate",
        "",
        "| rule | cohort | metric | observed | limit | message |",
    ]
    assert (
        "| cohort_status | tool_surface=mcp-identity | task_completion | 0.481 | 0.500 | "
        "task_completion mean 0.481 is red (below 0.50) over 82 runs |"
    ) in text
    assert (
        "| worst_cohort | tool_surface | trajectory_score | 0.286 | 0.150 | the worst cohorts' "
        "trajectory_score mean is 0.286 below the overall mean (max_gap 0.15) |"
    ) in text


def test_failing_cohorts_show_their_change_against_the_baseline(candidate: Report) -> None:
    text = lines(candidate)
    start = text.index("#### Failing cohorts against the baseline")
    assert text[start + 2 : start + 11] == [
        "| cohort | metric | base | now | Δ mean [95% CI] | p |",
        "|---|---|---:|---:|---|---:|",
        # Failing on their worst decile, not their mean: the row still shows the mean's change.
        "| segment=consumer | task_completion | 0.940 | 0.917 | -0.030 [-0.075, +0.010] | 0.021 |",
        "| segment=consumer | trajectory_score | 0.884 | 0.858 | -0.029 [-0.062, +0.000] | 0.007 |",
        "| tool_surface=mcp-identity | task_completion | 0.941 | 0.481 | "
        "-0.452 [-0.541, -0.361] | <0.001 |",
        "| tool_surface=mcp-identity | trajectory_score | 0.891 | 0.553 | "
        "-0.340 [-0.411, -0.269] | <0.001 |",
        "| variant=react-baseline | task_completion | 0.900 | 0.859 | "
        "-0.029 [-0.082, +0.021] | 0.093 |",
        "| variant=react-baseline | trajectory_score | 0.849 | 0.813 | "
        "-0.032 [-0.072, +0.007] | 0.035 |",
        "",
    ]


def test_warnings_fold_into_details_grouped_by_rule(candidate: Report) -> None:
    text = lines(candidate)
    # 12 underpowered, 16 tail_gap, and never_passed, newly_failing, step_drift, cost_per_pass.
    start = text.index("<details><summary>32 warnings</summary>")
    assert text[start + 1 : start + 4] == ["", "**underpowered** (12)", ""]
    assert text[start + 14] == "- … and 2 more (all are in the JSON report)"
    assert text[start + 15 : start + 18] == ["", "**tail_gap** (16)", ""]
    assert text[start + 28] == "- … and 6 more (all are in the JSON report)"
    assert "**newly_failing** (1)" in text
    assert "**step_drift** (1)" in text
    assert "- tool_surface=mcp-identity: steps per run rose 43% (5.0 to 7.1)" in text
    # Warnings, behaviour against the baseline, all cohorts.
    assert text.count("</details>") == 3


def test_all_cohorts_fold_into_details_with_the_baseline(candidate: Report) -> None:
    text = lines(candidate)
    start = text.index("<details><summary>All cohorts</summary>")
    assert text.index("#### tool_surface") > start
    assert (
        "| cohort | n | pass | unjudged | completion | base | Δ [95% CI] | tail | gap "
        "| trajectory | status | top failure |"
    ) in text
    assert (
        "| mcp-identity | 82 | 33% | 0 | 0.481 | 0.941 | -0.452 [-0.54, -0.36] | 0.000 "
        "| 0.481 | 0.553 | 🔴 red | loop_exhaustion (20) |"
    ) in text


def test_without_a_baseline_there_is_no_delta(golden: Report) -> None:
    text = lines(golden)
    assert "### What failed the gate" not in text
    assert (
        "| cohort | n | pass | unjudged | completion | tail | gap | trajectory | status "
        "| top failure |"
    ) in text
    row = (
        "| mcp-identity | 82 | 93% | 0 | 0.941 | 0.539 | 0.402 | 0.891 | 🟢 green "
        "| early_stop (3) |"
    )
    assert row in text


def test_the_footer_names_version_and_config(golden: Report) -> None:
    assert lines(golden)[-1] == "<sub>taskgate 0.1.0 · config sha256:1de3771fffd7</sub>"


def test_same_bytes_twice_and_after_a_json_round_trip(candidate: Report) -> None:
    again = Report.model_validate_json(render_json(candidate))
    assert render_markdown(candidate) == render_markdown(candidate) == render_markdown(again)


def test_escape() -> None:
    assert escape("a|b<script>`x`") == "a\\|b&lt;script&gt;\\`x\\`"
    assert escape("x\\|y\r\nz & w\x85\u2028\x00") == (
        "x\\\\\\|y\\\\r\\\\nz &amp; w\\\\x85\\\\u2028\\\\x00"
    )


def test_a_hostile_cohort_name_cannot_break_a_table_or_inject_html() -> None:
    report = tiny_report([HOSTILE, HOSTILE, "ok\nline"], [0.1, 0.2, 0.9])
    text = render_markdown(report).decode("utf-8")
    assert "<script" not in text and "`x`" not in text
    assert "| team=a\\|b&lt;script&gt;\\`x\\` | task_completion | 0.150 | 0.500 |" in text
    assert "| ok\\\\nline | 1 | 100% |" in text  # the newline shown as an escape
    for table in tables(text):
        assert len({unescaped_pipes(row) for row in table}) == 1


def test_invalid_lines_are_listed(tmp_path: Path) -> None:
    good = (FIXTURES / "golden.jsonl").read_text().splitlines()[:3]
    (tmp_path / "runs.jsonl").write_text("\n".join([*good, '{"run_id": 5']) + "\n")
    config = Config.model_validate({"gate": {"invalid_runs": {"max": 1}}})
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path)
        text = lines(score("runs.jsonl", config=config))
    assert (
        text[2] == "**3** runs scored · **4** warnings · **1** invalid lines skipped · no baseline"
    )
    start = text.index("<details><summary>1 invalid line skipped</summary>")
    assert text[start + 2] == (
        "- runs.jsonl:4: not valid JSON at column 13 (unexpected end of data); "
        "each line must be one JSON object"
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_reports())
def test_user_text_never_escapes_into_html_or_breaks_a_table(report: Report) -> None:
    text = render_markdown(report).decode("utf-8")
    assert "<" not in OWN_TAGS.sub("", text)
    for table in tables(text):
        assert len({unescaped_pipes(row) for row in table}) == 1
    assert render_markdown(report) == render_markdown(report)


def test_a_report_longer_than_a_comment_is_cut_after_the_failures_with_a_note() -> None:
    from taskgate.report.markdown import COMMENT_LIMIT, _within_limit

    lines = ["## ❌ taskgate: FAIL", "", "<details><summary>All cohorts</summary>", ""]
    lines += [f"| c{i} | {'x' * 90} |" for i in range(1000)]
    lines += ["", "</details>"]
    report = tiny_report(["a"], [1.0])
    text = _within_limit(lines, report)
    assert len(text) <= COMMENT_LIMIT
    assert text.startswith("## ❌ taskgate: FAIL\n\n<details><summary>All cohorts</summary>")
    tail = text.splitlines()[-5:]
    assert tail[0] == "</details>"
    assert tail[2].startswith("✂️ Cut at 65,536 characters, the most a GitHub comment takes: ")
    assert tail[4].startswith("<sub>taskgate ")
    short = ["## ✅ taskgate: PASS", "short"]
    assert _within_limit(short, report) == "## ✅ taskgate: PASS\nshort"


def test_control_and_reordering_characters_are_shown_as_escapes() -> None:
    from taskgate.report.markdown import escape

    assert escape("a\x1b[2Kb\u202ec|d\nx\u2028") == "a\\\\x1b[2Kb\\\\u202ec\\|d\\\\nx\\\\u2028"
