"""The alert rules on summaries built by hand: what each rule sees, and what it must not."""

from __future__ import annotations

from collections import Counter

from taskgate.config.monitor_settings import MonitorSettings
from taskgate.monitor.alerts import Cohort, judge
from taskgate.monitor.summary import WindowSummary, latency_bin, latency_of_bin
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


def with_counts(day: int, runs: int, **counts: object) -> WindowSummary:
    """``runs`` runs of 4 steps on day ``day``, with the counts given set."""
    return summary(day, {4: runs}).model_copy(update=counts)


def test_a_tool_error_rise_fails() -> None:
    days = [with_counts(k, 1000, tool_calls=2000, tool_errors=40 + 5 * (k % 3)) for k in range(7)]
    newest = with_counts(7, 1000, tool_calls=2000, tool_errors=600)
    alerts, notices = judge(cohort([*days, newest]), MonitorSettings())
    (alert,) = alerts
    trailing = (3 * 40 + 2 * 45 + 2 * 50) / 7 / 2000
    assert (alert.rule, alert.level, alert.metric, alert.observed, alert.limit) == (
        "tool_errors",
        "fail",
        "tool_error_rate",
        0.3,
        0.05,
    )
    assert alert.expected == round(trailing, 6)
    assert alert.message == (
        f"tool_error_rate rose to 0.300 from {trailing:.3f} over the 7 trailing windows: "
        f"{(0.3 - trailing) * 100:.1f} points, beyond 5.0 (p < 0.0001)"
    )
    assert notices == []


def test_tool_errors_are_as_noisy_as_the_runs_that_made_them() -> None:
    """20 runs of 100 calls each: 250 failed calls against 100 is a rise of 7.5 points that
    2000 independent calls would put at p < 0.0001; but the calls of a run fail together,
    and 20 runs cannot tell it from chance. Not an alert, and the notice says what drop
    the window could have seen."""
    days = [with_counts(k, 20, tool_calls=2000, tool_errors=100) for k in range(7)]
    newest = with_counts(7, 20, tool_calls=2000, tool_errors=250)
    alerts, notices = judge(cohort([*days, newest]), MonitorSettings())
    assert alerts == []
    (notice,) = notices
    assert notice.kind == "underpowered" and "tool_error_rate (" in notice.message


def test_more_runs_out_of_budget_fail() -> None:
    days = [with_counts(k, 1000, budget_exceeded=20 + k % 2) for k in range(7)]
    alerts, _ = judge(cohort([*days, with_counts(7, 1000, budget_exceeded=150)]), MonitorSettings())
    (alert,) = alerts
    assert (alert.rule, alert.level, alert.metric, alert.observed) == (
        "budget",
        "fail",
        "budget_exceeded_rate",
        0.15,
    )
    assert alert.message.startswith("budget_exceeded_rate rose to 0.150 from 0.020 over the 7 ")


def test_tokens_per_run_rising_beyond_the_limit_warn() -> None:
    days = [with_counts(k, 1000, token_runs=1000, tokens=500_000) for k in range(7)]
    within = with_counts(7, 1000, token_runs=1000, tokens=750_000)  # +50%: not beyond
    assert judge(cohort([*days, within]), MonitorSettings())[0] == []
    beyond = with_counts(7, 1000, token_runs=1000, tokens=900_000)
    (alert,) = judge(cohort([*days, beyond]), MonitorSettings())[0]
    assert (alert.rule, alert.level, alert.metric, alert.observed, alert.expected) == (
        "tokens",
        "warn",
        "tokens_per_run",
        900.0,
        500.0,
    )
    assert alert.message == (
        "tokens_per_run rose to 900 from 500 over the 7 trailing windows (+80%, beyond +50%)"
    )


def test_a_median_latency_rise_alerts_though_the_90th_percentile_stays() -> None:
    fast, slow = latency_bin(1000), latency_bin(8000)
    days = [with_counts(k, 1000, latency=((fast, 600), (slow, 400))) for k in range(7)]
    newest = with_counts(7, 1000, latency=((fast, 400), (slow, 600)))
    alerts, _ = judge(cohort([*days, newest]), MonitorSettings())
    assert [(a.rule, a.metric, a.level) for a in alerts] == [("latency", "latency_p50_ms", "warn")]
    (alert,) = alerts
    assert (alert.observed, alert.expected) == (
        round(latency_of_bin(slow), 1),
        round(latency_of_bin(fast), 1),
    )


def test_a_pass_rate_the_window_cannot_measure_is_said_not_skipped() -> None:
    """The trailing days judged 100 runs each; the newest day's runs state nothing to check:
    its pass rate cannot be compared, and the notice names it."""
    days = [with_counts(k, 1000, judged=100, passed=90) for k in range(7)]
    alerts, notices = judge(cohort([*days, with_counts(7, 1000)]), MonitorSettings())
    assert alerts == []
    assert [(n.kind, n.message) for n in notices] == [
        (
            "underpowered",
            "too few runs to see a drop of max_drop; the drops that would be seen, in points: "
            "pass_rate (not judged: fewer than 20 runs of it in the window)",
        )
    ]


def vanished(trailing: int, settings: MonitorSettings) -> tuple[list[str], list[str]]:
    days = [with_counts(k, 40) for k in range(trailing)]
    alerts, notices = judge(
        Cohort(f"2026-11-0{trailing + 1}", "segment", "a", None, days), settings
    )
    return [f"{a.rule} {a.level} {a.observed} {a.expected}" for a in alerts], [
        n.kind for n in notices
    ]


def test_a_cohort_with_no_runs_in_the_window_vanished() -> None:
    assert vanished(3, MonitorSettings()) == (["vanished fail 0.0 40.0"], ["small_window"])


def test_a_cohort_too_new_to_be_missed_is_only_said() -> None:
    assert vanished(2, MonitorSettings()) == ([], ["small_window"])
    off = MonitorSettings.model_validate({"vanished": {"level": "off"}})
    assert vanished(3, off) == ([], ["small_window"])
