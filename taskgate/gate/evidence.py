"""What the gate judges: the report's summaries, before there is a verdict."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from taskgate.model.report import (
    BaselineRef,
    CohortSummary,
    Coverage,
    Dataset,
    DimensionSummary,
    RunResult,
    TaskSummary,
)


class Evidence(Protocol):
    """The parts of a report the rules read; a Report is one, and so is ``Summaries``."""

    @property
    def dataset(self) -> Dataset: ...
    @property
    def dimensions(self) -> Sequence[DimensionSummary]: ...
    @property
    def cohorts(self) -> Sequence[CohortSummary]: ...
    @property
    def coverage(self) -> Coverage | None: ...
    @property
    def tasks(self) -> Sequence[TaskSummary]: ...
    @property
    def runs(self) -> Sequence[RunResult]: ...
    @property
    def baseline(self) -> BaselineRef | None: ...


@dataclass(frozen=True)
class Summaries:
    """The report's parts once aggregated and compared, for the gate to judge."""

    dataset: Dataset
    dimensions: Sequence[DimensionSummary]
    cohorts: Sequence[CohortSummary]
    coverage: Coverage | None
    tasks: Sequence[TaskSummary]
    runs: Sequence[RunResult]
    baseline: BaselineRef | None
