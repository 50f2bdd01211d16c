"""The names of the evaluators' metrics, shared by config, scoring and reports."""

from __future__ import annotations

from typing import Literal, get_args

MetricName = Literal[
    "task_completion",
    "goal_progress",
    "tool_selection",
    "function_calls",
    "step_efficiency",
    "trajectory_score",
]
METRIC_NAMES: tuple[str, ...] = get_args(MetricName)
