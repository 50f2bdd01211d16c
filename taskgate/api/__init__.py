"""The library: what each command does, as functions that return values.

read -> score -> aggregate -> compare -> gate; ``render`` turns a report into a format.
``taskgate`` re-exports the public names; each CLI command calls one of them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import orjson

from taskgate.api.pipeline import (
    assemble,
    check_dimensions,
    dataset_of,
    load_baseline,
    merged,
)
from taskgate.config.load import config_fingerprint, default_config, load_config
from taskgate.config.model import Config
from taskgate.errors import InputError, Problem, TaskgateError
from taskgate.model.record import Task
from taskgate.model.report import Report
from taskgate.read.runs import Progress, RunReader, load_tasks
from taskgate.scoring.file import (
    ScoredRuns,
    collected,
    iter_scored,
    refuse_unjudgeable,
    score_file,
)

if TYPE_CHECKING:
    from taskgate.model.monitor import MonitorReport
    from taskgate.monitor.summary import WindowSummary
    from taskgate.scoring.breakdown import Explanation

ConfigLike = Config | str | os.PathLike[str] | None
"""A Config, the path of a YAML config, or None for the built-in defaults."""
BaselineLike = Report | str | os.PathLike[str] | None
"""A saved JSON report, or its path."""


def _config(config: ConfigLike) -> Config:
    if config is None:
        return default_config()
    return config if isinstance(config, Config) else load_config(Path(config))


def _baseline(
    baseline: BaselineLike, config: Config, allow_config_change: bool
) -> tuple[Report, str] | None:
    return None if baseline is None else _saved(baseline, config, allow_config_change)


def _saved(
    baseline: Report | str | os.PathLike[str], config: Config, allow_config_change: bool
) -> tuple[Report, str]:
    from taskgate.compare.baseline import check_fingerprint  # numpy: only with a baseline

    if isinstance(baseline, Report):
        source = "<baseline report>"
        check_fingerprint(baseline, config_fingerprint(config), source, allow_config_change)
        return baseline, source
    return load_baseline(baseline, config, allow_config_change)


def _tasks(tasks: str | os.PathLike[str] | None) -> dict[str, Task] | None:
    return load_task_file(str(tasks)) if tasks is not None else None


def load_task_file(path: str) -> dict[str, Task]:
    """A tasks file's tasks by id; an eval set still to convert is named as such."""
    from taskgate.importers.documents import refuse_task_documents

    refuse_task_documents(path)
    return load_tasks(path)


def score(
    runs: str | os.PathLike[str],
    *,
    config: ConfigLike = None,
    tasks: str | os.PathLike[str] | None = None,
    baseline: BaselineLike = None,
    cohorts: Sequence[str] | None = None,
    allow_config_change: bool = False,
    progress: Progress | None = None,
    workers: int | None = None,
) -> Report:
    """Score a run file and return the gated report (``taskgate score``).

    Args:
        runs: a JSONL file, a ``.jsonl.gz`` one, or ``"-"`` for standard input.
        config: a Config, a YAML path, or None for the defaults (unlike the CLI, the
            library does not look for ``taskgate.yaml`` in the working directory).
        tasks: a tasks file, joined to runs without a ``task`` on ``task_id``.
        baseline: a saved report (or its path) to compare each cohort with.
        cohorts: the cohort dimensions to break down by; default the config's, else
            every key the runs' ``cohort`` objects have.
        allow_config_change: compare with a baseline scored under another config.
        progress: told the size in bytes of each line read.
        workers: processes that score (None: one per core for inputs over 8 MB); the
            report is the same whatever their number.

    Raises:
        InputError: the runs, tasks or baseline cannot be judged (the CLI's exit 2).
        ConfigError: the config is not valid.
    """
    settings = _config(config)
    base = _baseline(baseline, settings, allow_config_change)
    task_map = _tasks(tasks)
    from taskgate.importers.documents import refuse_documents  # other tools' files, named

    refuse_documents(str(runs))
    scored = score_file(str(runs), settings, task_map, progress, workers)
    return _gated([scored], settings, cohorts, base, task_map)


