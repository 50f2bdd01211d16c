"""The terminal report: per-cohort tables, findings, a verdict line (rich).

Status is written as a word as well as a colour, so the table reads the same
without colour (NO_COLOR, pipes, CI logs).
"""

from __future__ import annotations

from collections.abc import Iterator

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from taskgate.results import CohortSummary, Finding, Report

STATUS_STYLE = {"green": "green", "yellow": "yellow", "red": "bold red", None: "dim"}
LEVEL_STYLE = {"fail": "bold red", "warn": "yellow"}
COLUMNS = (
    ("cohort", "left"),
    ("n", "right"),
    ("pass", "right"),
    ("completion", "right"),
    ("tail", "right"),
    ("gap", "right"),
    ("trajectory", "right"),
    ("status", "left"),
    ("top failure", "left"),
    ("broke at", "left"),
)


def _number(value: float | None, fmt: str = ".3f") -> str:
    return "-" if value is None else format(value, fmt)


def _top(counts: dict[str, int], skip: str = "passed") -> str:
    ranked = sorted(((-n, name) for name, n in counts.items() if name != skip))
    return f"{ranked[0][1]} ({-ranked[0][0]})" if ranked else "-"


def cohort_table(dimension: str, cohorts: list[CohortSummary]) -> Table:
    table = Table(title=dimension, title_justify="left", title_style="bold", expand=False)
    for name, justify in COLUMNS:
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for cohort in cohorts:
        completion = cohort.metrics["task_completion"]
        trajectory = cohort.metrics.get("trajectory_score")
        table.add_row(
            cohort.value,
            str(cohort.n),
            _number(cohort.pass_rate, ".0%"),
            _number(completion.mean),
            _number(completion.tail),
            _number(completion.gap),
            _number(trajectory.mean if trajectory else None),
            Text(cohort.status or "-", style=STATUS_STYLE[cohort.status]),
            _top(cohort.failure_shapes),
            _top(cohort.diagnoses),
        )
    return table


def finding_line(finding: Finding) -> Text:
    text = Text(f"{finding.level.upper():<5}", style=LEVEL_STYLE[finding.level])
    text.append(f" {finding.rule}: {finding.message}")
    return text


def verdict_line(report: Report) -> Text:
    findings = report.verdict.findings
    fails = sum(f.level == "fail" for f in findings)
    warns = len(findings) - fails
    if report.verdict.status == "fail":
        text = Text("FAIL", style="bold red")
        text.append(f": {fails} finding{'s' if fails != 1 else ''} failed the gate")
    else:
        text = Text("PASS", style="bold green")
        text.append(": no finding failed the gate")
    text.append(f", {warns} warning{'s' if warns != 1 else ''}; {report.dataset.runs} runs scored")
    return text


def _sections(report: Report) -> Iterator[RenderableType]:
    by_dimension: dict[str, list[CohortSummary]] = {}
    for cohort in report.cohorts:
        by_dimension.setdefault(cohort.dimension, []).append(cohort)
    for dimension, cohorts in by_dimension.items():
        yield cohort_table(dimension, cohorts)
    if report.verdict.findings:
        yield Text("Findings", style="bold")
        yield from (finding_line(f) for f in report.verdict.findings)
    yield verdict_line(report)


def render_terminal(report: Report) -> RenderableType:
    return Group(*_sections(report))
