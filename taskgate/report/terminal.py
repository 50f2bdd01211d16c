"""The terminal report: per-cohort tables, findings, a verdict line (rich).

Status is written as a word as well as a colour, so the table reads the same
without colour (NO_COLOR, pipes, CI logs).
"""

from __future__ import annotations

from collections.abc import Iterator

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from taskgate.model.report import CohortSummary, Finding, LabelAgreement, Report
from taskgate.printable import printable
from taskgate.report.counts import most_common
from taskgate.report.coverage_line import coverage_line, inconclusive_note

STATUS_STYLE = {"green": "green", "yellow": "yellow", "red": "bold red", None: "dim"}
LEVEL_STYLE = {"fail": "bold red", "warn": "yellow"}
# Below this many columns the table keeps only what the gate judges by.
WIDE = 118
NARROW_COLUMNS = ("cohort", "n", "pass", "unjudged", "completion", "tail", "gap", "status")
WIDE_COLUMNS = (*NARROW_COLUMNS[:-1], "trajectory", "status", "top failure", "broke at")
RIGHT_ALIGNED = frozenset({"n", "pass", "unjudged", "completion", "tail", "gap", "trajectory"})
DIFF_NARROW = ("cohort", "n", "base", "now", "Δ mean [95% CI]", "status")
DIFF_WIDE = (
    "cohort",
    "n",
    "base",
    "now",
    "Δ mean [95% CI]",
    "p",
    "Δ tail",
    "Δ pass",
    "status",
    "top failure",
)


def _number(value: float | None, fmt: str = ".3f") -> str:
    return "-" if value is None else format(value, fmt)


def _cells(cohort: CohortSummary) -> dict[str, str | Text]:
    completion = cohort.metrics["task_completion"]
    trajectory = cohort.metrics.get("trajectory_score")
    return {
        "cohort": Text(printable(cohort.value)),
        "n": str(cohort.n),
        "pass": _number(cohort.pass_rate, ".0%"),
        "unjudged": str(cohort.unjudged),
        "completion": _number(completion.mean),
        "tail": _number(completion.tail),
        "gap": _number(completion.gap),
        "trajectory": _number(trajectory.mean if trajectory else None),
        "status": Text(cohort.status or "-", style=STATUS_STYLE[cohort.status]),
        "top failure": most_common(cohort.failure_shapes),
        "broke at": most_common(cohort.diagnoses),
    }


def _delta_cells(cohort: CohortSummary) -> dict[str, str | Text]:
    completion = cohort.metrics["task_completion"]
    delta = (cohort.delta or {}).get("task_completion")
    base = cohort.baseline.means.get("task_completion") if cohort.baseline else None
    if delta is None:
        change: str | Text = Text("new" if cohort.baseline is None else "-", style="dim")
        tail, p_value = "-", "-"
    else:
        change = f"{delta.mean:+.3f} [{delta.ci[0]:+.2f}, {delta.ci[1]:+.2f}]"
        tail, p_value = f"{delta.tail:+.3f}", f"{delta.p_value:.3f}"
    pass_change = cohort.pass_rate_delta
    return {
        "base": _number(base),
        "now": _number(completion.mean),
        "Δ mean [95% CI]": change,
        "Δ tail": tail,
        "p": p_value,
        "Δ pass": "-" if pass_change is None else f"{pass_change * 100:+.0f} pt",
    }


def diff_table(dimension: str, cohorts: list[CohortSummary], width: int = WIDE) -> Table:
    """The per-cohort comparison with the baseline, on task_completion."""
    columns = DIFF_WIDE if width >= WIDE else DIFF_NARROW
    table = Table(
        title=Text(f"{printable(dimension)} (task_completion vs baseline)"),
        title_justify="left",
        title_style="bold",
    )
    for name in columns:
        table.add_column(
            name, justify="left" if name in ("cohort", "status", "Δ mean [95% CI]") else "right"
        )
    for cohort in cohorts:
        cells = {**_cells(cohort), **_delta_cells(cohort)}
        table.add_row(*(cells[name] for name in columns))
    return table


def cohort_table(dimension: str, cohorts: list[CohortSummary], width: int = WIDE) -> Table:
    columns = WIDE_COLUMNS if width >= WIDE else NARROW_COLUMNS
    # Text, not str: a title or cell given as str is read as markup ("[/bold]" would crash)
    table = Table(
        title=Text(printable(dimension)), title_justify="left", title_style="bold", expand=False
    )
    for name in columns:
        table.add_column(
            name,
            justify="right" if name in RIGHT_ALIGNED else "left",
            overflow="fold",  # a cohort name is never cut short
        )
    for cohort in cohorts:
        cells = _cells(cohort)
        table.add_row(*(cells[name] for name in columns))
    return table