def score_runs(
    records: Iterable[Mapping[str, Any]],
    *,
    config: ConfigLike = None,
    tasks: str | os.PathLike[str] | None = None,
    source: str = "<records>",
) -> ScoredRuns:
    """Score run records given as dicts (one partition of a larger set, say), not gated.

    The result is small and picklable: bring the parts together and gate them with
    ``gate_runs``, which judges whether there are runs enough. A record that is not a valid
    run is counted and its problems kept, as a line of a file would be (``gate_runs``
    refuses more than ``gate.invalid_runs.max`` of them, over all the parts); ``source``
    names the records in those messages, which give each record's position from 1 as its
    line. No records make an empty part, not an error.
    """
    settings = _config(config)
    reader = RunReader(source, _tasks(tasks))
    lines = reader.lines_of(_encoded(records, source))
    return collected(reader, list(iter_scored(reader, settings, 1, lines)))


def _encoded(records: Iterable[Mapping[str, Any]], source: str) -> Iterator[bytes]:
    for number, record in enumerate(records, 1):
        try:
            yield orjson.dumps(record) + b"\n"
        except TypeError as exc:
            message = f"cannot be written as JSON ({exc}); give JSON values only"
            raise InputError([Problem(source, number, None, message)]) from None


def gate_runs(
    parts: ScoredRuns | Sequence[ScoredRuns],
    *,
    config: ConfigLike = None,
    cohorts: Sequence[str] | None = None,
    baseline: BaselineLike = None,
    tasks: str | os.PathLike[str] | None = None,
    allow_config_change: bool = False,
) -> Report:
    """Aggregate, compare and gate scored runs, from one part or several.

    Parts are taken in the order given; their run ids must be unique across all of
    them. ``dataset.sha256`` of several parts digests their digests in order. ``tasks``
    (a tasks file) names the tasks the runs should cover. The options are ``score``'s.
    """
    settings = _config(config)
    base = _baseline(baseline, settings, allow_config_change)
    listed = [parts] if isinstance(parts, ScoredRuns) else list(parts)
    return _gated(listed, settings, cohorts, base, _tasks(tasks))


def score_records(
    records: Iterable[Mapping[str, Any]],
    *,
    config: ConfigLike = None,
    tasks: str | os.PathLike[str] | None = None,
    cohorts: Sequence[str] | None = None,
    baseline: BaselineLike = None,
    allow_config_change: bool = False,
    source: str = "<records>",
) -> Report:
    """Score, aggregate and gate run records given as dicts: ``score`` without a file.

    The report is the one ``score`` gives for a file holding the records one per line
    as compact JSON (``dataset.sha256`` digests those lines), named ``source``. Options
    are ``score``'s.
    """
    settings = _config(config)
    base = _baseline(baseline, settings, allow_config_change)
    scored = score_runs(records, config=settings, tasks=tasks, source=source)
    return _gated([scored], settings, cohorts, base, _tasks(tasks))


def _gated(
    parts: list[ScoredRuns],
    config: Config,
    cohorts: Sequence[str] | None,
    base: tuple[Report, str] | None,
    tasks: dict[str, Task] | None,
) -> Report:
    if not parts:
        raise InputError([Problem("<records>", None, None, "no parts given; nothing to judge")])
    scored = parts[0] if len(parts) == 1 else merged(parts)
    refuse_unjudgeable(scored, config.gate.invalid_runs.max)
    dimensions = check_dimensions(cohorts or config.cohorts, scored.runs, scored.source)
    if base is not None:
        from taskgate.compare.baseline import check_shared_tasks

        check_shared_tasks(base[0], scored.runs, base[1])
    return assemble(scored.runs, dataset_of(scored), dimensions, config, base, tasks)


def diff(
    baseline: Report | str | os.PathLike[str],
    candidate: Report | str | os.PathLike[str],
    *,
    config: ConfigLike = None,
    allow_config_change: bool = False,
) -> Report:
    """Gate a saved candidate report against a saved baseline, without re-scoring
    (``taskgate diff``). Both may be paths or Reports; options are ``score``'s."""
    from taskgate.compare.baseline import check_fingerprint, check_shared_tasks, load_report

    settings = _config(config)
    base = _saved(baseline, settings, allow_config_change)
    if isinstance(candidate, Report):
        later, source = candidate, "<candidate report>"
    else:
        later, source = load_report(Path(candidate)), str(candidate)
    check_fingerprint(
        later, config_fingerprint(settings), source, allow_config_change, "candidate report"
    )
    if not later.runs:
        message = (
            "the candidate report has no runs, so there is nothing to gate; "
            "write it again with taskgate score -o"
        )
        raise InputError([Problem(source, None, "runs", message)])
    names = [d.name for d in later.dimensions]
    check_shared_tasks(base[0], later.runs, base[1])
    return assemble(later.runs, later.dataset, names, settings, base)


