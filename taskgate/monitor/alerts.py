"""The alerts: one cohort's judged window against its trailing windows.

Each rule is a row of a table, like the gate's: what it measures on a window, how the
newest window must differ from the trailing ones to count, and at which level. What
cannot be judged (a window with few runs, too short a history, a comparison that could
not see a drop of max_drop) is a notice, never a silent pass.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from taskgate.config.monitor_settings import DropAlert, MonitorSettings, ShareAlert
from taskgate.model.monitor import Alert, AlertRule, Notice
from taskgate.model.report import Level
from taskgate.monitor.metrics import window_metrics
from taskgate.monitor.summary import SCORE_STEPS, WindowSummary
from taskgate.stats.histograms import (
    hist_percentile,
    hist_tail,
    hist_tail_variance,
    hist_variance,
    rank_shift_p,
    total,
)
from taskgate.stats.measures import rounded
from taskgate.stats.windows import Point, WindowDrop, rate_point, window_drop

COMPLETION = "task_completion"
TAIL_RUNS = 100
"""Scored runs a window needs for its worst decile to be judged: ten runs in the decile.
Fewer, and the tail is a handful of runs whose scores the trailing windows cannot say
the spread of (a rare score missing from them would look like a drop)."""


@dataclass(frozen=True)
class Cohort:
    window: str
    """The judged window's start."""
    dimension: str
    cohort: str
    judged: WindowSummary | None
    trailing: list[WindowSummary]
    """The trailing windows' summaries that hold runs, oldest first."""


def agent_runs(summary: WindowSummary) -> int:
    """The runs the agent metrics are over: those the infrastructure did not fail."""
    return summary.n - summary.infrastructure


def _final_step(summary: WindowSummary, least: int) -> Point | None:
    count = agent_runs(summary)
    return rate_point(summary.final_step, count) if count >= least else None


def _pass_rate(summary: WindowSummary, least: int) -> Point | None:
    return rate_point(summary.passed, summary.judged) if summary.judged >= least else None


def _completion(summary: WindowSummary, least: int) -> Point | None:
    histogram = dict(summary.scores.get(COMPLETION, ()))
    count = sum(histogram.values())
    if count < least:
        return None
    mean = sum(value * n for value, n in histogram.items()) / count / SCORE_STEPS
    spread = (hist_variance(histogram) or 0.0) / SCORE_STEPS**2
    return Point(mean, spread / count)


def _tail_measure(trailing: list[WindowSummary]) -> Measure:
    """The worst decile of task_completion, each window's noise the one it would have if
    nothing changed: the trailing windows' pooled scores, drawn at the window's size. A
    window's own estimate would say a tail of ties has no noise at all."""
    pooled: Counter[int] = Counter()
    for summary in trailing:
        pooled.update(dict(summary.scores.get(COMPLETION, ())))
    unit = (hist_tail_variance(pooled) or 0.0) * total(pooled) / SCORE_STEPS**2

    def measure(summary: WindowSummary, least: int) -> Point | None:
        histogram = dict(summary.scores.get(COMPLETION, ()))
        count = total(histogram)
        if count < max(least, TAIL_RUNS):
            return None
        return Point((hist_tail(histogram) or 0.0) / SCORE_STEPS, unit / count)

    return measure


def _error_share(summary: WindowSummary, least: int) -> Point | None:
    count = agent_runs(summary)
    if count < least:
        return None
    share = rate_point(summary.errors, count)
    return Point(-share.value, share.noise)  # a rise of the share is a drop of its negation


def _budget_share(summary: WindowSummary, least: int) -> Point | None:
    count = agent_runs(summary)
    if count < least:
        return None
    share = rate_point(summary.budget_exceeded, count)
    return Point(-share.value, share.noise)


def _tool_error_share(summary: WindowSummary, least: int) -> Point | None:
    """The share of tool calls that failed. Its noise is counted in runs, not calls: the
    calls of one run fail together (a broken tool fails each retry), so calls are not
    independent draws, and a run's worth of them is the smallest unit that may be."""
    runs = agent_runs(summary)
    if runs < least or not summary.tool_calls:
        return None
    smoothed = (summary.tool_errors + 0.5) / (summary.tool_calls + 1)
    share = summary.tool_errors / summary.tool_calls
    return Point(-share, smoothed * (1 - smoothed) / runs)


