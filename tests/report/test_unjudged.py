"""Unjudged runs (their task states nothing to check) in every format: counted apart, never
read as passes, and a cohort of nothing but unjudged runs has no pass rate ("-")."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import orjson
import pytest
from rich.console import Console

from taskgate.api import score
from taskgate.model.report import Report
from taskgate.report.html import render_html
from taskgate.report.json import render_json
from taskgate.report.junit import render_junit
from taskgate.report.markdown import render_markdown
from taskgate.report.terminal import render_terminal
from tests.conftest import write_jsonl


def record(index: int, team: str, judged: bool, answer: str = "ok") -> dict[str, Any]:
    """One run that reaches a final step; ``judged`` gives its task an expected result."""
    task: dict[str, Any] = {"description": "d"}
    if judged:
        task["expected_result"] = "ok"
    return {
        "run_id": f"r{index}",
        "task_id": f"t{index}",
        "cohort": {"team": team},
        "task": task,
        "steps": [{"message": answer, "is_final": True}],
        "final_result": answer,
    }


def scored(folder: Path, records: list[dict[str, Any]], baseline: str | None = None) -> Report:
    write_jsonl(folder / "runs.jsonl", records)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)  # so the report names the file as a user sees it
        return score("runs.jsonl", cohorts=["team"], baseline=baseline)


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Report:
    """team=a: a pass, a failure and an unjudged run; team=b: two unjudged runs."""
    return scored(
        tmp_path_factory.mktemp("mixed"),
        [
            record(0, "a", judged=True),
            record(1, "a", judged=True, answer="no"),
            record(2, "a", judged=False),
            record(3, "b", judged=False),
            record(4, "b", judged=False),
        ],
    )


@pytest.fixture(scope="module")
def nothing_judged(tmp_path_factory: pytest.TempPathFactory) -> Report:
    """Three unjudged runs in one cohort, against a baseline of the same runs."""
    folder = tmp_path_factory.mktemp("nothing")
    records = [record(i, "b", judged=False) for i in range(3)]
    before = scored(folder, records)
    (folder / "base.json").write_bytes(render_json(before))
    return scored(folder, records, baseline="base.json")


def terminal(report: Report, width: int = 80) -> list[str]:
    console = Console(width=width, record=True, color_system=None)
    console.print(render_terminal(report, width))
    return console.export_text().splitlines()


def markdown(report: Report) -> list[str]:
    return render_markdown(report).decode("utf-8").splitlines()


def html(report: Report) -> str:
    return render_html(report).decode("utf-8")


def test_the_counts_add_up(mixed: Report, nothing_judged: Report) -> None:
    assert (mixed.dataset.runs, mixed.dataset.unjudged) == (5, 3)
    assert mixed.dataset.unjudged_tasks == ["t2", "t3", "t4"]
    rows = {(c.dimension, c.value): (c.n, c.pass_rate, c.unjudged) for c in mixed.cohorts}
    # the pass rate is over judged runs: 1 of 2, not 1 of 3
    assert rows[("all", "all")] == (5, 0.5, 3)
    assert rows[("team", "a")] == (3, 0.5, 1)
    assert rows[("team", "b")] == (2, None, 2)
    assert [(r.run_id, r.passed) for r in mixed.runs] == [
        ("r0", True),
        ("r1", False),
        ("r2", None),
        ("r3", None),
        ("r4", None),
    ]
    assert {(c.value, c.pass_rate, c.pass_rate_delta) for c in nothing_judged.cohorts} == {
        ("all", None, None),
        ("b", None, None),
        ("false", None, None),
    }


def test_terminal_says_how_many_are_unjudged_and_has_the_column(mixed: Report) -> None:
    lines = terminal(mixed)
    assert max(len(line) for line in lines) <= 80
    assert lines[-1] == "FAIL: 1 finding failed the gate, 2 warnings; 5 runs scored, 3 unjudged"
    assert "┃ cohort ┃ n ┃ pass ┃ unjudged ┃ completion ┃  tail ┃   gap ┃ status ┃" in lines
    assert "│ a      │ 3 │  50% │        1 │      0.688 │ 0.377 │ 0.312 │ yellow │" in lines
    assert "│ b      │ 2 │    - │        2 │          - │     - │     - │ green  │" in lines
    wide = terminal(mixed, 140)
    assert (
        "│ b      │ 2 │    - │        2 │          - │     - │     - │      1.000 │ green  │ "
        "-                    │ -           │"
    ) in wide
    assert wide[-1] == lines[-1]


def test_markdown_says_how_many_are_unjudged_and_has_the_column(mixed: Report) -> None:
    lines = markdown(mixed)
    assert lines[:3] == [
        "## ❌ taskgate: FAIL — 1 finding failed the gate",
        "",
        "**5** runs scored · **2** warnings · **3** unjudged (nothing to check) · no baseline",
    ]
    assert (
        "| cohort | n | pass | unjudged | completion | tail | gap | trajectory | status "
        "| top failure |"
    ) in lines
    assert "|---|---:|---:|---:|---:|---:|---:|---:|---|---|" in lines
    assert (
        "| all | 5 | 50% | 3 | 0.688 | 0.377 | 0.312 | 0.929 | 🟡 yellow | wrong_task_drift (1) |"
    ) in lines
    assert (
        "| a | 3 | 50% | 1 | 0.688 | 0.377 | 0.312 | 0.881 | 🟡 yellow | wrong_task_drift (1) |"
    ) in lines
    assert "| b | 2 | - | 2 | - | - | - | 1.000 | 🟢 green | - |" in lines


def test_html_says_how_many_are_unjudged_and_has_the_column(mixed: Report) -> None:
    page = html(mixed)
    assert (
        '<p class="headline">1 finding failed the gate · 2 warnings · 5 runs scored · 3 unjudged'
        "</p>"
    ) in page
    assert (
        "<dt>Input</dt><dd>0 invalid lines skipped · 3 unjudged · 5 underspecified · "
        "0 infrastructure failures</dd>" in page
    )
    # 5 runs: 1 passed, 3 unjudged, so 1 failed
    assert "<dt>Broke most at</dt><dd>outcome (1) of 1 failed run</dd>" in page
    # every count right-aligned as its cells are, the status word left-aligned
    assert (
        '<table><tr><th>cohort</th><th class="num">n</th><th class="num">pass rate</th>'
        '<th class="num">unjudged</th><th>status</th><th class="num">mean</th>'
        '<th class="num">tail</th><th class="num">gap</th><th class="num">trajectory</th>'
        "<th>top failure</th></tr>"
    ) in page
    assert (
        '<tr><td>a</td><td class="num">3</td><td class="num">50.0%</td><td class="num">1</td>'
        '<td class="status s-yellow">yellow</td><td class="num">0.688</td>'
        '<td class="num">0.377</td><td class="num">0.312</td><td class="num">0.881</td>'
        "<td>wrong_task_drift (1)</td></tr>"
    ) in page
    assert (
        '<tr><td>b</td><td class="num">2</td><td class="num">-</td><td class="num">2</td>'
        '<td class="status s-green">green</td><td class="num">-</td><td class="num">-</td>'
        '<td class="num">-</td><td class="num">1.000</td><td>-</td></tr>'
    ) in page


def test_html_failure_shapes_count_unjudged_runs_so_each_row_adds_up(mixed: Report) -> None:
    page = html(mixed)
    assert (
        '<table><tr><th>cohort</th><th class="num">passed</th><th class="num">unjudged</th>'
        '<th class="num">wrong_task_drift</th><th>broke most at</th></tr>'
        '<tr><td>a</td><td class="num">1</td><td class="num">1</td><td class="num">1</td>'
        "<td>outcome (1)</td></tr>"
        '<tr><td>b</td><td class="num">0</td><td class="num">2</td><td class="num">0</td>'
        "<td>-</td></tr></table>"
    ) in page


def test_without_unjudged_runs_the_verdicts_do_not_mention_them(candidate: Report) -> None:
    assert candidate.dataset.unjudged == 0
    assert terminal(candidate)[-1] == (
        "FAIL: 12 findings failed the gate, 32 warnings; 597 runs scored"
    )
    assert markdown(candidate)[2] == (
        "**597** runs scored · **32** warnings · baseline: fixtures/baseline.json (597 runs) · "
        "240 of 240 golden tasks ran; compared task by task over 240 shared tasks · "
        "inconclusive for all, segment=consumer, segment=enterprise, segment=smb and 8 more: "
        "too few tasks x trials to detect the allowed drops"
    )
    page = html(candidate)
    assert (
        '<p class="headline">12 findings failed the gate · 32 warnings · 597 runs scored</p>'
    ) in page
    # the failure shapes gain an unjudged column only when there are unjudged runs
    assert '<th class="num">passed</th><th class="num">early_stop</th>' in page


def test_a_cohort_with_only_unjudged_runs_has_no_pass_rate_in_any_format(
    nothing_judged: Report,
) -> None:
    lines = terminal(nothing_judged, 140)
    # small_cohort, and underpowered: one trial a task with equal scores shows no noise
    assert lines[-1] == "FAIL: 1 finding failed the gate, 2 warnings; 3 runs scored, 3 unjudged"
    # against the baseline the terminal shows the change, and there is no pass rate to change
    assert (
        "│ b      │ 3 │    - │   - │ -               │ - │      - │      - │ green  │           - │"
    ) in lines
    assert "│ b      │ 3 │    - │        3 │          - │    - │   - │ green  │" in terminal(
        nothing_judged.model_copy(update={"baseline": None})
    )
    text = markdown(nothing_judged)
    assert text[2] == (
        "**3** runs scored · **2** warnings · **3** unjudged (nothing to check) · "
        "baseline: base.json (3 runs) · 3 of 3 golden tasks ran; compared task by task over 3 "
        "shared tasks · inconclusive for all: too few tasks x trials to detect the allowed drops"
    )
    assert "| b | 3 | - | 3 | - | - | - | - | - | 1.000 | 🟢 green | - |" in text
    page = html(nothing_judged)
    assert (
        '<tr><td>b</td><td class="num">3</td><td class="num">-</td><td class="num">3</td>'
        '<td class="status s-green">green</td><td class="num">-</td><td class="num">-</td>'
        '<td class="num">-</td><td class="num">1.000</td><td class="num">-</td>'
        '<td class="num">-</td><td class="num">-</td><td class="num">-</td><td>-</td></tr>'
    ) in page
    assert "<dt>Broke most at</dt><dd>no run failed</dd>" in page
    assert "None" not in page and "None" not in "\n".join([*lines, *text])
    cohorts = orjson.loads(render_json(nothing_judged))["cohorts"]
    assert [(c["value"], c["pass_rate"], c["unjudged"]) for c in cohorts] == [
        ("all", None, 3),
        ("b", None, 3),
        ("false", None, 3),
    ]


def test_junit_fails_underspecified_when_no_run_can_be_judged(nothing_judged: Report) -> None:
    root = ET.fromstring(render_junit(nothing_judged))
    suite = root.find("testsuite[@name='taskgate.underspecified']")
    assert suite is not None
    assert [suite.get(key) for key in ("tests", "failures", "errors", "skipped")] == [
        "1",
        "1",
        "0",
        "0",
    ]
    (case,) = suite
    assert case.get("name") == "dataset"
    failure = case.find("failure")
    assert failure is not None
    message = (
        "no run can be judged: tasks t0, t1, t2 give no expected_result, success_criteria, "
        "expected_calls, required_tools or write_tools; add them to the tasks (or pass --tasks)"
    )
    assert failure.attrib == {"message": message, "type": "underspecified"}
    assert failure.text == f"{message}\nobserved: 1\nlimit: 0"
    assert root.get("failures") == "1"
