"""``monitor``: production samples summarised into a state file, the newest window judged."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Optional

import typer

from taskgate.cli.boundary import guarded, make_console
from taskgate.cli.options import (
    ConfigOption,
    NoColorOption,
    QuietOption,
    load_config_option,
)

if TYPE_CHECKING:
    from taskgate.model.monitor import MonitorReport
    from taskgate.model.report import RunResult
    from taskgate.report.events import EventWriter


def monitor(
    state: Annotated[
        Path,
        typer.Option(
            "--state",
            metavar="FILE",
            help="The state file of window summaries: read, added to, written atomically "
            "(created when absent).",
        ),
    ],
    runs: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Argument(
            metavar="RUNS...",
            help="Production run records: .jsonl or .jsonl.gz files (a day's sample each), "
            "or - for stdin; may be left out with --merge.",
            show_default=False,
        ),
    ] = None,
    window: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--window",
            metavar="SIZE",
            help="Window size: 1h, 6h, 1d or 7d, in UTC (default: the state's; 1d for a new one).",
        ),
    ] = None,
    config: ConfigOption = None,
    output: Annotated[
        Optional[list[Path]],  # noqa: UP045
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write the report; format by name: .json .md .html .xml, or .jsonl for the "
            "evaluation events of the runs read.",
        ),
    ] = None,
    now: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--now",
            metavar="TIME",
            help="Judge as if it were this RFC 3339 time (default: the clock); the windows "
            "that ended by then are complete.",
        ),
    ] = None,
    merge: Annotated[
        Optional[list[Path]],  # noqa: UP045
        typer.Option(
            "--merge",
            metavar="FILE",
            help="Another state file (a partition summarised elsewhere) whose summaries to add "
            "(repeatable).",
        ),
    ] = None,
    allow_config_change: Annotated[
        bool,
        typer.Option(
            "--allow-config-change",
            help="Add to a state summarised under another evaluator config.",
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
    quiet: QuietOption = False,
    no_color: NoColorOption = False,
) -> None:
    """Summarise production runs per window and cohort; alert on drift. Exit 1 on a fail alert."""

    def action() -> int:
        from taskgate.monitor.run import MonitorOptions
        from taskgate.monitor.run import monitor as run_monitor
        from taskgate.output import refuse_overwriting_inputs, write_all_atomic
        from taskgate.report import monitor_renderer_for
        from taskgate.report.events import EventWriter

        outputs = output or []
        sources = runs or []
        renderers = [(path, monitor_renderer_for(path)) for path in outputs]
        _refuse_bad_arguments(sources, window, bool(merge))
        _refuse_output_as_state(outputs, state)
        refuse_overwriting_inputs([*outputs, state], [*sources, config, *(merge or [])])
        refuse_overwriting_inputs(outputs, [state])
        settings = load_config_option(config)
        events = any(render is None for _, render in renderers)
        with tempfile.TemporaryFile() if events else nullcontext(None) as spool:
            options = MonitorOptions(
                now=_now(now),
                window=window,
                merge=merge or (),
                allow_config_change=allow_config_change,
                workers=workers,
                events=None if spool is None else _sink(spool, EventWriter(settings)),
            )
            report = run_monitor(sources, state, settings, options)
            files: list[tuple[Path, bytes | Iterator[bytes]]] = [
                (path, _chunks(spool) if render is None else render(report))
                for path, render in renderers
            ]
            write_all_atomic(files)  # all or none
        return _show(report, bool(outputs), quiet, not no_color)

    guarded(action)


def _refuse_bad_arguments(runs: list[str], window: str | None, merging: bool) -> None:
    from taskgate.errors import TaskgateError
    from taskgate.monitor.windows import WINDOWS

    if not runs and not merging:
        raise TaskgateError(
            "RUNS: no runs given; give run files (or - for stdin), or --merge a state file"
        )
    if window is not None and window not in WINDOWS:
        raise TaskgateError(
            f"--window {window}: not a window size; give one of: {', '.join(WINDOWS)}"
        )
    if runs.count("-") > 1:
        raise TaskgateError("RUNS: - (standard input) is given more than once; give it once")
    repeated = sorted({source for source in runs if source != "-" and runs.count(source) > 1})
    if repeated:
        raise TaskgateError(f"RUNS: {repeated[0]} is given more than once; give each file once")


def _refuse_output_as_state(outputs: list[Path], state: Path) -> None:
    """An output named as the state, which may not exist yet, would replace it."""
    from taskgate.errors import TaskgateError

    for path in outputs:
        same = path.exists() and state.exists() and path.samefile(state)  # a link to it
        if path.absolute() == state.absolute() or same:
            raise TaskgateError(
                f"-o {path}: that is the --state file, which the report would replace; give "
                "another file name for -o"
            )


def _now(value: str | None) -> datetime:
    if value is None:
        return datetime.now(timezone.utc)
    from taskgate.errors import TaskgateError
    from taskgate.model.record import rfc3339

    try:
        return rfc3339(value)
    except ValueError as error:
        raise TaskgateError(f"--now {value}: {error}") from None


def _sink(handle: IO[bytes], writer: EventWriter) -> Callable[[RunResult], None]:
    def write(run: RunResult) -> None:
        handle.write(writer.line(run))

    return write


def _chunks(spool: IO[bytes] | None) -> Iterator[bytes]:
    assert spool is not None, "the events file is written only with its spool"
    spool.seek(0)
    while chunk := spool.read(1 << 20):
        yield chunk


def _show(report: MonitorReport, to_files: bool, quiet: bool, color: bool) -> int:
    from taskgate.report.monitor_terminal import (
        render_monitor_summary,
        render_monitor_terminal,
        status_line,
    )

    console = make_console(color=color)
    if quiet:
        console.print(status_line(report))
    elif to_files:
        console.print(render_monitor_summary(report))
    else:
        console.print(render_monitor_terminal(report))
    return report.exit_code
