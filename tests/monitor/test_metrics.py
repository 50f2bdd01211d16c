"""A window's reference-free metrics, read off its summary."""

from __future__ import annotations

from taskgate.monitor.metrics import window_metrics
from tests.monitor.conftest import window_summary


def test_rates_are_over_the_runs_the_infrastructure_did_not_fail() -> None:
    metrics = window_metrics(window_summary(2, {3: 10, 5: 30}, final=30, infrastructure=10))
    assert (metrics.n, metrics.infrastructure_rate) == (50, 0.2)
    assert (metrics.final_step_rate, metrics.error_rate, metrics.budget_exceeded_rate) == (
        0.75,
        0.0,
        0.0,
    )
    assert (metrics.steps_mean, metrics.steps_p50, metrics.steps_p90) == (4.5, 5, 5)
    assert (metrics.tool_error_rate, metrics.pass_rate, metrics.cost_per_run) == (None, None, None)


def test_a_window_the_infrastructure_failed_whole_has_no_agent_rates() -> None:
    """Not 0%: a rate of no runs is unknown, and a chart must not show the agent at zero."""
    metrics = window_metrics(window_summary(2, {}, infrastructure=40))
    assert (metrics.n, metrics.infrastructure_rate) == (40, 1.0)
    assert (metrics.final_step_rate, metrics.error_rate, metrics.budget_exceeded_rate) == (
        None,
        None,
        None,
    )
    assert (metrics.steps_mean, metrics.steps_p50, metrics.steps_distribution) == (None, None, {})
