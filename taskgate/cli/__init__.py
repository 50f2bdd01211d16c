"""The command line: parse arguments, call the library, print, exit.

This package is the only part of taskgate that imports typer or prints. Each
command runs inside one error boundary (``boundary.guarded``) that maps
taskgate's own errors to exit 2 with their message, Ctrl-C to 130, SIGTERM to
143, and any other exception (a bug) to exit 3 with the traceback saved to a file.
"""

from __future__ import annotations

from typing import Annotated

import typer

from taskgate.cli import gating, monitoring, tools

app = typer.Typer(
    name="taskgate",
    help="A release gate for AI agents: score runs, compare cohorts, block bad releases.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

# The commands, in the order --help lists them.
app.command()(gating.score)
app.command()(gating.diff)
app.command()(monitoring.monitor)
app.command()(tools.explain)
app.command()(tools.validate)
app.command()(tools.plan)
app.command()(tools.init)
app.command("import")(tools.import_)
app.command()(tools.schema)


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
