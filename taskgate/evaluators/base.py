"""The shape every evaluator returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any

from taskgate.evaluators.context import RunContext


@dataclass(frozen=True)
class Score:
    value: float | None
    """In [0, 1]; None when the run cannot be judged on this metric."""
    reason: str
    """One line a person can read."""
    details: dict[str, Any] = field(default_factory=dict)


Evaluator = Callable[[RunContext], Score]


def clamp(value: float) -> float:
    """Keep a score in [0, 1] and free of float noise in the last digits."""
    return round(min(1.0, max(0.0, value)), 6)


def weighted(parts: dict[str, tuple[float, float]]) -> float:
    """Blend ``{name: (weight, score)}``, re-weighting over the parts present."""
    total = sum(weight for weight, _ in parts.values())
    if total <= 0:
        return 0.0
    return clamp(sum(weight * score for weight, score in parts.values()) / total)


def shallow_dict(value: Any) -> dict[str, Any]:
    """A dataclass's fields as details, without the deep copy dataclasses.asdict makes
    (a cost paid on every run): fine for values built fresh for this run."""
    return {f.name: getattr(value, f.name) for f in fields(value)}
