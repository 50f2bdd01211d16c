"""The flow behind the public functions: scored runs aggregated per cohort and per task,
compared with the baseline, judged by the gate, and assembled into the report."""

from __future__ import annotations

import hashlib
import os
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

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
from taskgate.compare.coverage import coverage
from taskgate.config.load import config_fingerprint
from taskgate.config.model import Config
from taskgate.errors import InputError, Problem
from taskgate.gate.evidence import Summaries
from taskgate.gate.findings import gated_metrics
from taskgate.gate.verdict import judge
from taskgate.model.record import RESERVED_COHORT_KEYS, Task
from taskgate.model.report import Dataset, Report, RunResult
from taskgate.scoring.file import (
    ScoredRuns,
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
        from taskgate.compare.baseline import baseline_ref, compare_cohorts  # numpy

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
    from taskgate.compare.baseline import check_fingerprint, load_report  # numpy

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
        judged=sum(r.judged is not None for r in runs),
        sha256=scored.sha256,
    )