Measure = Callable[[WindowSummary, int], Point | None]
DROPS: tuple[tuple[AlertRule, str, Measure | None], ...] = (
    ("final_step", "final_step_rate", _final_step),
    ("pass_rate", "pass_rate", _pass_rate),
    ("completion", COMPLETION, _completion),
    ("tail", f"{COMPLETION}.tail", None),
    ("errors", "error_rate", _error_share),
    ("budget", "budget_exceeded_rate", _budget_share),
    ("tool_errors", "tool_error_rate", _tool_error_share),
)


def judge(cohort: Cohort, settings: MonitorSettings) -> tuple[list[Alert], list[Notice]]:
    """The alerts and notices of one cohort's judged window."""
    judged = cohort.judged
    alerts: list[Alert] = []
    if judged is not None:
        alerts.extend(_outage(cohort, judged, settings))
    if judged is None or agent_runs(judged) < settings.min_runs:
        if judged is None:
            alerts.extend(_vanished(cohort, settings))
        return alerts, [_small(cohort, judged, settings.min_runs)]
    trailing = [s for s in cohort.trailing if agent_runs(s) >= settings.min_runs]
    if len(trailing) < settings.min_trailing:
        return alerts, [_short(cohort, len(trailing), settings)]
    weak: list[str] = []
    for rule, metric, fixed in DROPS:
        measure = fixed or _tail_measure(trailing)  # the tail's noise is the trailing windows'
        found = _drop(cohort, judged, trailing, settings, rule, metric, measure, weak)
        alerts.extend(found)
    alerts.extend(_steps(cohort, judged, trailing, settings))
    alerts.extend(_increases(cohort, judged, trailing, settings))
    notices = [_underpowered(cohort, weak)] if weak else []
    return alerts, notices


def _drop(
    cohort: Cohort,
    judged: WindowSummary,
    trailing: list[WindowSummary],
    settings: MonitorSettings,
    rule: AlertRule,
    metric: str,
    measure: Measure,
    weak: list[str],
) -> list[Alert]:
    rules: dict[str, DropAlert | ShareAlert] = {
        "final_step": settings.final_step,
        "pass_rate": settings.pass_rate,
        "completion": settings.completion,
        "errors": settings.errors,
        "budget": settings.budget,
        "tool_errors": settings.tool_errors,
    }
    least = settings.min_runs
    newest = measure(judged, least)
    points = [p for p in (measure(s, least) for s in trailing) if p is not None]
    if rule == "tail" and newest is None and COMPLETION in judged.scores:
        weak.append(f"{metric} (not judged below {TAIL_RUNS} scored runs)")
    elif rule != "tail" and newest is None and len(points) >= settings.min_trailing:
        # the trailing windows measured it and this one cannot: said, never skipped
        weak.append(f"{metric} (not judged: fewer than {least} runs of it in the window)")
    if newest is None or len(points) < settings.min_trailing:
        return []
    if rule == "tail":
        limit, alpha, level = settings.tail.max_drop, settings.tail.alpha, settings.tail.level
    else:
        section = rules[rule]
        limit = section.max_increase if isinstance(section, ShareAlert) else section.max_drop
        alpha, level = section.alpha, section.level
    if level == "off":
        return []
    test = window_drop(points, newest, alpha)
    if test.min_detectable_drop > limit:
        weak.append(f"{metric} ({_points(test.min_detectable_drop)})")
    if test.drop <= limit or test.p_value >= alpha:
        return []
    sign = -1 if isinstance(rules.get(rule), ShareAlert) else 1  # a share that may not rise
    return [
        Alert(
            rule=rule,
            level=level,
            window=cohort.window,
            dimension=cohort.dimension,
            cohort=cohort.cohort,
            metric=metric,
            observed=rounded(sign * newest.value) + 0.0,  # + 0.0: never a -0.0
            expected=rounded(sign * test.trailing) + 0.0,
            limit=limit,
            p_value=rounded(test.p_value),
            message=_drop_message(metric, sign, newest, test, limit, len(points)),
        )
    ]


