"""The other commands: explain, validate, init, import and schema."""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from taskgate.cli.boundary import guarded, make_console
from taskgate.cli.options import (
    ConfigOption,
    NoColorOption,
    NoJudgeOption,
    RunsArgument,
    TasksOption,
    load_config_option,
    without_judge,
)


class ExplainFormat(str, Enum):
    text = "text"
    json = "json"


def explain(
    runs: RunsArgument,
    run_id: Annotated[str, typer.Argument(help="The run_id of the run to explain.")],
    config: ConfigOption = None,
    tasks: TasksOption = None,
    format: Annotated[
        ExplainFormat, typer.Option("--format", help="text for people, json for machines.")
    ] = ExplainFormat.text,
    no_color: NoColorOption = False,
    no_judge: NoJudgeOption = False,
) -> None:
    """One run, step by step: every component, why it scored so, where it broke."""

    def action() -> int:
        import orjson

        from taskgate.api import load_task_file
        from taskgate.report.explain import render_explanation
        from taskgate.scoring.breakdown import explain_run

        task_map = load_task_file(str(tasks)) if tasks else None
        settings = without_judge(load_config_option(config), no_judge)
        explanation = explain_run(runs, run_id, settings, task_map)
        if format is ExplainFormat.json:
            data = orjson.dumps(explanation.to_json(), option=orjson.OPT_INDENT_2)
            sys.stdout.write(data.decode() + "\n")
        else:
            make_console(color=not no_color).print(render_explanation(explanation))
        return 0

    guarded(action, product_on_stdout=True)


def validate(runs: RunsArgument, config: ConfigOption = None, tasks: TasksOption = None) -> None:
    """Check records and config; list every problem with file:line. No scoring."""

    def action() -> int:
        from taskgate.api import load_task_file
        from taskgate.errors import InputError, Problem
        from taskgate.importers.documents import refuse_documents
        from taskgate.model.record import task_digest
        from taskgate.read.runs import RunReader
        from taskgate.scoring.record_warnings import (
            definition_warnings,
            file_warnings,
            record_warnings,
            unjudged_task,
        )

        load_config_option(config)
        refuse_documents(runs)
        task_map = load_task_file(str(tasks)) if tasks else None
        reader = RunReader(runs, task_map)
        records, warnings = [], []
        unjudged: dict[str, int] = {}
        definitions: dict[str, dict[str | None, int]] = {}
        for line, record in reader:
            records.append(record.task_id)
            warnings += record_warnings(runs, line, record)
            definitions.setdefault(record.task_id, {}).setdefault(task_digest(record.task), line)
            if unjudged_task(record):
                unjudged[record.task_id] = unjudged.get(record.task_id, 0) + 1
        warnings += file_warnings(runs, unjudged, task_map, records)
        warnings += definition_warnings(runs, definitions)
        errors = make_console(stderr=True)
        for warning in warnings:
            errors.print(f"warning: {warning}", markup=False)
        total = len(records) + reader.invalid_lines
        if reader.problems:
            headline = (
                f"{runs}: {reader.invalid_lines} of {total} records are not valid run records"
            )
            raise InputError(reader.problems, headline=headline, unkept=reader.unkept)
        if not records:  # as score does: a file with no runs is never fine
            raise InputError([Problem(runs, None, None, "no run records; nothing to judge")])
        count, tasks_seen = len(records), len(set(records))
        make_console().print(
            f"{runs}: {count} run{'s' if count != 1 else ''} of {tasks_seen} "
            f"task{'s' if tasks_seen != 1 else ''}, no problems"
            + (
                f" ({len(warnings)} warning{'s' if len(warnings) != 1 else ''})" if warnings else ""
            ),
            markup=False,
        )
        return 0

    guarded(action)