def failures_line(cohort: CohortSummary) -> Text:
    """How the runs of one cohort failed, and where, as one line of counts."""
    shapes = ", ".join(
        f"{n} {name}" for name, n in cohort.failure_shapes.items() if name != "passed"
    )
    broke = ", ".join(f"{n} {name}" for name, n in cohort.diagnoses.items())
    text = Text("How runs failed: ", style="bold")
    text.append(f"{shapes or 'none failed'}" + (f"; broke at: {broke}" if broke else ""))
    return text


def finding_line(finding: Finding) -> Text:
    text = Text(f"{finding.level.upper():<5}", style=LEVEL_STYLE[finding.level])
    text.append(printable(f" {finding.rule}: {finding.message}"))
    return text


def verdict_line(report: Report) -> Text:
    findings = report.verdict.findings
    fails = sum(f.level == "fail" for f in findings)
    warns = len(findings) - fails
    if report.verdict.status == "fail":
        text = Text("FAIL", style="bold red")
        text.append(f": {fails} finding{'s' if fails != 1 else ''} failed the gate")
    else:
        note = inconclusive_note(report)
        text = Text("PASS", style="bold green" if note is None else "bold yellow")
        text.append(f" ({note})" if note else "")
        text.append(": no finding failed the gate")
    runs = report.dataset.runs
    text.append(
        f", {warns} warning{'s' if warns != 1 else ''}; {runs} run{'s' if runs != 1 else ''} scored"
    )
    if report.dataset.unjudged:
        text.append(f", {report.dataset.unjudged} unjudged")
    if report.dataset.judged:
        text.append(f", {report.dataset.judged} decided in part by a judge")
    if report.dataset.infrastructure:
        text.append(f", {report.dataset.infrastructure} infrastructure failures")
    return text


def coverage_lines(report: Report) -> Iterator[Text]:
    """What the runs covered of the golden tasks, and how they were compared."""
    covered = coverage_line(report)
    if covered is not None:
        yield Text(f"Coverage: {covered}")


def findings_lines(findings: list[Finding], warnings_per_rule: int = 3) -> Iterator[Text]:
    """Every failing finding; warnings too, but only the first few of each rule."""
    shown: dict[str, int] = {}
    for item in findings:
        shown[item.rule] = shown.get(item.rule, 0) + 1
        if item.level == "fail" or shown[item.rule] <= warnings_per_rule:
            yield finding_line(item)
    for rule, count in shown.items():
        hidden = count - warnings_per_rule
        fails = sum(f.rule == rule and f.level == "fail" for f in findings)
        if hidden > 0 and fails == 0:
            yield Text(
                f"      … and {hidden} more {rule} warnings (all are in the JSON report)",
                style="dim",
            )


def _sections(report: Report, width: int) -> Iterator[RenderableType]:
    by_dimension: dict[str, list[CohortSummary]] = {}
    for cohort in report.cohorts:
        by_dimension.setdefault(cohort.dimension, []).append(cohort)
    table = diff_table if report.baseline is not None else cohort_table
    for dimension, cohorts in by_dimension.items():
        yield table(dimension, cohorts, width)
    yield failures_line(report.cohorts[0])
    if report.verdict.findings:
        yield Text("Findings", style="bold")
        yield from findings_lines(report.verdict.findings)
    yield from coverage_lines(report)
    yield verdict_line(report)


def render_summary(report: Report) -> RenderableType:
    """What to print when the report went to files: the findings and the verdict."""
    return Group(
        *findings_lines(report.verdict.findings), *coverage_lines(report), verdict_line(report)
    )


def render_terminal(report: Report, width: int = WIDE) -> RenderableType:
    """The full terminal report, laid out for a terminal ``width`` columns wide."""
    return Group(*_sections(report, width))


def labels_table(agreement: LabelAgreement) -> Table:
    """Scores against an outside judgment: AUROC per metric, and pass/fail agreement."""
    table = Table(
        title=f"Agreement with labels.reward ({agreement.successes} of {agreement.runs} runs "
        "succeeded)",
        title_justify="left",
        title_style="bold",
    )
    table.add_column("metric")
    table.add_column("AUROC", justify="right")
    for metric, value in agreement.auroc.items():
        table.add_row(metric, _number(value))
    table.add_section()
    table.add_row("passed, reward ≥ 0.5", str(agreement.passed_and_succeeded))
    table.add_row("passed, reward < 0.5", str(agreement.passed_but_failed))
    table.add_row("failed, reward ≥ 0.5", str(agreement.failed_but_succeeded))
    table.add_row("failed, reward < 0.5", str(agreement.failed_and_failed))
    if agreement.unjudged_succeeded or agreement.unjudged_failed:
        table.add_row("unjudged, reward ≥ 0.5", str(agreement.unjudged_succeeded))
        table.add_row("unjudged, reward < 0.5", str(agreement.unjudged_failed))
    table.add_row("accuracy of passed", _number(agreement.accuracy))
    return table
