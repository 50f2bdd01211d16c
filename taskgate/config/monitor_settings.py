"""``monitor``'s settings: what a window is compared with, and one section per alert."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, Strict, model_validator
from pydantic_core import PydanticCustomError

from taskgate.config.fields import OpenShare, PositiveCount, Ratio, Section, Share
from taskgate.model.names import RuleLevel


class DropAlert(Section):
    """A rate or mean of the newest window below its trailing windows'."""

    max_drop: Share = 0.05
    """Largest allowed drop, in points of the rate or score (0.05 = 5 points)."""
    alpha: OpenShare = 0.01
    """A drop counts only when this unlikely under the window-to-window variation."""
    level: RuleLevel = "fail"
    """What a counted drop yields."""


class TailDropAlert(Section):
    """The mean of a window's worst decile of task_completion below the trailing windows'."""

    max_drop: Share = 0.10
    """Largest allowed drop of the tail, in points."""
    alpha: OpenShare = 0.01
    """A drop counts only when this unlikely under the window-to-window variation."""
    level: RuleLevel = "warn"
    """What a counted drop yields."""


class StepShiftAlert(Section):
    """A rightward shift of the step-count distribution: the early sign of trouble."""

    max_relative_increase: Ratio = 0.25
    """Largest allowed growth of the median or the 90th percentile (0.25 = 25%)."""
    alpha: OpenShare = 0.01
    """The rank test's level: a shift counts only when the distributions differ this surely."""
    level: RuleLevel = "warn"
    """What a counted shift yields."""


class IncreaseAlert(Section):
    """A per-run cost or latency above the trailing windows'."""

    max_relative_increase: Ratio = 0.50
    """Largest allowed growth against the trailing windows (0.50 = 50%)."""
    level: RuleLevel = "warn"
    """What a larger growth yields."""


class ShareAlert(Section):
    """The share of runs that errored or timed out, above the trailing windows'."""

    max_increase: Share = 0.05
    """Largest allowed rise of the share, in points."""
    alpha: OpenShare = 0.01
    """A rise counts only when this unlikely under the window-to-window variation."""
    level: RuleLevel = "fail"
    """What a counted rise yields."""


class OutageAlert(Section):
    """Runs that failed because what the agent ran on failed (error_kind: infrastructure)."""

    max_share: Share = 0.05
    """Share of a window's runs above which it is an outage, whatever came before."""
    level: RuleLevel = "fail"
    """What a larger share yields."""


class VanishedAlert(Section):
    """A cohort with no runs in the judged window that its trailing windows had."""

    level: RuleLevel = "fail"
    """What a cohort that vanished yields: its sample stopped, or its traffic went elsewhere,
    and either way nothing of it was judged."""


class MonitorSettings(Section):
    """``taskgate monitor``: rolling windows of production runs and their alerts."""

    trailing: Annotated[int, Strict(), Field(ge=2, le=1000)] = 7
    """How many windows before the newest one it is compared with (2 to 1000)."""
    min_trailing: Annotated[int, Strict(), Field(ge=2)] = 3
    """Fewer trailing windows with runs than this: the cohort is said, not judged. At
    least 2 (a spread needs two), at most ``trailing``."""
    min_runs: PositiveCount = 20
    """Fewer runs than this in a window: the window is said, not judged."""
    completion: DropAlert = Field(default_factory=DropAlert)
    """Mean task_completion, over the runs whose task states something to check."""
    pass_rate: DropAlert = Field(default_factory=DropAlert)
    """The share of judged runs that passed."""
    final_step: DropAlert = Field(default_factory=DropAlert)
    """The share of runs that reached a final step within their budget."""
    tail: TailDropAlert = Field(default_factory=TailDropAlert)
    """The worst decile of task_completion."""
    steps: StepShiftAlert = Field(default_factory=StepShiftAlert)
    """The step-count distribution."""
    cost: IncreaseAlert = Field(default_factory=IncreaseAlert)
    """Mean cost per run (usage.cost_usd)."""
    tokens: IncreaseAlert = Field(default_factory=IncreaseAlert)
    """Mean tokens per run (usage input_tokens + output_tokens)."""
    latency: IncreaseAlert = Field(default_factory=IncreaseAlert)
    """The median and the 90th percentile of usage.latency_ms, each on its own."""
    errors: ShareAlert = Field(default_factory=ShareAlert)
    """Runs with status error or timeout that were the agent's (or of unknown cause)."""
    budget: ShareAlert = Field(default_factory=ShareAlert)
    """Runs that ran out of their step budget."""
    tool_errors: ShareAlert = Field(default_factory=ShareAlert)
    """Tool calls that failed, of all the tool calls of the window's runs."""
    infrastructure: OutageAlert = Field(default_factory=OutageAlert)
    """Runs that failed for infrastructure reasons."""
    vanished: VanishedAlert = Field(default_factory=VanishedAlert)
    """A cohort the trailing windows had and the judged window has no runs of."""

    @model_validator(mode="after")
    def _reachable(self) -> MonitorSettings:
        if self.min_trailing > self.trailing:
            raise PydanticCustomError(
                "min_trailing",
                "min_trailing ({least}) is more than trailing ({most}): no cohort could ever "
                "be judged; lower min_trailing or raise trailing",
                {"least": self.min_trailing, "most": self.trailing},
            )
        return self
