"""The library: what each command does, as functions that return values.

read -> score -> aggregate -> compare -> gate; ``render`` turns a report into a format.
``taskgate`` re-exports the public names; each CLI command calls one of them.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

import orjson

from taskgate import __version__
from taskgate.aggregate.cohort_bounds import split_dimensions
from taskgate.aggregate.cohorts import (
    discover_dimensions,
    group_by_cohort,
    label_agreement,
    summarize_cohort,
    summarize_dimensions,
)
from taskgate.aggregate.tasks import task_summaries
from taskgate.compare.baseline import (
    baseline_ref,
    check_fingerprint,
    check_shared_tasks,
    compare_cohorts,
    load_report,
)
from taskgate.compare.coverage import coverage
from taskgate.config.load import config_fingerprint, default_config, load_config
from taskgate.config.model import Config
from taskgate.errors import InputError, Problem, TaskgateError
from taskgate.gate.evidence import Summaries
from taskgate.gate.findings import gated_metrics
from taskgate.gate.verdict import judge
from taskgate.importers.documents import refuse_documents
from taskgate.model.record import RESERVED_COHORT_KEYS, Task
from taskgate.model.report import Dataset, Report, RunResult
from taskgate.read.runs import Progress, RunReader, load_tasks
from taskgate.report import RENDERERS
from taskgate.scoring.breakdown import Explanation, explain_run
from taskgate.scoring.file import (
    ScoredRuns,
    collected,
    iter_scored,
    refuse_unjudgeable,
    score_file,
)
from taskgate.scoring.scorer import metric_names


def assemble(
    runs: list[RunResult],
    dataset: Dataset,
    dimensions: Sequence[str],
    config: Config,
    baseline: tuple[Report, str] | None = None,
    tasks: Mapping[str, Task] | Collection[str] | None = None,
) -> Report:
    """Aggregate scored runs per cohort, compare with the baseline if any, and judge.

    ``tasks``: the task ids of the tasks file, which the runs should cover as well."""
    metrics = metric_names(config)
    dimensions, wide = split_dimensions(runs, dimensions, config.gate.cohort_values)
    cohorts = [
        summarize_cohort(dimension, value, members, metrics, config.thresholds)
        for dimension, value, members in group_by_cohort(runs, dimensions)
    ]
    gate = config.gate
    summaries = Summaries(
        dataset=dataset,
        dimensions=[
            *summarize_dimensions(cohorts, gated_metrics(config), gate.min_cohort_size),
            *wide,
        ],
        cohorts=cohorts,
        coverage=coverage(runs, baseline[0] if baseline else None, tasks),
        tasks=task_summaries(
            runs,
            baseline[0].runs if baseline else None,
            gate.regression.alpha,
            [t for t, task in tasks.items() if task.must_pass]
            if isinstance(tasks, Mapping)
            else (),
        ),
        runs=runs,
        baseline=None,
    )
    if baseline is not None:
        compared = compare_cohorts(cohorts, runs, baseline[0], gate.regression)
        summaries = replace(
            summaries,
            cohorts=compared,
            baseline=baseline_ref(baseline[0], compared, baseline[1], runs),
        )
    return Report(
        taskgate_version=__version__,
        config_fingerprint=config_fingerprint(config),
        dataset=dataset,
        verdict=judge(summaries, config),
        dimensions=list(summaries.dimensions),
        cohorts=list(summaries.cohorts),
        baseline=summaries.baseline,
        coverage=summaries.coverage,
        labels=label_agreement(runs, metrics),
        tasks=list(summaries.tasks),
        runs=runs,
    )


def load_baseline(
    path: str | os.PathLike[str], config: Config, allow_config_change: bool
) -> tuple[Report, str]:
    report = load_report(Path(path))
    check_fingerprint(report, config_fingerprint(config), str(path), allow_config_change)
    return report, str(path)


def check_dimensions(
    asked: Sequence[str] | None, runs: Sequence[RunResult], source: str
) -> list[str]:
    """The dimensions asked for, each found in some run's cohort; else every key found."""
    known = discover_dimensions(runs)
    if not asked:
        return known
    asked = [unicodedata.normalize("NFC", name) for name in asked]  # as the runs' keys are
    reserved = [
        Problem(
            source,
            None,
            "cohort",
            f"--cohort {name}: {name!r} is always reported ({RESERVED_COHORT_KEYS[name]}); "
            "name keys of the runs' cohort objects",
        )
        for name in asked
        if name in RESERVED_COHORT_KEYS
    ]
    if reserved:
        raise InputError(reserved, headline="reserved cohort dimension: check --cohort")
    unknown = [name for name in asked if name not in known]
    if unknown:
        found = (
            ", ".join(known)
            if known
            else "none (the runs have no cohort keys; did the writer drop `cohort`?)"
        )
        problems = [
            Problem(
                source, None, "cohort", f"no run has the cohort key {name!r}; keys found: {found}"
            )
            for name in unknown
        ]
        raise InputError(problems, headline="unknown cohort dimension: check --cohort or cohorts:")
    return list(asked)


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
    if isinstance(baseline, Report):
        source = "<baseline report>"
        check_fingerprint(baseline, config_fingerprint(config), source, allow_config_change)
        return baseline, source
    return load_baseline(baseline, config, allow_config_change)


