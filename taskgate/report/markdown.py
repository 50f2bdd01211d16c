"""The pull-request comment: GitHub-flavoured Markdown, also fit for ``$GITHUB_STEP_SUMMARY``.

Verdict first, then what failed the gate; warnings, skipped input lines and the
full per-cohort tables are folded into ``<details>`` blocks so a long report stays
short in a pull request. Every string that comes from the user's data (cohort
names, messages, file names) goes through :func:`escape`, so it cannot break a
table or inject HTML.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from taskgate.aggregate.cohorts import BUDGET_DIMENSION
from taskgate.model.report import CohortSummary, Finding, Report, ToolChange
from taskgate.printable import printable
from taskgate.report.counts import most_common
from taskgate.report.coverage_line import coverage_line, inconclusive_note

_ESCAPES = str.maketrans(
    {"\\": "\\\\", "|": "\\|", "`": "\\`", "&": "&amp;", "<": "&lt;", ">": "&gt;"}
)
# A PR comment is capped at 65,536 characters: repeated warnings are folded, and a report
# longer still is cut (after the verdict and the failures) with a note.
COMMENT_LIMIT = 65_536
WARNINGS_PER_RULE = 10
TASK_RUNS_SHOWN = 4
STATUS_WORD = {"green": "🟢 green", "yellow": "🟡 yellow", "red": "🔴 red", None: "-"}
FINDING_COLUMNS = ("rule", "cohort", "metric", "observed", "limit", "message")
DELTA_COLUMNS = ("cohort", "metric", "base", "now", "Δ mean [95% CI]", "p")
COHORT_COLUMNS = (
    "cohort",
    "n",
    "pass",
    "unjudged",
    "completion",
    "tail",
    "gap",
    "trajectory",
    "status",
)
BASELINE_COLUMNS = ("base", "Δ [95% CI]")
LEFT_ALIGNED = frozenset(
    {
        "rule",
        "cohort",
        "metric",
        "message",
        "status",
        "top failure",
        "Δ mean [95% CI]",
        "task",
        "change",
        "runs",
        "tools called",
    }
)


def escape(text: str) -> str:
    """User text made safe for a table cell or a line: no HTML, no cell breaks, control
    and reordering characters shown as escapes."""
    return printable(text).translate(_ESCAPES)


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _value(value: float | None) -> str:
    """Counts (runs, tasks) read as integers; scores keep three decimals."""
    if value is not None and value.is_integer() and abs(value) >= 1:
        return str(int(value))
    return "0" if value == 0 else _number(value)


def _p_value(value: float) -> str:
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _where(finding: Finding) -> str | None:
    """The cohort a finding is about, as the rules' messages name it."""
    if finding.dimension is None:
        return None
    if finding.cohort is None or finding.dimension == finding.cohort == "all":
        return finding.dimension
    return f"{finding.dimension}={finding.cohort}"


def _finding_row(finding: Finding) -> tuple[str, ...]:
    where = _where(finding)
    message = finding.message
    if where is not None and message.startswith(f"{where}: "):
        message = message[len(where) + 2 :]  # the cohort column already says it
    return (
        escape(finding.rule),
        "-" if where is None else escape(where),
        escape(finding.metric or "-"),
        _value(finding.observed),
        _value(finding.limit),
        escape(message),
    )


def _label(cohort: CohortSummary) -> str:
    return "all" if cohort.dimension == "all" else escape(f"{cohort.dimension}={cohort.value}")