def _p(value: float) -> str:
    """A p-value as said: two digits, and no false precision where the tail is too thin
    for the normal and t approximations to mean it."""
    return "p < 0.0001" if value < 0.0001 else f"p = {value:.2g}"


def _points(share: float) -> str:
    return f"{share * 100:.1f}"


def _drop_message(
    metric: str, sign: int, newest: Point, test: WindowDrop, limit: float, count: int
) -> str:
    way = "rose" if sign < 0 else "fell"
    return (
        f"{metric} {way} to {sign * newest.value + 0.0:.3f} from {sign * test.trailing + 0.0:.3f} "
        "over the "
        f"{count} trailing windows: {_points(test.drop)} points, beyond {_points(limit)} "
        f"({_p(test.p_value)})"
    )


def _pooled(trailing: list[WindowSummary]) -> dict[int, int]:
    pooled: Counter[int] = Counter()
    for summary in trailing:
        pooled.update(dict(summary.steps))
    return dict(pooled)


def _steps(
    cohort: Cohort, judged: WindowSummary, trailing: list[WindowSummary], settings: MonitorSettings
) -> list[Alert]:
    rule = settings.steps
    newest, before = dict(judged.steps), _pooled(trailing)
    shifts = []
    for share, name in ((0.5, "p50"), (0.9, "p90")):
        now, then = hist_percentile(newest, share), hist_percentile(before, share)
        if now is not None and then:
            shifts.append(((now - then) / then, name, now, then))
    p_value = rank_shift_p(newest, before)
    if rule.level == "off" or not shifts or p_value is None:
        return []
    shift, name, now, then = max(shifts)
    if shift <= rule.max_relative_increase or p_value >= rule.alpha:
        return []
    # The rank test pools the trailing runs; days differ by more than their runs do (the
    # mix of tasks), so the shift must also stand out with windows as the unit: the share
    # of runs above the trailing median, against the trailing windows' own shares.
    across = _above_median_rise(judged, trailing, before)
    if across is None or across >= rule.alpha:
        return []
    p_value = max(p_value, across)
    message = (
        f"the step count shifted right: {name} {now} against {then} over the trailing windows "
        f"(+{shift:.0%}, beyond +{rule.max_relative_increase:.0%}; rank test and window test "
        f"{_p(p_value)}); completion often follows"
    )
    values = (now, then, rule.max_relative_increase)
    return [_alert(cohort, "steps", rule.level, f"steps_{name}", values, message, p_value)]


def _above_median_rise(
    judged: WindowSummary, trailing: list[WindowSummary], pooled: dict[int, int]
) -> float | None:
    """One-sided p that the newest window's share of runs above the trailing median rose
    beyond the trailing windows' spread (the window drop test, on the negated share)."""
    median = hist_percentile(pooled, 0.5)
    if median is None:
        return None

    def share(summary: WindowSummary) -> Point | None:
        counts = dict(summary.steps)
        runs = total(counts)
        if not runs:
            return None
        above = rate_point(sum(n for steps, n in counts.items() if steps > median), runs)
        return Point(-above.value, above.noise)

    newest = share(judged)
    points = [point for point in map(share, trailing) if point is not None]
    if newest is None or len(points) < 2:
        return None
    return window_drop(points, newest, 0.5).p_value


def _increases(
    cohort: Cohort, judged: WindowSummary, trailing: list[WindowSummary], settings: MonitorSettings
) -> list[Alert]:
    found: list[Alert] = []
    metrics = window_metrics(judged)
    before = [window_metrics(summary) for summary in trailing]
    sections = {"cost": settings.cost, "tokens": settings.tokens, "latency": settings.latency}
    increases: tuple[tuple[AlertRule, str, float | None, list[float | None]], ...] = (
        ("cost", "cost_per_run", metrics.cost_per_run, [m.cost_per_run for m in before]),
        ("tokens", "tokens_per_run", metrics.tokens_per_run, [m.tokens_per_run for m in before]),
        ("latency", "latency_p50_ms", metrics.latency_p50_ms, [m.latency_p50_ms for m in before]),
        ("latency", "latency_p90_ms", metrics.latency_p90_ms, [m.latency_p90_ms for m in before]),
    )
    for rule, name, value, history in increases:
        section = sections[rule]
        known = [v for v in history if v is not None]
        if section.level == "off" or value is None or not known:
            continue
        expected = sum(known) / len(known)
        if expected <= 0 or (value - expected) / expected <= section.max_relative_increase:
            continue
        rise = (value - expected) / expected
        message = (
            f"{name} rose to {value:.6g} from {expected:.6g} over the {len(known)} trailing "
            f"windows (+{rise:.0%}, beyond +{section.max_relative_increase:.0%})"
        )
        values = (value, expected, section.max_relative_increase)
        found.append(_alert(cohort, rule, section.level, name, values, message))
    return found


