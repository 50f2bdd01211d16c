"""Names every stage shares: the metrics, the call orders, the levels of rules."""

from __future__ import annotations

from typing import Literal, get_args

MetricName = Literal[
    "task_completion",
    "goal_progress",
    "tool_selection",
    "function_calls",
    "step_efficiency",
    "grounding",
    "trajectory_score",
]
METRIC_NAMES: tuple[str, ...] = get_args(MetricName)

PASS_RATE: Literal["pass_rate"] = "pass_rate"
# Bands can be set on the share of runs that passed as well as on a metric's mean: the
# graded scores of a release in which no run passes can still be yellow.
ThresholdName = Literal[MetricName, "pass_rate"]
THRESHOLD_NAMES: tuple[str, ...] = get_args(ThresholdName)

CallOrder = Literal["strict", "unordered", "subset", "superset"]
"""How expected calls are paired with the calls made (a task's call_order, the config's)."""

RuleLevel = Literal["fail", "warn", "off"]
"""A gate rule's level: ``off`` is not checked."""
