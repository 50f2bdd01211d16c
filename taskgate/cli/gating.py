"""``score`` and ``diff``: a report judged, written and shown."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from taskgate.cli.boundary import guarded, make_console
from taskgate.cli.options import (
    AllowOption,
    BaselineOption,
    ConfigOption,
    NoColorOption,
    NoJudgeOption,
    OutputOption,
    QuietOption,
    RunsArgument,
    TasksOption,
    load_config_option,
    without_judge,
)

if TYPE_CHECKING:
    from rich.console import Console

    from taskgate.model.report import Report


def score(
    runs: RunsArgument,
    config: ConfigOption = None,
    tasks: TasksOption = None,
    output: OutputOption = None,
    cohort: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option(
            "--cohort",
            metavar="DIM",
            help="Cohort dimension to report (repeatable; overrides config).",
        ),
    ] = None,
    baseline: BaselineOption = None,
    allow_config_change: AllowOption = False,
    quiet: QuietOption = False,
    no_color: NoColorOption = False,
    labels: Annotated[
        bool,
        typer.Option(
            "--labels", help="Show how the scores agree with the runs' labels.reward (AUROC)."
        ),
    ] = False,
    workers: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option(
            "--workers",
            min=1,
            metavar="N",
            help="Processes that score, at most one per core (default: one per core for inputs "
            "over 8 MB).",
        ),
    ] = None,
    no_judge: NoJudgeOption = False,
) -> None:
    """Score every run, aggregate per cohort, apply the gate; exit 1 when it fails."""

    def action() -> int:
        from taskgate.api import score as score_runs

        _check_outputs(output, [runs, tasks, baseline, config])
        settings = without_judge(load_config_option(config), no_judge)
        with _progress(runs, quiet) as progress:
            report = score_runs(
                runs,
                config=settings,
                tasks=tasks,
                baseline=baseline,
                cohorts=cohort,
                allow_config_change=allow_config_change,
                progress=progress,
                workers=workers,
            )
        return _finish(report, output, Display(quiet, not no_color, labels))

    guarded(action)


def diff(
    baseline: Annotated[Path, typer.Argument(help="The baseline JSON report.")],
    candidate: Annotated[Path, typer.Argument(help="The candidate JSON report.")],
    config: ConfigOption = None,
    output: OutputOption = None,
    allow_config_change: AllowOption = False,
    quiet: QuietOption = False,
    no_color: NoColorOption = False,
) -> None:
    """Gate two saved JSON reports against each other without re-scoring."""

    def action() -> int:
        from taskgate.api import diff as diff_reports

        _check_outputs(output, [baseline, candidate, config])
        settings = load_config_option(config)
        report = diff_reports(
            baseline, candidate, config=settings, allow_config_change=allow_config_change
        )
        return _finish(report, output, Display(quiet, not no_color))

    guarded(action)


def _check_outputs(outputs: list[Path] | None, inputs: list[str | Path | None]) -> None:
    """Refuse unknown output formats, and outputs that are inputs, before any work is done."""
    from taskgate.output import refuse_overwriting_inputs
    from taskgate.report import renderer_for

    for path in outputs or []:
        renderer_for(path)
    refuse_overwriting_inputs(outputs or [], inputs)


@dataclass(frozen=True)
class Display:
    quiet: bool = False
    color: bool = True
    labels: bool = False


# Below this size a file scores in about a second: no progress bar.
PROGRESS_MIN_BYTES = 20_000_000


@contextmanager
def _progress(runs: str, quiet: bool) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on standard error while a large input is scored, if it is a terminal."""
    size = None if runs == "-" or not os.path.isfile(runs) else os.path.getsize(runs)
    if quiet or not sys.stderr.isatty() or (size is not None and size < PROGRESS_MIN_BYTES):
        yield None
        return
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn

    columns = (TextColumn("scoring"), BarColumn(), DownloadColumn())
    with Progress(*columns, console=make_console(stderr=True), transient=True) as bar:
        task = bar.add_task("scoring", total=None if runs.endswith(".gz") else size)
        yield lambda count: bar.advance(task, count)


def _finish(report: Report, outputs: list[Path] | None, display: Display) -> int:
    from taskgate.report.terminal import render_summary, render_terminal, verdict_line

    _write_outputs(report, outputs or [])
    errors = make_console(stderr=True, color=display.color)
    summary_problem = _append_step_summary(report)
    if summary_problem is not None:
        errors.print(f"warning: {summary_problem}", markup=False)
    for skipped in report.dataset.skipped:
        errors.print(f"warning: skipped {skipped}", markup=False)
    console = make_console(color=display.color)
    if display.labels:
        _print_labels(report, console)
    if display.quiet:
        console.print(verdict_line(report))
    elif outputs:
        console.print(render_summary(report))
    else:
        console.print(render_terminal(report, console.width))
    return report.verdict.exit_code


def _print_labels(report: Report, console: Console) -> None:
    from taskgate.report.terminal import labels_table

    if report.labels is None:
        console.print("--labels: no run has labels.reward; nothing to compare with", markup=False)
    else:
        console.print(labels_table(report.labels))


def _append_step_summary(report: Report) -> str | None:
    """In GitHub Actions, the Markdown report goes to the job's summary page too. A summary
    that cannot be written is said, and the verdict keeps its exit code: the gate has
    judged, and the outputs asked for are written."""
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return None
    from taskgate.report.markdown import render_markdown

    try:
        with open(target, "ab") as handle:
            handle.write(render_markdown(report))
    except OSError as exc:
        return (
            f"cannot append to GITHUB_STEP_SUMMARY ({target}): {exc.strerror}; the job summary "
            "lacks the report, the exit code is the verdict's"
        )
    return None


def _write_outputs(report: Report, outputs: list[Path]) -> None:
    from taskgate.output import write_all_atomic
    from taskgate.report import renderer_for

    renderers = [(path, renderer_for(path)) for path in outputs]  # refuse bad names first
    write_all_atomic([(path, render(report)) for path, render in renderers])  # all or none