def _tasks(tasks: str | os.PathLike[str] | None) -> dict[str, Task] | None:
    return load_tasks(str(tasks)) if tasks is not None else None


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
        check_shared_tasks(base[0], scored.runs, base[1])
    return assemble(scored.runs, dataset_of(scored), dimensions, config, base, tasks)


def merged(parts: Sequence[ScoredRuns]) -> ScoredRuns:
    """Several parts as one: runs in part order, run ids unique across them."""
    seen: dict[str, int] = {}
    problems = []
    for index, part in enumerate(parts, 1):
        for run in part.runs:  # unique within a part: its reader saw to that
            first = seen.setdefault(run.run_id, index)
            if first != index:
                message = (
                    f"duplicate run_id {run.run_id!r} (also in part {first}); "
                    "run ids must be unique across the parts"
                )
                problems.append(Problem(part.source, None, "run_id", message))
    if problems:
        raise InputError(problems, headline="duplicate run ids across the parts")
    digest = hashlib.sha256("".join(part.sha256 for part in parts).encode("ascii"))
    return ScoredRuns(
        source=" + ".join(dict.fromkeys(part.source for part in parts)),
        runs=[run for part in parts for run in part.runs],
        invalid=sum(part.invalid for part in parts),
        problems=[problem for part in parts for problem in part.problems],
        sha256=digest.hexdigest(),
        unkept=sum(part.unkept for part in parts),
    )


def dataset_of(scored: ScoredRuns) -> Dataset:
    runs = scored.runs
    return Dataset(
        source=scored.source,
        runs=len(runs),
        invalid=scored.invalid,
        skipped=scored.skipped,
        underspecified=sum(run.underspecified for run in runs),
        underspecified_tasks=sorted({r.task_id for r in runs if r.underspecified}),
        final_step_only=sum(run.final_step_only for run in runs),
        unjudged=sum(run.passed is None for run in runs),
        unjudged_tasks=sorted({r.task_id for r in runs if r.passed is None}),
        infrastructure=sum(r.error_kind == "infrastructure" for r in runs),
        sha256=scored.sha256,
    )


def diff(
    baseline: Report | str | os.PathLike[str],
    candidate: Report | str | os.PathLike[str],
    *,
    config: ConfigLike = None,
    allow_config_change: bool = False,
) -> Report:
    """Gate a saved candidate report against a saved baseline, without re-scoring
    (``taskgate diff``). Both may be paths or Reports; options are ``score``'s."""
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
    return explain_run(str(runs), run_id, _config(config), _tasks(tasks))


Format = Literal["json", "jsonl", "md", "xml", "html"]
FORMATS: tuple[Format, ...] = ("json", "jsonl", "md", "xml", "html")


def render(report: Report, fmt: Format) -> str:
    """The report in one of the ``-o`` formats, by name: json, jsonl, md, xml, html."""
    if fmt not in FORMATS:
        raise TaskgateError(f"unknown format {fmt!r}; give one of: {', '.join(FORMATS)}")
    return RENDERERS[f".{fmt}"](report).decode("utf-8")
