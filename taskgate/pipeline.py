"""The main job as one library call: read -> score -> aggregate -> gate -> report."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from taskgate import __version__
from taskgate.aggregate import discover_dimensions, group_by_cohort, summarize_cohort
from taskgate.config import Config, config_fingerprint, default_config
from taskgate.gate import evaluate_gate, verdict
from taskgate.io import load_tasks
from taskgate.results import Dataset, Report
from taskgate.scoring import ScoredRuns, metric_names, score_file


def build_report(
    scored: ScoredRuns, config: Config, cohorts: Sequence[str] | None = None
) -> Report:
    """Aggregate scored runs per cohort and judge them."""
    dimensions = list(cohorts or config.cohorts or discover_dimensions(scored.runs))
    metrics = metric_names(config)
    summaries = [
        summarize_cohort(dimension, value, runs, metrics, config.thresholds)
        for dimension, value, runs in group_by_cohort(scored.runs, dimensions)
    ]
    dataset = Dataset(
        source=scored.source,
        runs=len(scored.runs),
        invalid=scored.invalid,
        underspecified=sum(run.underspecified for run in scored.runs),
        sha256=scored.sha256,
    )
    findings = evaluate_gate(summaries, dataset, config)
    return Report(
        taskgate_version=__version__,
        config_fingerprint=config_fingerprint(config),
        dataset=dataset,
        verdict=verdict(findings),
        dimensions=dimensions,
        cohorts=summaries,
        runs=scored.runs,
    )


def score(
    runs: str | Path,
    config: Config | None = None,
    tasks: str | Path | None = None,
    cohorts: Sequence[str] | None = None,
) -> Report:
    """Score a run file (path, ``.jsonl.gz`` or ``-``) and return the gated report."""
    config = config or default_config()
    task_map = load_tasks(str(tasks)) if tasks is not None else None
    return build_report(score_file(str(runs), config, task_map), config, cohorts)
