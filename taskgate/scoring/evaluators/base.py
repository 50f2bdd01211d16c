"""The shape every evaluator returns."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from taskgate.scoring.context import RunContext
from taskgate.scoring.scores import clamp


class Score:
    """A metric's score for one run, with why, and what it was judged on.

    ``reason`` and ``details`` may be given as functions that make them: ``score`` keeps only
    task_completion's, so the others are written when someone reads them (explain, tests)."""

    __slots__ = ("_details", "_reason", "value")

    value: float | None
    """In [0, 1]; None when the run cannot be judged on this metric."""

    def __init__(
        self,
        value: float | None,
        reason: str | Callable[[], str],
        details: dict[str, Any] | Callable[[], dict[str, Any]] | None = None,
    ) -> None:
        self.value = value
        self._reason = reason
        self._details = {} if details is None else details

    @property
    def reason(self) -> str:
        """One line a person can read."""
        if callable(self._reason):
            self._reason = self._reason()
        return self._reason

    @property
    def details(self) -> dict[str, Any]:
        if callable(self._details):
            self._details = self._details()
        return self._details

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Score):
            return NotImplemented
        return (self.value, self.reason, self.details) == (other.value, other.reason, other.details)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Score({self.value!r}, {self.reason!r}, {self.details!r})"


Evaluator = Callable[[RunContext], Score]


def weighted(parts: dict[str, tuple[float, float]]) -> float:
    """Blend ``{name: (weight, score)}``, re-weighting over the parts present."""
    total = math.fsum(weight for weight, _ in parts.values())
    if total <= 0:
        return 0.0
    return clamp(math.fsum(weight * score for weight, score in parts.values()) / total)
