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
TABLE_METRICS = ("task_completion", "trajectory_score")
SHORT_NAMES = {"task_completion": "completion", "trajectory_score": "trajectory"}


def _number(value: float | None, fmt: str = ".3f") -> str:
    return "-" if value is None else format(value, fmt)


def cohort_table(dimension: str, cohorts: list[CohortSummary], metrics: list[str]) -> Table:
    table = Table(title=dimension, title_justify="left", title_style="bold", expand=False)
    table.add_column("cohort", overflow="fold")
    table.add_column("n", justify="right")
    table.add_column("pass", justify="right")
    for metric in metrics:
        table.add_column(SHORT_NAMES.get(metric, metric), justify="right")
        table.add_column("tail", justify="right")
        table.add_column("gap", justify="right")
    table.add_column("status")
    for cohort in cohorts:
        cells = [cohort.value, str(cohort.n), _number(cohort.pass_rate, ".0%")]
        for metric in metrics:
            summary = cohort.metrics[metric]
            cells += [_number(summary.mean), _number(summary.tail), _number(summary.gap)]
        table.add_row(*cells, Text(cohort.status or "-", style=STATUS_STYLE[cohort.status]))
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
    metrics = [m for m in TABLE_METRICS if any(m in c.metrics for c in report.cohorts[:1])]
    by_dimension: dict[str, list[CohortSummary]] = {}
    for cohort in report.cohorts:
        by_dimension.setdefault(cohort.dimension, []).append(cohort)
    for dimension, cohorts in by_dimension.items():
        yield cohort_table(dimension, cohorts, metrics)
    if report.verdict.findings:
        yield Text("Findings", style="bold")
        yield from (finding_line(f) for f in report.verdict.findings)
    yield verdict_line(report)


def render_terminal(report: Report) -> RenderableType:
    return Group(*_sections(report))
