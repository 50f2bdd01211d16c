"""What ``taskgate monitor`` produces: window metrics per cohort, alerts and notices."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from taskgate.model.report import Level

MONITOR_REPORT_VERSION = 1
_FROZEN = ConfigDict(frozen=True)


class ScoreStats(BaseModel):
    """One evaluator's scores over the runs of the window it could judge."""

    model_config = _FROZEN

    n: int
    mean: float
    tail: float
    """Mean of the worst decile."""
    gap: float
    """mean - tail."""


class WindowMetrics(BaseModel):
    """One cohort in one window, as the reports show it."""

    model_config = _FROZEN

    start: str
    dimension: str
    cohort: str
    n: int
    final_step_rate: float | None
    """Share of runs that reached a final step within their budget. This and every rate
    below but infrastructure_rate leave out the runs the infrastructure failed; null when
    the infrastructure failed every run of the window (there is no agent run to share)."""
    budget_exceeded_rate: float | None
    error_rate: float | None
    """Share of runs with status error or timeout not known to be the infrastructure's."""
    infrastructure_rate: float
    tool_error_rate: float | None
    """Share of tool calls that failed; null without calls."""
    judged: int
    """Runs whose task states something to check."""
    pass_rate: float | None
    steps_mean: float | None
    steps_p50: int | None
    steps_p90: int | None
    steps_distribution: dict[str, int]
    """Runs per step count (the count as a string key, JSON's only kind)."""
    cost_per_run: float | None
    """Mean usage.cost_usd over the runs that report it."""
    tokens_per_run: float | None
    latency_p50_ms: float | None
    latency_p90_ms: float | None
    scores: dict[str, ScoreStats]


AlertRule = Literal[
    "completion",
    "pass_rate",
    "final_step",
    "tail",
    "steps",
    "cost",
    "tokens",
    "latency",
    "errors",
    "budget",
    "tool_errors",
    "infrastructure",
    "vanished",
]
MonitorStatus = Literal["pass", "fail", "not_judged"]
NoticeKind = Literal[
    "small_window",
    "short_history",
    "underpowered",
    "config_changed",
    "future_runs",
    "skipped_runs",
]


class Alert(BaseModel):
    """A finding of the monitor: the judged window of one cohort against its trailing ones."""

    model_config = _FROZEN

    rule: AlertRule
    level: Level
    window: str
    """The start of the judged window."""
    dimension: str
    cohort: str
    metric: str
    observed: float
    """The judged window's value."""
    expected: float | None
    """What the trailing windows give (their mean, or pooled percentile); null when the
    rule needs no history (an outage)."""
    limit: float
    p_value: float | None = None
    message: str


class Notice(BaseModel):
    """Something the monitor could not judge, said rather than passed over."""

    model_config = _FROZEN

    kind: NoticeKind
    window: str | None
    dimension: str | None
    cohort: str | None
    message: str


class CohortSeries(BaseModel):
    """One cohort's windows, oldest first (only windows with runs)."""

    model_config = _FROZEN

    dimension: str
    cohort: str
    windows: list[WindowMetrics]


class MonitorReport(BaseModel):
    model_config = _FROZEN

    monitor_report_version: int = MONITOR_REPORT_VERSION
    taskgate_version: str
    config_fingerprint: str
    window: str
    judged_window: str | None
    """The start of the newest complete window, which the alerts are about; null when no
    window is complete yet."""
    trailing: int
    inputs: list[str]
    """Each input as given, with what became of it: added, or already in the state."""
    status: MonitorStatus
    """``not_judged`` when no window is complete or no cohort could be judged in it: exit 1,
    as for ``fail``, since a monitor that could not judge has not seen the agent pass."""
    exit_code: int
    judged_cohorts: int
    """The cohorts whose judged window was compared with enough trailing windows."""
    alerts: list[Alert]
    notices: list[Notice]
    cohorts: list[CohortSeries]

    def why_not_judged(self) -> str:
        """Why nothing was compared, for the status lines of every format."""
        if self.judged_window is None:
            return f"no {self.window} window is complete yet; nothing was compared"
        if not any(notice.kind in ("small_window", "short_history") for notice in self.notices):
            return (
                f"no runs in the {self.window} window from {self.judged_window} or the "
                f"{self.trailing} before it; nothing was compared (has the sample stopped?)"
            )
        return (
            f"no cohort of the {self.window} window from {self.judged_window} had the runs and "
            "the trailing windows to be compared (see the notices)"
        )
