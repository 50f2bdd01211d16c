"""The main job as library calls: read -> score -> aggregate -> compare -> gate -> report."""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Mapping, Sequence
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
from taskgate.config.model import Config, config_fingerprint, default_config
from taskgate.errors import InputError, Problem
from taskgate.gate.rules import gated_metrics
from taskgate.gate.verdict import evaluate_gate, rule_levels, verdict
from taskgate.importers.documents import refuse_documents
from taskgate.model.record import RESERVED_COHORT_KEYS, Task
from taskgate.model.report import Dataset, Report, RunResult, Verdict
from taskgate.read.runs import Progress, load_tasks
from taskgate.score.file import score_file
from taskgate.score.scorer import metric_names

_UNDECIDED = Verdict(status="fail", exit_code=1, findings=[])


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
    gated = gated_metrics(config)
    report = Report(
        taskgate_version=__version__,
        config_fingerprint=config_fingerprint(config),
        dataset=dataset,
        verdict=_UNDECIDED,
        dimensions=[
            *summarize_dimensions(cohorts, gated, config.gate.min_cohort_size),
            *wide,
        ],
        cohorts=cohorts,
        labels=label_agreement(runs, metrics),
        coverage=coverage(runs, baseline[0] if baseline else None, tasks),
        tasks=task_summaries(
            runs,
            baseline[0].runs if baseline else None,
            config.gate.regression.alpha,
            [t for t, task in tasks.items() if task.must_pass]
            if isinstance(tasks, Mapping)
            else (),
        ),
        runs=runs,
    )
    if baseline is not None:
        report = _with_baseline(report, config, *baseline)
    judged = verdict(evaluate_gate(report, config), rule_levels(config))
    return report.model_copy(update={"verdict": judged})


def _with_baseline(report: Report, config: Config, baseline: Report, source: str) -> Report:
    from taskgate.compare.baseline import baseline_ref, compare_cohorts

    cohorts = compare_cohorts(report.cohorts, report.runs, baseline, config.gate.regression)
    return report.model_copy(
        update={
            "cohorts": cohorts,
            "baseline": baseline_ref(baseline, cohorts, source, report.runs),
        }
    )


def load_baseline(
    path: str | Path, config: Config, allow_config_change: bool
) -> tuple[Report, str]:
    from taskgate.compare.baseline import check_fingerprint, load_report

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


def score(
    runs: str | Path,
    config: Config | None = None,
    tasks: str | Path | None = None,
    cohorts: Sequence[str] | None = None,
    baseline: str | Path | None = None,
    allow_config_change: bool = False,
    progress: Progress | None = None,
    workers: int | None = None,
) -> Report:
    """Score a run file (path, ``.jsonl.gz`` or ``-``) and return the gated report.

    ``progress`` is told the size in bytes of each line read; ``workers`` processes score
    (None: one per core when the file is large). The report is the same either way.
    """
    config = config or default_config()
    base = load_baseline(baseline, config, allow_config_change) if baseline else None
    task_map = load_tasks(str(tasks)) if tasks is not None else None
    refuse_documents(str(runs))
    scored = score_file(str(runs), config, task_map, progress, workers)
    dataset = Dataset(
        source=scored.source,
        runs=len(scored.runs),
        invalid=scored.invalid,
        skipped=[str(problem) for problem in scored.problems],
        underspecified=sum(run.underspecified for run in scored.runs),
        underspecified_tasks=sorted({r.task_id for r in scored.runs if r.underspecified}),
        final_step_only=sum(run.final_step_only for run in scored.runs),
        unjudged=sum(run.passed is None for run in scored.runs),
        unjudged_tasks=sorted({r.task_id for r in scored.runs if r.passed is None}),
        infrastructure=sum(r.error_kind == "infrastructure" for r in scored.runs),
        sha256=scored.sha256,
    )
    dimensions = check_dimensions(cohorts or config.cohorts, scored.runs, scored.source)
    if base is not None:
        from taskgate.compare.baseline import check_shared_tasks

        check_shared_tasks(base[0], scored.runs, base[1])
    return assemble(scored.runs, dataset, dimensions, config, base, task_map)


def diff(
    baseline: str | Path,
    candidate: str | Path,
    config: Config | None = None,
    allow_config_change: bool = False,
) -> Report:
    """Gate a saved candidate report against a saved baseline report, without re-scoring."""
    from taskgate.compare.baseline import check_fingerprint, check_shared_tasks, load_report

    config = config or default_config()
    base = load_baseline(baseline, config, allow_config_change)
    later = load_report(Path(candidate))
    check_fingerprint(
        later, config_fingerprint(config), str(candidate), allow_config_change, "candidate report"
    )
    if not later.runs:
        message = (
            "the candidate report has no runs, so there is nothing to gate; "
            "write it again with taskgate score -o"
        )
        raise InputError([Problem(str(candidate), None, "runs", message)])
    names = [d.name for d in later.dimensions]
    check_shared_tasks(base[0], later.runs, base[1])
    return assemble(later.runs, later.dataset, names, config, base)
