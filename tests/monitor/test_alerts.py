"""The alert rules on summaries built by hand: what each rule sees, and what it must not."""

from __future__ import annotations

from collections import Counter

from taskgate.config.monitor_settings import MonitorSettings
from taskgate.monitor.alerts import Cohort, judge
from taskgate.monitor.summary import WindowSummary
from taskgate.stats.histograms import rank_shift_p
from tests.monitor.conftest import window_summary as summary


def three_or_four(day: int, runs: int, fours: float) -> WindowSummary:
    """``runs`` runs of 3 or 4 steps, the share ``fours`` of them 4."""
    four = round(runs * fours)
    return summary(day, {3: runs - four, 4: four})


def cohort(days: list[WindowSummary]) -> Cohort:
    *trailing, judged = days
    return Cohort(judged.start, "segment", "a", judged, trailing)


def steps_alerts(days: list[WindowSummary]) -> list[str]:
    alerts, _ = judge(cohort(days), MonitorSettings())
    return [f"{a.metric} {a.observed} {a.expected} {a.limit}" for a in alerts if a.rule == "steps"]


# The trailing week: days differ in their mix of tasks far more than their runs would say.
MIX = (0.40, 0.60, 0.45, 0.55, 0.42, 0.58, 0.48)


def test_a_busy_day_within_the_weeks_mix_is_not_a_shift() -> None:
    """3000 runs a day, the share of 4-step runs moving from 40% to 60% day to day: the
    pooled median is 3, a day with 56% has median 4 (+33%), and the rank test over its 3000
    runs against 21000 says p far below 0.05. With days as the unit, 56% is one of the
    week's ordinary days: no alert."""
    days = [three_or_four(k, 3000, share) for k, share in enumerate(MIX)]
    newest = three_or_four(7, 3000, 0.56)
    pooled: Counter[int] = Counter()
    for day in days:
        pooled.update(dict(day.steps))
    p_value = rank_shift_p(dict(newest.steps), dict(pooled))
    assert p_value is not None and p_value < 1e-6  # what the pooled test alone would say
    assert steps_alerts([*days, newest]) == []


def test_a_day_beyond_the_weeks_mix_is_a_shift() -> None:
    days = [three_or_four(k, 3000, share) for k, share in enumerate(MIX)]
    alerts, _ = judge(cohort([*days, three_or_four(7, 3000, 0.90)]), MonitorSettings())
    (alert,) = [a for a in alerts if a.rule == "steps"]
    assert (alert.metric, alert.observed, alert.expected, alert.limit) == (
        "steps_p50",
        4.0,
        3.0,
        0.25,
    )
    assert alert.level == "warn" and alert.window == "2026-11-08T00:00:00Z"
    assert alert.p_value is not None and alert.p_value < 0.01
    assert alert.message.startswith(
        "the step count shifted right: p50 4 against 3 over the trailing windows "
        "(+33%, beyond +25%; rank test and window test p "
    )
    assert alert.message.endswith("); completion often follows")


def test_a_shift_within_the_relative_limit_is_not_an_alert() -> None:
    """p50 and p90 from 4 to 5 steps is +25%, not beyond +25%, however significant."""
    days = [summary(k, {4: 3000}) for k in range(7)]
    assert steps_alerts([*days, summary(7, {5: 3000})]) == []
    assert steps_alerts([*days, summary(7, {6: 3000})]) == ["steps_p90 6.0 4.0 0.25"]


def test_a_small_day_is_said_not_judged() -> None:
    days = [three_or_four(k, 3000, 0.5) for k in range(7)]
    alerts, notices = judge(cohort([*days, summary(7, {9: 19})]), MonitorSettings())
    assert alerts == []
    assert [(n.kind, n.message) for n in notices] == [
        (
            "small_window",
            "19 runs to judge the agent on in the window, fewer than monitor.min_runs (20): "
            "not judged",
        )
    ]


def test_too_short_a_history_is_said_not_judged() -> None:
    days = [three_or_four(0, 3000, 0.5), summary(1, {9: 5}), three_or_four(2, 3000, 0.5)]
    alerts, notices = judge(cohort([*days, summary(3, {9: 3000})]), MonitorSettings())
    assert alerts == []
    assert [(n.kind, n.message) for n in notices] == [
        (
            "short_history",
            "2 of the 7 trailing windows hold 20 runs or more, fewer than "
            "monitor.min_trailing (3): not judged",
        )
    ]


def test_a_final_step_drop_beyond_max_drop_fails() -> None:
    days = [summary(k, {4: 1000}, final=900 + 10 * (k % 3)) for k in range(7)]
    alerts, _ = judge(cohort([*days, summary(7, {4: 1000}, final=700)]), MonitorSettings())
    (alert,) = alerts
    assert (alert.rule, alert.level, alert.metric, alert.observed, alert.limit) == (
        "final_step",
        "fail",
        "final_step_rate",
        0.7,
        0.05,
    )
    assert alert.expected == round(
        (3 * 900 + 2 * 910 + 2 * 920) / 7000, 6
    )  # rounded as reports are
    assert alert.message == (
        "final_step_rate fell to 0.700 from 0.909 over the 7 trailing windows: 20.9 points, "
        "beyond 5.0 (p < 0.0001)"
    )
