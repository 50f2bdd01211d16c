"""Rules -> findings -> verdict. No I/O: cohort summaries in, findings out."""

from __future__ import annotations

from collections.abc import Sequence

from taskgate.aggregate import ALL, BUDGET_DIMENSION
from taskgate.config import Config
from taskgate.results import CohortSummary, Dataset, Finding, Verdict

# The derived budget dimension is shown but never judged by status: its
# "true" cohort holds only runs that ran out of steps, red by construction.
_UNJUDGED_DIMENSIONS = frozenset({BUDGET_DIMENSION})


def label(cohort: CohortSummary) -> str:
    return ALL if cohort.dimension == ALL else f"{cohort.dimension}={cohort.value}"


def too_small(cohort: CohortSummary, config: Config) -> bool:
    """The whole dataset is always judged, however small: a gate that cannot judge does not pass."""
    return cohort.dimension != ALL and cohort.n < config.gate.min_cohort_size


def status_findings(cohorts: Sequence[CohortSummary], config: Config) -> list[Finding]:
    failing = {"red"} if config.gate.fail_on == "red" else {"red", "yellow"}
    found = []
    for cohort in cohorts:
        if cohort.dimension in _UNJUDGED_DIMENSIONS or too_small(cohort, config):
            continue
        for metric, summary in cohort.metrics.items():
            if summary.status in failing and summary.mean is not None:
                bands = config.thresholds[metric]  # type: ignore[index]
                limit = bands.yellow if summary.status == "red" else bands.green
                message = (
                    f"{label(cohort)}: {metric} mean {summary.mean:.3f} is {summary.status} "
                    f"(below {limit:.2f}) over {summary.n} runs"
                )
                found.append(
                    _finding("cohort_status", "fail", cohort, metric, summary.mean, limit, message)
                )
    return found


def small_cohort_findings(cohorts: Sequence[CohortSummary], config: Config) -> list[Finding]:
    level = config.gate.small_cohort.level
    if level == "off":
        return []
    minimum = config.gate.min_cohort_size
    return [
        _finding(
            "small_cohort",
            level,
            cohort,
            None,
            cohort.n,
            minimum,
            f"{label(cohort)}: {cohort.n} run{'s' if cohort.n != 1 else ''}, "
            f"fewer than min_cohort_size {minimum}; too small to judge",
        )
        for cohort in cohorts
        if cohort.dimension not in _UNJUDGED_DIMENSIONS and too_small(cohort, config)
    ]


def dataset_findings(dataset: Dataset, config: Config) -> list[Finding]:
    found = []
    if dataset.invalid:
        found.append(
            Finding(
                rule="invalid_runs",
                level="warn",
                observed=dataset.invalid,
                limit=config.gate.invalid_runs.max,
                message=f"{dataset.invalid} invalid lines skipped (gate.invalid_runs.max allows "
                f"{config.gate.invalid_runs.max}); they are listed above",
            )
        )
    rule = config.gate.underspecified
    share = dataset.underspecified / dataset.runs if dataset.runs else 0.0
    if rule.level != "off" and share > rule.max_share:
        found.append(
            Finding(
                rule="underspecified",
                level=rule.level,
                observed=round(share, 6),
                limit=rule.max_share,
                message=f"{dataset.underspecified} of {dataset.runs} runs are underspecified "
                "(their task has no expected result or no success criteria); add them",
            )
        )
    return found


def _finding(
    rule: str,
    level: str,
    cohort: CohortSummary,
    metric: str | None,
    observed: float,
    limit: float,
    message: str,
) -> Finding:
    return Finding.model_validate(
        {
            "rule": rule,
            "level": level,
            "dimension": cohort.dimension,
            "cohort": cohort.value,
            "metric": metric,
            "observed": observed,
            "limit": limit,
            "message": message,
        }
    )


def evaluate_gate(
    cohorts: Sequence[CohortSummary], dataset: Dataset, config: Config
) -> list[Finding]:
    findings = (
        status_findings(cohorts, config)
        + small_cohort_findings(cohorts, config)
        + dataset_findings(dataset, config)
    )
    return sorted(findings, key=lambda f: f.level != "fail")


def verdict(findings: list[Finding]) -> Verdict:
    failed = any(f.level == "fail" for f in findings)
    return Verdict(
        status="fail" if failed else "pass", exit_code=1 if failed else 0, findings=findings
    )