def explain(
    runs: str | os.PathLike[str],
    run_id: str,
    *,
    config: ConfigLike = None,
    tasks: str | os.PathLike[str] | None = None,
) -> Explanation:
    """One run, step by step (``taskgate explain``): every component's score and reason,
    the checks, and the step where it went wrong."""
    from taskgate.scoring.breakdown import explain_run

    return explain_run(str(runs), run_id, _config(config), _tasks(tasks))


Format = Literal["json", "jsonl", "md", "xml", "html"]
FORMATS: tuple[Format, ...] = ("json", "jsonl", "md", "xml", "html")


def render(report: Report, fmt: Format) -> str:
    """The report in one of the ``-o`` formats, by name: json, jsonl, md, xml, html."""
    if fmt not in FORMATS:
        raise TaskgateError(f"unknown format {fmt!r}; give one of: {', '.join(FORMATS)}")
    from taskgate.report import RENDERERS

    return RENDERERS[f".{fmt}"](report).decode("utf-8")


def summarise(
    runs: str | os.PathLike[str] | Iterable[Mapping[str, Any]],
    *,
    config: ConfigLike = None,
    window: str = "1d",
    source: str = "<records>",
) -> list[WindowSummary]:
    """Score production runs and summarise them per window and cohort, as ``monitor``
    adds them to its state: one partition's share, to be written with ``write_state``
    and merged with ``taskgate monitor --merge``.

    ``runs`` is a file (``.jsonl``, ``.jsonl.gz`` or ``-``) or run records as dicts,
    named ``source`` in messages. Every run needs ``started_at``. Summaries hold whole
    numbers only, so those of several partitions add up exactly to one machine's.
    """
    from taskgate.monitor.run import summarise as summarise_runs
    from taskgate.monitor.windows import WINDOWS

    if window not in WINDOWS:
        raise TaskgateError(
            f"window {window}: not a window size; give one of: {', '.join(WINDOWS)}"
        )
    settings = _config(config)
    if isinstance(runs, (str, os.PathLike)):
        return summarise_runs(str(runs), settings, window).summaries
    lines = _encoded(runs, source)
    return summarise_runs(source, settings, window, lines=lines).summaries


def write_state(
    path: str | os.PathLike[str], summaries: Sequence[WindowSummary], *, window: str = "1d"
) -> None:
    """Write ``summaries`` as a new monitor state file at ``path`` (replacing the file,
    atomically), for ``taskgate monitor --merge`` or ``monitor(merge=...)`` to add."""
    from taskgate.monitor.state import State, save_state

    other = sorted({summary.window for summary in summaries} - {window})
    if other:
        raise TaskgateError(
            f"{path}: summaries of {', '.join(other)} windows cannot go in a {window} state; "
            "give window= their size"
        )
    save_state(State(Path(path), window), list(summaries), always=True)


def monitor_runs(
    runs: Sequence[str | os.PathLike[str]],
    *,
    state: str | os.PathLike[str],
    config: ConfigLike = None,
    window: str | None = None,
    now: datetime | None = None,
    merge: Sequence[str | os.PathLike[str]] = (),
    allow_config_change: bool = False,
) -> MonitorReport:
    """What ``taskgate monitor`` does: add ``runs`` (and the states in ``merge``) to the
    state file and judge the newest window complete by ``now`` (default: the clock)."""
    from datetime import timezone

    from taskgate.monitor.run import MonitorOptions
    from taskgate.monitor.run import monitor as run_monitor

    if now is not None and now.utcoffset() is None:
        raise TaskgateError(
            f"now={now.isoformat()}: a datetime without a time zone names no instant; give "
            "one with tzinfo (datetime.now(timezone.utc), say)"
        )
    options = MonitorOptions(
        now=now or datetime.now(timezone.utc),
        window=window,
        merge=[Path(path) for path in merge],
        allow_config_change=allow_config_change,
    )
    return run_monitor([str(path) for path in runs], Path(state), _config(config), options)
