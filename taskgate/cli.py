"""The command line: parse arguments, call the library, print, exit.

The only module that imports typer or prints. One error boundary maps
taskgate's own errors to exit 2 with their message, Ctrl-C to 130, and any
other exception (a bug) to exit 3 with the traceback saved to a file.
"""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from taskgate.config import Config
    from taskgate.results import Report

EXIT_INPUT, EXIT_BUG, EXIT_INTERRUPT, EXIT_TERMINATED = 2, 3, 130, 143

app = typer.Typer(
    name="taskgate",
    help="A release gate for AI agents: score runs, compare cohorts, block bad releases.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

ConfigOption = Annotated[
    Optional[Path],  # noqa: UP045 - typer needs Optional on Python 3.10
    typer.Option(
        "--config", "-c", metavar="FILE", help="Config file (default: ./taskgate.yaml if present)."
    ),
]
TasksOption = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option(
        "--tasks", metavar="FILE", help="JSONL of tasks (task_id + task fields) joined on task_id."
    ),
]
OutputOption = Annotated[
    Optional[list[Path]],  # noqa: UP045
    typer.Option(
        "--output", "-o", metavar="FILE", help="Write the report; format by name: .json .jsonl."
    ),
]
BaselineOption = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option(
        "--baseline", metavar="FILE", help="A JSON report from an earlier score to compare with."
    ),
]
AllowOption = Annotated[
    bool,
    typer.Option(
        "--allow-config-change", help="Compare even if the baseline used another evaluator config."
    ),
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="Print only the verdict line.")]
NoColorOption = Annotated[
    bool, typer.Option("--no-color", help="No colour (also: NO_COLOR set, or not a terminal).")
]
RunsArgument = Annotated[
    str,
    typer.Argument(metavar="RUNS", help="Run records: a .jsonl or .jsonl.gz file, or - for stdin."),
]


def _console(stderr: bool = False, color: bool = True) -> Console:
    """Rich picks colour by itself (none when NO_COLOR is set or the stream is not a terminal);
    ``color=False`` (--no-color) drops every escape code, bold included."""
    from rich.console import Console

    if color:
        return Console(stderr=stderr, highlight=False, soft_wrap=True)
    return Console(stderr=stderr, highlight=False, soft_wrap=True, color_system=None)


def _save_traceback(details: str) -> str:
    fd, path = tempfile.mkstemp(prefix="taskgate-crash-", suffix=".log")
    with os.fdopen(fd, "w") as handle:
        handle.write(details)
    return path


def _bug_report(exc: Exception) -> str:
    """One line naming the saved traceback; the traceback itself if it cannot be saved."""
    details = traceback.format_exc()
    message = f"internal error ({type(exc).__name__}): this is a bug in taskgate. "
    try:
        return f"{message}Traceback saved to {_save_traceback(details)}"
    except OSError as error:  # never let the report of a bug become another crash
        return f"{message}The traceback could not be saved ({error.strerror}):\n{details.rstrip()}"


class _Terminated(BaseException):
    """SIGTERM (a CI job cancelled, a container stopped): unwound like Ctrl-C, so outputs
    staged but not yet in place are removed and old ones stay whole."""


def _terminate(signum: int, frame: object) -> None:
    raise _Terminated


