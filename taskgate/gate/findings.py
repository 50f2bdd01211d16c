"""What every rule shares: how a finding is made, which cohorts are judged, how they are named.

A cohort too small to judge is never judged by a cohort rule (the small_cohort rule says so
instead); the whole dataset, ``all``, is always judged.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from taskgate.aggregate.cohorts import ALL, BUDGET_DIMENSION
from taskgate.config.model import Config
from taskgate.model.names import PASS_RATE
from taskgate.model.report import CohortSummary, Finding

# The derived budget dimension is shown but never judged: its "true" cohort
# holds only runs that ran out of steps, red by construction.
UNJUDGED = frozenset({BUDGET_DIMENSION})


def runs_text(count: int) -> str:
    return f"{count} run{'s' if count != 1 else ''}"


def label(cohort: CohortSummary) -> str:
    return ALL if cohort.dimension == ALL else f"{cohort.dimension}={cohort.value}"


def too_small(cohort: CohortSummary, config: Config) -> bool:
    return cohort.dimension != ALL and cohort.n < config.gate.min_cohort_size


def judged(cohorts: Sequence[CohortSummary], config: Config) -> Iterator[CohortSummary]:
    return (c for c in cohorts if c.dimension not in UNJUDGED and not too_small(c, config))


def finding(
    rule: str,
    level: str,
    message: str,
    *,
    cohort: CohortSummary | None = None,
    metric: str | None = None,
    observed: float | None = None,
    limit: float | None = None,
    dimension: str | None = None,
) -> Finding:
    return Finding.model_validate(
        {
            "rule": rule,
            "level": level,
            "dimension": cohort.dimension if cohort else dimension,
            "cohort": cohort.value if cohort else None,
            "metric": metric,
            "observed": observed,
            "limit": limit,
            "message": message,
        }
    )


def gated_metrics(config: Config) -> list[str]:
    """Metrics with thresholds: the ones status, tail and worst-cohort rules judge."""
    return [name for name in config.thresholds if name != PASS_RATE]
