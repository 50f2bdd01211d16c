"""Rules on what a comparison can tell beyond its deltas.

underpowered: a comparison that could not have seen a drop of max_drop.

A gate that cannot tell must not look like a pass. For every cohort the regression rule
judges, each compared metric's minimum detectable drop (power.py) is held against max_drop;
the finding says what the golden set would need instead.

behaviour: runs that took another path than the baseline's (behaviour.py), where configured.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from taskgate.config import Config
from taskgate.power import Design, needed
from taskgate.results import CohortSummary, Finding, MetricDelta, ToolChange
from taskgate.rules import finding, judged, label


def _design(delta: MetricDelta) -> Design:
    return Design(delta.tasks, delta.trials, delta.se or 0.0, delta.smallest_p or 0.0)


def _short(delta: MetricDelta, max_drop: float) -> bool:
    if delta.se is None:  # a report written before taskgate measured power: unknown
        return False
    drop = delta.min_detectable_drop
    return drop is None or drop > max_drop


def _trials(count: float) -> str:
    shown = f"{count:g}" if count == int(count) else f"{count:.1f}"
    return f"{shown} trial{'s' if count != 1 else ''}"


def _can_detect(
    cohort: CohortSummary, short: Sequence[tuple[str, MetricDelta]], alpha: float, power: float
) -> str:
    metric, delta = short[0]
    design = f"{delta.tasks} task{'s' if delta.tasks != 1 else ''} x {_trials(delta.trials)}"
    if delta.min_detectable_drop is None and not delta.se:
        return (
            f"{label(cohort)}: {design} a side cannot tell what drop of {metric} it would "
            "detect: no run scored differently from another of its task, so the noise a drop "
            "must beat is unknown"
        )
    if delta.min_detectable_drop is None:
        return (
            f"{label(cohort)}: {design} a side cannot detect any {metric} drop: the test's "
            f"smallest p-value, {delta.smallest_p:.3g}, is not below alpha {alpha:g}"
        )
    others = ", ".join(
        f"{name} {d.min_detectable_drop:.3f}"
        if d.min_detectable_drop is not None
        else f"{name} none"
        for name, d in short[1:]
    )
    also = f" ({others})" if others else ""
    return (
        f"{label(cohort)}: {design} a side can detect a {metric} drop of "
        f"{delta.min_detectable_drop:.3f}{also} at alpha {alpha:g} with power {power:g}"
    )


def _fix(delta: MetricDelta, config: Config) -> str:
    regression = config.gate.regression
    if not delta.se:
        return "run two or more trials a task on both sides to measure it"
    need = needed(_design(delta), regression.max_drop, regression.alpha, regression.power)
    return (
        f"max_drop {regression.max_drop:g} needs about {need.tasks} tasks at "
        f"{_trials(round(delta.trials, 1))}, or {_trials(need.trials)} a task"
    )


def underpowered(cohorts: Sequence[CohortSummary], config: Config) -> Iterator[Finding]:
    rule, regression = config.gate.underpowered, config.gate.regression
    if rule.level == "off" or regression.level == "off":
        return
    for cohort in judged(cohorts, config):
        deltas = sorted((cohort.delta or {}).items())
        short = [(m, d) for m, d in deltas if _short(d, regression.max_drop)]
        if not short:
            continue
        short.sort(key=lambda item: -(item[1].min_detectable_drop or float("inf")))
        metric, delta = short[0]
        yield finding(
            "underpowered",
            rule.level,
            f"{_can_detect(cohort, short, regression.alpha, regression.power)}; "
            f"{_fix(delta, config)}: a pass here does not show that nothing dropped",
            cohort,
            metric,
            delta.min_detectable_drop,
            regression.max_drop,
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
                cohort,
            )