@contextmanager
def _stoppable() -> Iterator[None]:
    """SIGTERM raises _Terminated while a command runs (signals go to the main thread only)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def guarded(action: Callable[[], int]) -> None:
    """Run a command body and exit with the code the outcome calls for."""
    from taskgate.errors import TaskgateError

    try:
        with _stoppable():
            code = action()
    except TaskgateError as exc:
        _console(stderr=True).print(f"error: {exc.message}", markup=False)
        code = exc.exit_code
    except (KeyboardInterrupt, _Terminated) as exc:
        code = _stopped(exc)
    except Exception as exc:
        # Python wraps a signal's exception raised at some points (a class being created
        # while a module is imported) in a RuntimeError: still a stop, not a bug.
        cause = exc.__cause__
        if isinstance(cause, KeyboardInterrupt | _Terminated):
            code = _stopped(cause)
        else:  # a bug: one line for the user, the traceback on disk
            _console(stderr=True).print(_bug_report(exc), markup=False)
            code = EXIT_BUG
    raise typer.Exit(code)


def _stopped(signal: BaseException) -> int:
    what = "interrupted" if isinstance(signal, KeyboardInterrupt) else "terminated"
    _console(stderr=True).print(f"{what}; no output was written", markup=False)
    return EXIT_INTERRUPT if isinstance(signal, KeyboardInterrupt) else EXIT_TERMINATED


def _load_config(path: Path | None) -> Config:
    from taskgate.config import default_config, load_config, resolve_config_path

    # Relative to ".", so messages name ./taskgate.yaml as the user knows it.
    resolved = resolve_config_path(path, Path("."))
    return load_config(resolved) if resolved is not None else default_config()


def _write_outputs(report: Report, outputs: list[Path]) -> None:
    from taskgate.io import write_all_atomic
    from taskgate.report import renderer_for

    renderers = [(path, renderer_for(path)) for path in outputs]  # refuse bad names first
    write_all_atomic([(path, render(report)) for path, render in renderers])  # all or none


@app.command()
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
            help="Processes that score (default: one per core for inputs over 8 MB).",
        ),
    ] = None,
) -> None:
    """Score every run, aggregate per cohort, apply the gate; exit 1 when it fails."""

    def action() -> int:
        from taskgate.pipeline import score as score_runs

        _check_outputs(output)
        settings = _load_config(config)
        with _progress(runs, quiet) as progress:
            report = score_runs(
                runs, settings, tasks, cohort, baseline, allow_config_change, progress, workers
            )
        return _finish(report, output, Display(quiet, not no_color, labels))

    guarded(action)


@app.command()
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
        from taskgate.pipeline import diff as diff_reports

        _check_outputs(output)
        report = diff_reports(baseline, candidate, _load_config(config), allow_config_change)
        return _finish(report, output, Display(quiet, not no_color))

    guarded(action)


def _check_outputs(outputs: list[Path] | None) -> None:
    """Refuse unknown output formats before any work is done."""
    from taskgate.report import renderer_for

    for path in outputs or []:
        renderer_for(path)


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
    with Progress(*columns, console=_console(stderr=True), transient=True) as bar:
        task = bar.add_task("scoring", total=None if runs.endswith(".gz") else size)
        yield lambda count: bar.advance(task, count)


def _finish(report: Report, outputs: list[Path] | None, display: Display) -> int:
    from taskgate.report.terminal import render_summary, render_terminal, verdict_line

    _write_outputs(report, outputs or [])
    _append_step_summary(report)
    errors = _console(stderr=True, color=display.color)
    for skipped in report.dataset.skipped:
        errors.print(f"warning: skipped {skipped}", markup=False)
    console = _console(color=display.color)
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


def _append_step_summary(report: Report) -> None:
    """In GitHub Actions, the Markdown report goes to the job's summary page too."""
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return
    from taskgate.report.markdown import render_markdown

    try:
        with open(target, "ab") as handle:
            handle.write(render_markdown(report))
    except OSError as exc:
        from taskgate.errors import OutputError

        raise OutputError(
            f"cannot append to GITHUB_STEP_SUMMARY ({target}): {exc.strerror}"
        ) from None


class ExplainFormat(str, Enum):
    text = "text"
    json = "json"


@app.command()
def explain(
    runs: RunsArgument,
    run_id: Annotated[str, typer.Argument(help="The run_id of the run to explain.")],
    config: ConfigOption = None,
    tasks: TasksOption = None,
    format: Annotated[
        ExplainFormat, typer.Option("--format", help="text for people, json for machines.")
    ] = ExplainFormat.text,
    no_color: NoColorOption = False,
) -> None:
    """One run, step by step: every component, why it scored so, where it broke."""

    def action() -> int:
        import orjson

        from taskgate.explain import explain_run
        from taskgate.io import load_tasks
        from taskgate.report.explain import render_explanation

        task_map = load_tasks(str(tasks)) if tasks else None
        explanation = explain_run(runs, run_id, _load_config(config), task_map)
        if format is ExplainFormat.json:
            data = orjson.dumps(explanation.to_json(), option=orjson.OPT_INDENT_2)
            sys.stdout.write(data.decode() + "\n")
        else:
            _console(color=not no_color).print(render_explanation(explanation))
        return 0

    guarded(action)


