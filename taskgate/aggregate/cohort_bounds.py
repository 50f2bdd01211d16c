"""Dimensions too wide to break down into cohorts.

A cohort key that holds an id (one value per run) or a free text makes as many cohorts as
runs: the work of comparing them with a baseline grows with cohorts times runs, and their
tables with the text's length. Such a dimension is counted, not broken down, and the gate
says so (the cohort_values rule).
"""

from __future__ import annotations

from collections.abc import Sequence

from taskgate.config.gate_settings import CohortValuesRule
from taskgate.model.report import DimensionSummary, RunResult


def split_dimensions(
    runs: Sequence[RunResult], dimensions: Sequence[str], rule: CohortValuesRule
) -> tuple[list[str], list[DimensionSummary]]:
    """The dimensions to break down, and a summary of each one too wide to."""
    kept: list[str] = []
    wide: list[DimensionSummary] = []
    for name in dimensions:
        values = {run.cohort[name] for run in runs if name in run.cohort}
        longest = max(map(len, values), default=0)
        if len(values) > rule.max_values or longest > rule.max_length:
            wide.append(
                DimensionSummary(
                    name=name,
                    cohorts=len(values),
                    worst_cohort_gap={},
                    broken_down=False,
                    longest_value=longest,
                )
            )
        else:
            kept.append(name)
    return kept, wide
