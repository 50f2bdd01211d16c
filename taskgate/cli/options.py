"""The options and arguments several commands share."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

if TYPE_CHECKING:
    from taskgate.config.model import Config

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
        "--output",
        "-o",
        metavar="FILE",
        help="Write the report; format by name: .json .jsonl .md .xml .html.",
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
NoJudgeOption = Annotated[
    bool,
    typer.Option(
        "--no-judge",
        help="Score with the rules alone, though the config sets a judge (its cache "
        "unread, the config fingerprint as without one).",
    ),
]
RunsArgument = Annotated[
    str,
    typer.Argument(metavar="RUNS", help="Run records: a .jsonl or .jsonl.gz file, or - for stdin."),
]


def load_config_option(path: Path | None) -> Config:
    from taskgate.config.load import default_config, load_config, resolve_config_path

    # Relative to ".", so messages name ./taskgate.yaml as the user knows it.
    resolved = resolve_config_path(path, Path("."))
    return load_config(resolved) if resolved is not None else default_config()


def without_judge(config: Config, no_judge: bool) -> Config:
    """The config as ``--no-judge`` leaves it: the rules alone decide."""
    return config.model_copy(update={"judge": None}) if no_judge else config