def init(
    path: Annotated[Path, typer.Argument(help="Where to write the config.")] = Path(
        "taskgate.yaml"
    ),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented starter config."""

    def action() -> int:
        from taskgate.config.load import starter_config_text
        from taskgate.errors import TaskgateError
        from taskgate.output import write_atomic

        if path.exists() and not force:
            raise TaskgateError(f"{path} already exists; use --force to overwrite it")
        write_atomic(path, starter_config_text().encode())
        make_console().print(f"wrote {path}; edit it, then run: taskgate score RUNS", markup=False)
        return 0

    guarded(action)


def import_(
    fmt: Annotated[
        str,
        typer.Argument(
            metavar="FORMAT",
            help="openai-messages, tau-bench, tau2, otel, langchain, claude-agent, "
            "openai-agents, atif, or adk-evalset (a tasks file).",
        ),
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
    """Convert other tools' trajectory files into run records (or eval sets into tasks)."""

    def action() -> int:
        from taskgate.importers import TASK_FORMATS, import_files, write_records
        from taskgate.output import refuse_overwriting_inputs

        refuse_overwriting_inputs([output], list(inputs))
        if fmt in TASK_FORMATS:
            return _import_tasks(fmt, inputs, output, cohort, keep_going)
        result = import_files(fmt, inputs, _cohort_pairs(cohort or []))
        _say_problems(result.notes, result.problems, keep_going, "record(s)", "runs")
        write_records(output, result.records)
        count = len(result.records)
        make_console().print(
            f"wrote {count} run{'s' if count != 1 else ''} to {output}; "
            f"score them with: taskgate score {output}",
            markup=False,
        )
        return 0

    guarded(action)


def _say_problems(
    notes: list[str], problems: list[Any], keep_going: bool, what: str, kept: str
) -> None:
    """Print the notes; refuse the import when something could not be converted, unless
    ``--keep-going``, which prints each as a warning."""
    from taskgate.errors import InputError

    errors = make_console(stderr=True)
    for note in notes:
        errors.print(f"note: {note}", markup=False)
    if problems and not keep_going:
        headline = (
            f"{len(problems)} {what} could not be converted; nothing was written. "
            f"Fix them, or pass --keep-going to write the other {kept}"
        )
        raise InputError(problems, headline=headline)
    for problem in problems:
        errors.print(f"warning: skipped {problem}", markup=False)


def _import_tasks(
    fmt: str, inputs: list[str], output: Path, cohort: list[str] | None, keep_going: bool
) -> int:
    from taskgate.errors import InputError, Problem
    from taskgate.importers import import_task_files, write_tasks

    if cohort:
        message = f"{fmt} holds tasks, not runs, so there is no cohort to add; drop --cohort"
        raise InputError([Problem("--cohort", None, None, message)])
    found = import_task_files(fmt, inputs)
    _say_problems(found.notes, found.problems, keep_going, "eval case(s)", "tasks")
    write_tasks(output, found.tasks)
    count = len(found.tasks)
    make_console().print(
        f"wrote {count} task{'s' if count != 1 else ''} to {output}; score runs against them "
        f"with: taskgate score RUNS --tasks {output}",
        markup=False,
    )
    return 0


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
    monitor = "monitor"


def schema(name: Annotated[SchemaName, typer.Argument(help="Which format.")]) -> None:
    """Print the JSON Schema of the run record, the config, the report or the monitor's
    report."""

    def action() -> int:
        import orjson

        from taskgate.config.schema import config_schema
        from taskgate.model.monitor import MonitorReport
        from taskgate.model.record import RunRecord
        from taskgate.model.report import Report

        schemas: dict[str, Callable[[], dict[str, Any]]] = {
            "record": RunRecord.model_json_schema,
            "config": config_schema,
            "report": Report.model_json_schema,
            "monitor": MonitorReport.model_json_schema,
        }
        text = orjson.dumps(schemas[name.value](), option=orjson.OPT_INDENT_2).decode()
        sys.stdout.write(text + "\n")
        return 0

    guarded(action, product_on_stdout=True)


class PlanFormat(str, Enum):
    text = "text"
    json = "json"


def plan(
    baseline: Annotated[Path, typer.Argument(help="A JSON report (taskgate score -o).")],
    drop: Annotated[
        Optional[float],  # noqa: UP045 - typer reads the annotation at run time
        typer.Option("--drop", help="The drop to catch; default gate.regression.max_drop."),
    ] = None,
    power: Annotated[
        Optional[float],  # noqa: UP045
        typer.Option("--power", help="The chance of catching it; default gate.regression.power."),
    ] = None,
    alpha: Annotated[
        Optional[float],  # noqa: UP045
        typer.Option("--alpha", help="One-sided level; default gate.regression.alpha."),
    ] = None,
    metric: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--metric", help="Default: the first of gate.regression.metrics."),
    ] = None,
    config: ConfigOption = None,
    format: Annotated[
        PlanFormat, typer.Option("--format", help="text for people, json for machines.")
    ] = PlanFormat.text,
) -> None:
    """How many tasks and trials a gate needs to catch a drop, from a baseline's own noise."""

    def action() -> int:
        import orjson

        from taskgate.compare.baseline import load_report
        from taskgate.compare.plan import check_plan_options, plan, render_plan

        settings_of = load_config_option(config)
        rule = settings_of.gate.regression
        settings = check_plan_options(
            drop if drop is not None else rule.max_drop,
            power if power is not None else rule.power,
            alpha if alpha is not None else rule.alpha,
            metric or rule.metrics[0],
            [plugin.name for plugin in settings_of.evaluators.plugins],
        )
        result = plan(load_report(baseline), *settings, source=str(baseline))
        if format is PlanFormat.json:
            sys.stdout.write(orjson.dumps(result.to_json(), option=orjson.OPT_INDENT_2).decode())
            sys.stdout.write("\n")
        else:
            sys.stdout.write(render_plan(result, str(baseline)))
        return 0

    guarded(action, product_on_stdout=True)
