"""`taskgate explain`: a run as a readable timeline, with every component score."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from taskgate.model.trajectory import Step, ToolCall
from taskgate.printable import printable
from taskgate.scoring.breakdown import Explanation
from taskgate.scoring.text import text_of

PREVIEW = 100


def _short(value: Any, limit: int = PREVIEW) -> str:
    text = printable(" ".join(text_of(value).split()))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _text(text: str, style: str = "") -> Text:
    """A line of the timeline: the run's own text in it is shown, never obeyed."""
    return Text(printable(text), style=style)


VERDICTS = {
    True: Text("PASSED", style="bold green"),
    False: Text("FAILED", style="bold red"),
    None: Text("UNJUDGED", style="bold yellow"),
}


def _header(explanation: Explanation) -> Text:
    run = explanation.result
    text = _text(f"run {run.run_id} (task {run.task_id}) ", style="bold")
    text.append_text(VERDICTS[run.passed])
    if run.passed is False:
        text.append(printable(f"  shape: {run.failure_shape}  broke at: {run.diagnosis}"))
    text.append("\n" + printable(run.reason))
    cohort = ", ".join(f"{k}={v}" for k, v in sorted(run.cohort.items()))
    if cohort:
        text.append("\ncohort: " + printable(cohort))
    return text


def _scores(explanation: Explanation) -> Table:
    table = Table(title="components", title_justify="left", expand=False)
    table.add_column("metric")
    table.add_column("score", justify="right")
    table.add_column("reason", overflow="fold")
    for name, score in explanation.scores.items():
        shown = "n/a" if score.value is None else f"{score.value:.3f}"
        marker = " ← lowest" if name == explanation.result.diagnosis else ""
        table.add_row(name + marker, shown, printable(score.reason))
    return table


def _call_line(call: ToolCall) -> Text:
    mark = Text("  ✗ " if call.failed else "  ✓ ", style="red" if call.failed else "green")
    mark.append(printable(f"{call.name}({_short(call.arguments, 60)})"))
    outcome = f" error: {_short(call.error)}" if call.failed else f" → {_short(call.result, 60)}"
    mark.append(outcome, style="red" if call.failed else "dim")
    return mark


def _step_lines(index: int, step: Step, breaking: bool, turn: int) -> Iterator[Text]:
    if step.is_user:
        yield _text(f"#{index + 1} user (turn {turn}): {_short(step.message)}", style="magenta")
        return
    title = _text(f"#{index + 1}", style="bold")
    if step.agent:
        title.append(printable(f" {step.agent}"), style="bold")
    if step.handoff:
        handoff = f" handoff {step.handoff.get('from')} → {step.handoff.get('to')}"
        title.append(printable(handoff), style="cyan")
    if step.is_final:
        title.append(" [final]", style="cyan")
    if breaking:
        title.append("  ← went wrong here", style="bold red")
    yield title
    if step.thought:
        yield _text(f"  thought: {_short(step.thought)}", style="dim")
    yield from (_call_line(call) for call in step.tool_calls)
    if step.observation not in (None, ""):
        yield _text(f"  observed: {_short(step.observation)}")
    if step.message:
        yield _text(f"  said: {_short(step.message)}")


def _criteria(explanation: Explanation) -> Iterator[Text]:
    details = explanation.scores["task_completion"].details
    for name in details.get("criteria_met", []):
        yield _text(f"  ✓ {name}", style="green")
    for name in details.get("criteria_unmet", []):
        yield _text(f"  ✗ {name}", style="red")


def _checks(explanation: Explanation) -> Iterator[Text]:
    first = explanation.checks.first_failed
    for check in explanation.checks.checks:
        line = _text(f"  {'✓' if check.holds else '✗'} {check.message}")
        line.stylize("green" if check.holds else "red")
        if check is first:
            line.append("  ← first failed check", style="bold red")
        yield line
    if not explanation.checks.judged:
        yield Text("  unjudged: the task states nothing to check beyond a final step", "yellow")


def _call_diffs(explanation: Explanation) -> Iterator[RenderableType]:
    for diff in explanation.call_diffs:
        turn = "" if diff.turn is None else f" (turn {diff.turn})"
        if diff.comparison is None:
            yield _text(f"  {diff.name}{turn}: no call to it succeeded", style="red")
            continue
        made_turn = "" if diff.made_turn is None else f" in turn {diff.made_turn}"
        yield Text(
            f"  {diff.name}{turn} against call #{(diff.made or 0) + 1}{made_turn} "
            f"({diff.comparison.credit:.0%} of arguments agree)"
        )
        table = Table(show_edge=False, pad_edge=False, box=None)
        for column in ("", "argument", "mode", "expected", "actual"):
            table.add_column(column, overflow="fold")
        for key in diff.comparison.keys:
            mark = Text("✓", style="green") if key.agrees else Text("✗", style="red")
            expected, actual = _short(key.expected, 40), _short(key.actual, 40)
            table.add_row(mark, printable(key.key), key.mode, expected, actual)
        yield table


def render_explanation(explanation: Explanation) -> RenderableType:
    parts: list[RenderableType] = [
        _header(explanation),
        _scores(explanation),
        Text("checks", style="bold"),
        *_checks(explanation),
    ]
    diffs = list(_call_diffs(explanation))
    if diffs:
        parts += [Text("expected calls not made in full", style="bold"), *diffs]
    parts.append(Text("steps", style="bold"))
    turn = 0
    for index, step in enumerate(explanation.record.steps):
        turn += step.is_user
        parts += _step_lines(index, step, index == explanation.breaking_step, turn)
    if not explanation.record.steps:
        parts.append(Text("  (no steps)", style="dim"))
    criteria = list(_criteria(explanation))
    if criteria:
        parts += [Text("criteria", style="bold"), *criteria]
    return Group(*parts)