@app.command()
def validate(runs: RunsArgument, config: ConfigOption = None, tasks: TasksOption = None) -> None:
    """Check records and config; list every problem with file:line. No scoring."""

    def action() -> int:
        from taskgate.errors import InputError, Problem
        from taskgate.io import RunReader, load_tasks

        _load_config(config)
        reader = RunReader(runs, load_tasks(str(tasks)) if tasks else None)
        records = [record.task_id for _, record in reader]
        total = len(records) + reader.invalid_lines
        if reader.problems:
            headline = (
                f"{runs}: {reader.invalid_lines} of {total} records are not valid run records"
            )
            raise InputError(reader.problems, headline=headline)
        if not records:  # as score does: a file with no runs is never fine
            raise InputError([Problem(runs, None, None, "no run records; nothing to judge")])
        count, tasks_seen = len(records), len(set(records))
        _console().print(
            f"{runs}: {count} run{'s' if count != 1 else ''} of {tasks_seen} "
            f"task{'s' if tasks_seen != 1 else ''}, no problems",
            markup=False,
        )
        return 0

    guarded(action)


@app.command()
def init(
    path: Annotated[Path, typer.Argument(help="Where to write the config.")] = Path(
        "taskgate.yaml"
    ),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented starter config."""

    def action() -> int:
        from taskgate.config import starter_config_text
        from taskgate.errors import TaskgateError
        from taskgate.io import write_atomic

        if path.exists() and not force:
            raise TaskgateError(f"{path} already exists; use --force to overwrite it")
        write_atomic(path, starter_config_text().encode())
        _console().print(f"wrote {path}; edit it, then run: taskgate score RUNS", markup=False)
        return 0

    guarded(action)


@app.command("import")
def import_(
    fmt: Annotated[
        str,
        typer.Argument(metavar="FORMAT", help="openai-messages, tau-bench, tau2 or otel."),
    ],
    inputs: Annotated[
        list[str], typer.Argument(metavar="INPUT...", help="Files to convert (- for stdin).")
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", metavar="FILE", help="Run records to write (.jsonl).")
    ],
    cohort: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--cohort", metavar="KEY=VALUE", help="Add to every run's cohort."),
    ] = None,
    keep_going: Annotated[
        bool,
        typer.Option(
            "--keep-going", help="Write the runs that converted even if some records could not."
        ),
    ] = False,
) -> None:
    """Convert other tools' trajectory files into run records."""

    def action() -> int:
        from taskgate.errors import InputError
        from taskgate.importers import import_files, write_records

        result = import_files(fmt, inputs, _cohort_pairs(cohort or []))
        errors = _console(stderr=True)
        for note in result.notes:
            errors.print(f"note: {note}", markup=False)
        if result.problems and not keep_going:
            headline = (
                f"{len(result.problems)} record(s) could not be converted; nothing was written. "
                "Fix them, or pass --keep-going to write the other runs"
            )
            raise InputError(result.problems, headline=headline)
        for problem in result.problems:
            errors.print(f"warning: skipped {problem}", markup=False)
        write_records(output, result.records)
        count = len(result.records)
        _console().print(
            f"wrote {count} run{'s' if count != 1 else ''} to {output}; "
            f"score them with: taskgate score {output}",
            markup=False,
        )
        return 0

    guarded(action)


def _cohort_pairs(pairs: list[str]) -> dict[str, str]:
    from taskgate.errors import InputError, Problem

    bad = [pair for pair in pairs if "=" not in pair]
    if bad:
        raise InputError(
            [Problem("--cohort", None, None, f"{pair!r} is not key=value") for pair in bad]
        )
    return dict(pair.split("=", 1) for pair in pairs)


class SchemaName(str, Enum):
    record = "record"
    config = "config"
    report = "report"


@app.command()
def schema(name: Annotated[SchemaName, typer.Argument(help="Which format.")]) -> None:
    """Print the JSON Schema of the run record, the config or the report."""

    def action() -> int:
        import orjson
        from pydantic import BaseModel

        from taskgate.config import Config
        from taskgate.models import RunRecord
        from taskgate.results import Report

        models: dict[str, type[BaseModel]] = {
            "record": RunRecord,
            "config": Config,
            "report": Report,
        }
        model = models[name.value]
        text = orjson.dumps(model.model_json_schema(), option=orjson.OPT_INDENT_2).decode()
        sys.stdout.write(text + "\n")
        return 0

    guarded(action)


def _version(value: bool) -> None:
    if value:
        from taskgate import __version__

        typer.echo(f"taskgate {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """A release gate for AI agents: score runs, compare cohorts, block bad releases."""


def main() -> None:
    app()
