"""Rules on what a comparison can tell beyond its deltas.

underpowered: a comparison that could not have seen a drop of max_drop.

A gate that cannot tell must not look like a pass. For every cohort the regression rule
judges, each compared metric's minimum detectable drop (power.py) is held against max_drop;
the finding says what the golden set would need instead.

behaviour: runs that took another path than the baseline's (behaviour.py), where configured.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from taskgate.config.model import Config
from taskgate.gate.findings import finding, judged, label
from taskgate.model.report import CohortSummary, Finding, MetricDelta, ToolChange
from taskgate.stats.power import Design, needed, z_sum


@dataclass(frozen=True)
class _Shortfall:
    """One comparison of a cohort that cannot see its allowed drop."""

    metric: str
    what: str
    """"mean" or "worst decile"."""
    detects: float | None
    limit: float
    design: Design
    """For what would fix it: the design with the comparison's own spread."""


def _shortfalls(delta: MetricDelta, metric: str, config: Config) -> list[_Shortfall]:
    if delta.se is None:  # a report written before taskgate measured power: unknown
        return []
    rule, z = (
        config.gate.regression,
        z_sum(config.gate.regression.alpha, config.gate.regression.power),
    )
    smallest = delta.smallest_p or 0.0
    mean = Design(delta.tasks, delta.trials, delta.se, smallest)
    tail_se = (delta.tail_min_detectable_drop or 0.0) / z
    tail = Design(delta.tasks, delta.trials, tail_se or delta.se, smallest)
    found = []
    for what, detects, limit, design in (
        ("mean", delta.min_detectable_drop, rule.max_drop, mean),
        ("worst decile", delta.tail_min_detectable_drop, rule.tail_max_drop, tail),
    ):
        if detects is None or detects > limit:
            found.append(_Shortfall(metric, what, detects, limit, design))
    return found


def _trials(count: float) -> str:
    shown = f"{count:g}" if count == int(count) else f"{count:.1f}"
    return f"{shown} trial{'s' if count != 1 else ''}"


def _drop(value: float | None, limit: float) -> str:
    """Enough decimals that a drop above the limit never prints as the limit."""
    if value is None:
        return "none"
    shown = f"{value:.3f}"
    return shown if float(shown) > limit else f"{value:.4f}"


def _can_detect(
    cohort: CohortSummary, short: Sequence[_Shortfall], delta: MetricDelta, config: Config
) -> str:
    rule = config.gate.regression
    design = f"{delta.tasks} task{'s' if delta.tasks != 1 else ''} x {_trials(delta.trials)}"
    if not delta.se:
        return (
            f"{label(cohort)}: {design} a side cannot tell what drop it would detect: no run "
            "scored differently from another of its task, so the noise a drop must beat is "
            "unknown"
        )
    if (delta.smallest_p or 0.0) >= rule.alpha:
        return (
            f"{label(cohort)}: {design} a side cannot detect any drop: the test's smallest "
            f"p-value, {delta.smallest_p:.3g}, is not below alpha {rule.alpha:g}"
        )
    parts = ", ".join(f"{s.metric} {s.what} {_drop(s.detects, s.limit)}" for s in short)
    return (
        f"{label(cohort)}: {design} a side can detect drops of {parts} at alpha "
        f"{rule.alpha:g} with power {rule.power:g} (allowed: mean {rule.max_drop:g}, worst "
        f"decile {rule.tail_max_drop:g})"
    )


def _fix(short: Sequence[_Shortfall], delta: MetricDelta, config: Config) -> str:
    rule = config.gate.regression
    if not delta.se:
        return (
            "run two or more trials a task on both sides"
            if delta.trials < 2
            else "with runs that never vary, only more tasks can show a drop"
        )
    needs = [needed(s.design, s.limit, rule.alpha, rule.power) for s in short]
    tasks, trials = max(n.tasks for n in needs), max(n.trials for n in needs)
    return (
        f"seeing the allowed drops needs about {tasks} tasks at "
        f"{_trials(round(delta.trials, 1))}, or {_trials(trials)} a task"
    )


def underpowered(cohorts: Sequence[CohortSummary], config: Config) -> Iterator[Finding]:
    """Cohorts whose comparison cannot see the allowed drop of a mean or a worst decile."""
    rule, regression = config.gate.underpowered, config.gate.regression
    if rule.level == "off" or regression.level == "off":
        return
    for cohort in judged(cohorts, config):
        deltas = sorted((cohort.delta or {}).items())
        short = [s for metric, d in deltas for s in _shortfalls(d, metric, config)]
        if not short:
            continue
        delta = (cohort.delta or {})[short[0].metric]
        means = [s for s in short if s.what == "mean"]
        yield finding(
            "underpowered",
            rule.level,
            f"{_can_detect(cohort, short, delta, config)}; {_fix(short, delta, config)}: a "
            "pass here does not show that nothing dropped",
            cohort=cohort,
            metric=short[0].metric,
            observed=(means or short)[0].detects,
            limit=(means or short)[0].limit,
        )


def _tool_text(change: ToolChange) -> str:
    if change.change == "appeared":
        return f"{change.tool} newly called ({change.after:.2f} a run)"
    if change.change == "vanished":
        return f"{change.tool} no longer called (was {change.before:.2f} a run)"
    return f"{change.tool} {change.change} often ({change.before:.2f} to {change.after:.2f} a run)"


def behaviour_changes(cohorts: Sequence[CohortSummary], config: Config) -> Iterator[Finding]:
    """Cohorts whose runs took another path than the baseline's (gate.behaviour)."""
    rule, alpha = config.gate.behaviour, config.gate.regression.alpha
    if rule.level == "off":
        return
    for cohort in judged(cohorts, config):
        seen = cohort.behaviour
        if seen is None:
            continue
        parts = [_tool_text(change) for change in seen.tools or []]
        if seen.steps_p_value is not None and seen.steps_p_value < alpha:
            before, after = seen.steps_before, seen.steps_after
            parts.append(
                f"more steps per run (mean {before['mean']:.1f} to {after['mean']:.1f}, p90 "
                f"{before['p90']:g} to {after['p90']:g}; p={seen.steps_p_value:.4f})"
            )
        if parts:
            yield finding(
                "behaviour",
                rule.level,
                f"{label(cohort)}: runs behave differently from the baseline's: "
                + "; ".join(parts),
                cohort=cohort,
            )