def table(columns: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    """A GFM table; cells must already be escaped. Numbers are right-aligned."""
    rule = ("---" if name in LEFT_ALIGNED else "---:" for name in columns)
    lines = [f"| {' | '.join(columns)} |", f"|{'|'.join(rule)}|"]
    return lines + [f"| {' | '.join(row)} |" for row in rows]


def _details(summary: str, body: list[str]) -> list[str]:
    # The blank lines let GitHub render the Markdown inside the HTML block.
    return [f"<details><summary>{summary}</summary>", "", *body, "", "</details>", ""]


def verdict_lines(report: Report) -> list[str]:
    findings = report.verdict.findings
    fails = sum(f.level == "fail" for f in findings)
    if report.verdict.status == "fail":
        heading = f"## ❌ taskgate: FAIL — {_plural(fails, 'finding')} failed the gate"
    elif (note := inconclusive_note(report)) is not None:
        heading = f"## ⚠️ taskgate: PASS, {escape(note)}"  # never a bare PASS
    else:
        heading = "## ✅ taskgate: PASS"
    facts = [
        f"**{report.dataset.runs}** runs scored",
        f"**{len(findings) - fails}** warnings",
    ]
    if report.dataset.invalid:
        facts.append(f"**{report.dataset.invalid}** invalid lines skipped")
    if report.dataset.unjudged:  # never read as passes: said out loud next to the count
        facts.append(f"**{report.dataset.unjudged}** unjudged (nothing to check)")
    if report.dataset.judged:  # the rules did not decide these alone
        facts.append(f"**{report.dataset.judged}** decided in part by a judge")
    if report.dataset.infrastructure:  # failures, but of what the agent ran on
        facts.append(f"**{report.dataset.infrastructure}** infrastructure failures")
    if report.baseline is not None:
        base = report.baseline
        facts.append(f"baseline: {escape(base.source)} ({base.runs} runs)")
    else:
        facts.append("no baseline")
    covered = coverage_line(report)
    if covered is not None:
        facts.append(escape(covered))
    if report.verdict.status == "fail" and (note := inconclusive_note(report)) is not None:
        facts.append(escape(note))
    turned_off = report.verdict.turned_off
    if turned_off:  # a reviewer must not read PASS as "checked" for a rule that was not
        facts.append(f"off in the config: {', '.join(turned_off)}")
    return [heading, "", " · ".join(facts), ""]


def failure_lines(report: Report) -> list[str]:
    failed = [f for f in report.verdict.findings if f.level == "fail"]
    if not failed:
        return []
    rows = (_finding_row(f) for f in failed)
    return [
        "### What failed the gate",
        "",
        *table(FINDING_COLUMNS, rows),
        "",
        *_delta_lines(report),
    ]


def _failing_cohorts(report: Report) -> Iterator[CohortSummary]:
    keys = {(f.dimension, f.cohort) for f in report.verdict.findings if f.level == "fail"}
    return (c for c in report.cohorts if (c.dimension, c.value) in keys and c.delta)


def _delta_row(cohort: CohortSummary, metric: str) -> tuple[str, ...]:
    delta = (cohort.delta or {})[metric]
    base = cohort.baseline.means.get(metric) if cohort.baseline else None
    now = cohort.metrics[metric].mean if metric in cohort.metrics else None
    change = f"{delta.mean:+.3f} [{delta.ci[0]:+.3f}, {delta.ci[1]:+.3f}]"
    return (_label(cohort), escape(metric), _number(base), _number(now), change)


def _delta_lines(report: Report) -> list[str]:
    rows = [
        (*_delta_row(cohort, metric), _p_value(delta.p_value))
        for cohort in _failing_cohorts(report)
        for metric, delta in (cohort.delta or {}).items()
    ]
    if not rows:
        return []
    return ["#### Failing cohorts against the baseline", "", *table(DELTA_COLUMNS, rows), ""]


TASK_COLUMNS = ("task", "change", "baseline passed", "now passed", "p", "q", "runs")


def task_change_lines(report: Report) -> list[str]:
    """Tasks that went from all passed to all failed, or back, with their run ids for
    taskgate explain."""
    changed = [t for t in report.tasks if t.change is not None]
    if not changed:
        return []
    changed.sort(key=lambda t: (t.change != "newly_failing", t.task_id))
    rows = (
        (
            f"`{escape(t.task_id)}`",
            (t.change or "").replace("_", " "),
            f"{t.baseline_passed}/{t.baseline_trials}",
            f"{t.passed}/{t.trials}",
            _p_value(t.p_value or 1.0) if t.change == "newly_failing" else "n/a",
            _p_value(t.q_value) if t.q_value is not None and t.change == "newly_failing" else "n/a",
            ", ".join(f"`{escape(r)}`" for r in t.runs[:TASK_RUNS_SHOWN])
            + (
                f" and {len(t.runs) - TASK_RUNS_SHOWN} more"
                if len(t.runs) > TASK_RUNS_SHOWN
                else ""
            ),
        )
        for t in changed
    )
    return ["### Tasks that changed", "", *table(TASK_COLUMNS, rows), ""]


# The report does not carry the config's alpha; more steps are shown from the usual level.
STEPS_ALPHA = 0.05
BEHAVIOUR_COLUMNS = ("cohort", "tools called", "steps mean, p90", "cost per run")


def tool_text(change: ToolChange) -> str:
    """E.g. "lookup_user 0.15 → 0.23 a run"."""
    return f"{change.tool} {change.before:.2f} → {change.after:.2f} a run"


def _behaviour_row(cohort: CohortSummary) -> tuple[str, ...] | None:
    seen = cohort.behaviour
    if seen is None:
        return None
    tools = ", ".join(escape(tool_text(c)) for c in seen.tools or [])
    before, after = seen.steps_before, seen.steps_after
    more_steps = seen.steps_p_value is not None and seen.steps_p_value < STEPS_ALPHA
    if not tools and not more_steps:
        return None
    steps = (
        f"{_value(before.get('mean'))}, {_value(before.get('p90'))} → "
        f"{_value(after.get('mean'))}, {_value(after.get('p90'))}"
    ) + (f" (more: p={_p_value(seen.steps_p_value or 1.0)})" if more_steps else "")
    cost = f"{_money(seen.cost_per_run_before)} → {_money(seen.cost_per_run_after)}"
    return (_label(cohort), tools or "no change beyond chance", steps, cost)


def _money(value: float | None) -> str:
    return "n/a" if value is None else f"${value:.4f}"


def behaviour_lines(report: Report) -> list[str]:
    """Tools, steps and cost per run against the baseline, for the cohorts that moved: a
    changed path is a leading indicator even when the scores hold."""
    rows = [
        row
        for cohort in report.cohorts
        if cohort.dimension != BUDGET_DIMENSION and (row := _behaviour_row(cohort))
    ]
    if not rows:
        return []
    body = table(BEHAVIOUR_COLUMNS, rows)
    return _details(f"Behaviour against the baseline ({_plural(len(rows), 'cohort')})", body)


def warning_lines(report: Report) -> list[str]:
    by_rule: dict[str, list[Finding]] = {}
    for finding in report.verdict.findings:
        if finding.level == "warn":
            by_rule.setdefault(finding.rule, []).append(finding)
    if not by_rule:
        return []
    body: list[str] = []
    for rule, findings in by_rule.items():
        body += [f"**{escape(rule)}** ({len(findings)})", ""]
        body += [f"- {escape(f.message)}" for f in findings[:WARNINGS_PER_RULE]]
        if len(findings) > WARNINGS_PER_RULE:
            hidden = len(findings) - WARNINGS_PER_RULE
            body.append(f"- … and {hidden} more (all are in the JSON report)")
        body.append("")
    count = sum(len(findings) for findings in by_rule.values())
    return _details(_plural(count, "warning"), body[:-1])


def skipped_lines(report: Report) -> list[str]:
    skipped = report.dataset.skipped
    if not skipped:
        return []
    body = [f"- {escape(line)}" for line in skipped]
    return _details(f"{_plural(len(skipped), 'invalid line')} skipped", body)


def _baseline_cells(cohort: CohortSummary) -> tuple[str, str]:
    delta = (cohort.delta or {}).get("task_completion")
    base = cohort.baseline.means.get("task_completion") if cohort.baseline else None
    if delta is None:
        return _number(base), "new" if cohort.baseline is None else "-"
    return _number(base), f"{delta.mean:+.3f} [{delta.ci[0]:+.2f}, {delta.ci[1]:+.2f}]"


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def cohort_row(cohort: CohortSummary, with_baseline: bool) -> tuple[str, ...]:
    completion = cohort.metrics.get("task_completion")
    trajectory = cohort.metrics.get("trajectory_score")
    row = (
        escape(cohort.value),
        str(cohort.n),
        _percent(cohort.pass_rate),
        str(cohort.unjudged),
        _number(completion.mean if completion else None),
        *(_baseline_cells(cohort) if with_baseline else ()),
        _number(completion.tail if completion else None),
        _number(completion.gap if completion else None),
        _number(trajectory.mean if trajectory else None),
        STATUS_WORD[cohort.status],
        most_common(cohort.failure_shapes, escape),
    )
    return row


def cohort_lines(report: Report) -> list[str]:
    with_baseline = report.baseline is not None
    columns = (*COHORT_COLUMNS[:5], *(BASELINE_COLUMNS if with_baseline else ()))
    columns = (*columns, *COHORT_COLUMNS[5:], "top failure")
    by_dimension: dict[str, list[CohortSummary]] = {}
    for cohort in report.cohorts:
        by_dimension.setdefault(cohort.dimension, []).append(cohort)
    body: list[str] = []
    for dimension, cohorts in by_dimension.items():
        rows = (cohort_row(cohort, with_baseline) for cohort in cohorts)
        body += [f"#### {escape(dimension)}", "", *table(columns, rows), ""]
    note = "completion = task_completion (mean, tail = worst decile, gap = mean - tail)"
    return _details("All cohorts", [note, "", *body[:-1]])


def footer_lines(report: Report) -> list[str]:
    fingerprint = report.config_fingerprint[:19]
    return [f"<sub>taskgate {escape(report.taskgate_version)} · config {escape(fingerprint)}</sub>"]


def render_markdown(report: Report) -> bytes:
    lines = [
        *verdict_lines(report),
        *failure_lines(report),
        *task_change_lines(report),
        *warning_lines(report),
        *behaviour_lines(report),
        *skipped_lines(report),
        *cohort_lines(report),
        *footer_lines(report),
    ]
    return (_within_limit(lines, report) + "\n").encode("utf-8")


def _within_limit(lines: list[str], report: Report) -> str:
    text = "\n".join(lines)
    if len(text) <= COMMENT_LIMIT:
        return text
    note = (
        f"✂️ Cut at {COMMENT_LIMIT:,} characters, the most a GitHub comment takes: "
        f"{len(text):,} in full. Every finding, cohort and run is in the JSON or HTML report "
        "(`-o report.json`, `-o report.html`)."
    )
    footer = footer_lines(report)
    room = COMMENT_LIMIT - len(note) - sum(len(line) + 1 for line in footer) - 64
    kept: list[str] = []
    size, open_blocks = 0, 0
    for line in lines:
        if size + len(line) + 1 > room:
            break
        kept.append(line)
        size += len(line) + 1
        open_blocks += line.startswith("<details>") - (line == "</details>")
    closing = ["", "</details>"] * open_blocks
    return "\n".join([*kept, *closing, "", note, "", *footer])
