"""trajectory_score: one number for the whole trajectory, blended from the other metrics.

Not a run evaluator: it reads the other metrics' values. A metric without a value for a run
is dropped and the rest re-weighted, so a task without expected calls is not marked down for
lacking them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import TypeVar

from taskgate.scoring.evaluators.base import Score, weighted

Blend = Callable[[Mapping[str, float | None]], Score]
Name = TypeVar("Name", bound=str)
"""Metric names: plain strings, or the config's literal names."""

TIMES = "\N{MULTIPLICATION SIGN}"
SHORT_NAMES = {
    "task_completion": "completion",
    "goal_progress": "progress",
    "tool_selection": "tools",
    "function_calls": "calls",
    "step_efficiency": "efficiency",
}


def trajectory_score(weights: Mapping[Name, float]) -> Blend:
    """``weights`` by metric name; they are re-weighted over the metrics that have a value."""
    configured = {str(name): weight for name, weight in weights.items()}

    def score(scores: Mapping[str, float | None]) -> Score:
        effective = effective_weights(configured, scores)
        parts = {
            name: (weight, value)
            for name, weight in effective.items()
            if weight > 0 and (value := scores.get(name)) is not None
        }
        dropped = [name for name, weight in effective.items() if weight > 0 and name not in parts]
        details = {"weights": effective, "dropped": dropped}
        if not parts:
            return Score(None, "No weighted metric has a value to blend.", details)
        return Score(weighted(parts), lambda: _reason(parts, dropped), details)

    return score


def effective_weights(
    weights: Mapping[str, float], scores: Mapping[str, float | None]
) -> dict[str, float]:
    """The configured weights, with function_calls sharing tool_selection's weight when it
    has a value and no weight of its own: both judge whether the right tools were used."""
    joins = (
        scores.get("function_calls") is not None
        and not weights.get("function_calls")
        and weights.get("tool_selection", 0.0) > 0
    )
    if not joins:
        return dict(weights)
    effective: dict[str, float] = {}
    for name, weight in weights.items():
        if name == "function_calls":
            continue
        if name == "tool_selection":
            effective[name] = effective["function_calls"] = weight / 2
        else:
            effective[name] = weight
    return effective


def _reason(parts: Mapping[str, tuple[float, float]], dropped: list[str]) -> str:
    """The blend as arithmetic a reader can check: weights re-scaled to sum to 1."""
    total = math.fsum(weight for weight, _ in parts.values())
    terms = [
        f"{_number(weight / total)}{TIMES}{SHORT_NAMES.get(name, name)} {value:.2f}"
        for name, (weight, value) in parts.items()
    ]
    text = " + ".join(terms)
    if dropped:
        text += f" ({', '.join(SHORT_NAMES.get(n, n) for n in dropped)} not judged)"
    return text


def _number(weight: float) -> str:
    return f"{weight:.2f}".rstrip("0").rstrip(".")