def _alert(
    cohort: Cohort,
    rule: AlertRule,
    level: Level,
    metric: str,
    values: tuple[float, float, float],
    message: str,
    p_value: float | None = None,
) -> Alert:
    """An alert of a rule with a relative limit: ``values`` are observed, expected, limit."""
    observed, expected, limit = values
    return Alert(
        rule=rule,
        level=level,
        window=cohort.window,
        dimension=cohort.dimension,
        cohort=cohort.cohort,
        metric=metric,
        observed=rounded(observed),
        expected=rounded(expected),
        limit=limit,
        p_value=None if p_value is None else rounded(p_value),
        message=message,
    )


def _outage(cohort: Cohort, judged: WindowSummary, settings: MonitorSettings) -> list[Alert]:
    rule = settings.infrastructure
    share = judged.infrastructure / judged.n
    if rule.level == "off" or judged.n < settings.min_runs or share <= rule.max_share:
        return []
    message = (
        f"{judged.infrastructure} of {judged.n} runs ({share:.0%}) failed for infrastructure "
        f"reasons, beyond {rule.max_share:.0%}: an outage, not the agent; those runs are left "
        "out of the agent metrics"
    )
    return [
        Alert(
            rule="infrastructure",
            level=rule.level,
            window=cohort.window,
            dimension=cohort.dimension,
            cohort=cohort.cohort,
            metric="infrastructure_rate",
            observed=rounded(share),
            expected=None,
            limit=rule.max_share,
            message=message,
        )
    ]


def _vanished(cohort: Cohort, settings: MonitorSettings) -> list[Alert]:
    """A cohort the trailing windows judged, with no run at all in the judged window."""
    sizes = [summary.n for summary in cohort.trailing if agent_runs(summary) >= settings.min_runs]
    level = settings.vanished.level
    if level == "off" or len(sizes) < settings.min_trailing:  # too new to be missed
        return []
    usual = sum(sizes) / len(sizes)
    message = (
        f"no runs in the window, where {len(sizes)} trailing windows held {usual:.0f} on "
        "average: the cohort vanished (its sample stopped, or its traffic went elsewhere), "
        "and nothing of it was judged"
    )
    return [_alert(cohort, "vanished", level, "runs", (0.0, usual, 0.0), message)]


def _small(cohort: Cohort, judged: WindowSummary | None, least: int) -> Notice:
    found = "no runs" if judged is None else f"{agent_runs(judged)} runs to judge the agent on"
    return Notice(
        kind="small_window",
        window=cohort.window,
        dimension=cohort.dimension,
        cohort=cohort.cohort,
        message=f"{found} in the window, fewer than monitor.min_runs ({least}): not judged",
    )


def _short(cohort: Cohort, found: int, settings: MonitorSettings) -> Notice:
    return Notice(
        kind="short_history",
        window=cohort.window,
        dimension=cohort.dimension,
        cohort=cohort.cohort,
        message=(
            f"{found} of the {settings.trailing} trailing windows hold {settings.min_runs} runs "
            f"or more, fewer than monitor.min_trailing ({settings.min_trailing}): not judged"
        ),
    )


def _underpowered(cohort: Cohort, weak: list[str]) -> Notice:
    return Notice(
        kind="underpowered",
        window=cohort.window,
        dimension=cohort.dimension,
        cohort=cohort.cohort,
        message="too few runs to see a drop of max_drop; the drops that would be seen, in "
        "points: " + ", ".join(weak),
    )
