"""The gate's settings: one section per rule, with its limits and level."""

from __future__ import annotations

from typing import Annotated

from pydantic import (
    Field,
    Strict,
    field_validator,
)
from pydantic_core import PydanticCustomError

from taskgate.config.fields import (
    Count,
    FailOn,
    MetricKey,
    OpenShare,
    PositiveCount,
    Ratio,
    Section,
    Share,
)
from taskgate.config.messages import format_number
from taskgate.model.names import RuleLevel

# The comparison's resamples (bootstrap.RESAMPLES, kept here so that reading a config does
# not import numpy) and so the smallest p-value its permutation test can give.
RESAMPLES = 5000
SMALLEST_P = 1 / (RESAMPLES + 1)


class SmallCohortRule(Section):
    """Cohorts with fewer runs than gate.min_cohort_size."""

    level: RuleLevel = "warn"
    """What a too-small cohort yields."""


class TailRule(Section):
    """The gap between a cohort's mean and its worst decile."""

    max_gap: Share = 0.40
    """Largest allowed gap between the mean and the tail."""
    level: RuleLevel = "warn"
    """What a wider gap yields. warn by default: an agent that passes 90% of its runs has a
    worst decile of outright failures, so the gap is wide even for a good release; the tail
    regression rule catches a worst decile that gets worse."""


class WorstCohortRule(Section):
    """The gap between the overall mean and the worst cohorts of a dimension."""

    max_gap: Share = 0.15
    """Largest allowed gap between the overall mean and the worst decile of cohorts."""
    level: RuleLevel = "fail"
    """What a wider gap yields."""


class RegressionRule(Section):
    """Drops against the baseline."""

    metrics: tuple[MetricKey, ...] = ("task_completion", "trajectory_score")
    """Metrics compared with the baseline: built-in ones or plugins'."""
    max_drop: Share = 0.03
    """Largest allowed drop of a mean."""
    tail_max_drop: Share = 0.05
    """Largest allowed drop of a tail."""
    alpha: OpenShare = 0.05
    """A drop counts only when its one-sided p-value is below this."""

    @field_validator("alpha")
    @classmethod
    def _reachable(cls, alpha: float) -> float:
        if alpha <= SMALLEST_P:
            raise PydanticCustomError(
                "alpha_unreachable",
                "{alpha} can never be reached: the test's smallest p-value is 1/{draws} "
                "(about {smallest}); give 0.0003 or more",
                {
                    "alpha": format_number(alpha),
                    "draws": RESAMPLES + 1,
                    "smallest": format_number(round(SMALLEST_P, 6)),
                },
            )
        return alpha

    power: Annotated[float, Strict(), Field(ge=0.5, lt=1.0, allow_inf_nan=False)] = 0.8
    """The chance a comparison must have of catching a drop of max_drop; below it the
    comparison is underpowered (gate.underpowered)."""
    level: RuleLevel = "fail"
    """What a significant drop yields."""


class UnderpoweredRule(Section):
    """Comparisons with the baseline too small to detect the allowed drops."""

    level: RuleLevel = "warn"
    """What such a comparison yields. warn by default: the gate says it cannot tell, and a
    team that needs to know sets fail."""


class BehaviourRule(Section):
    """Runs that behave differently from the baseline's: tools called more or less often,
    calls that appeared or vanished, significantly more steps per run."""

    level: RuleLevel = "off"
    """What a changed behaviour yields. off by default: it is always in the report, and a
    changed path is no failure by itself."""


class PassKRule(Section):
    """The pass^k floor."""

    k: PositiveCount = 1
    """How many trials of a task must all pass."""
    min: Share = 0.0
    """Lowest allowed pass^k."""
    level: RuleLevel = "fail"
    """What a lower pass^k yields."""


class StepDriftRule(Section):
    """Growth of the mean step count against the baseline."""

    max_relative_increase: Ratio = 0.25
    """Largest allowed increase, as a fraction of the baseline (0.25 = 25%)."""
    level: RuleLevel = "warn"
    """What a larger increase yields."""


class CostPerPassRule(Section):
    """Growth of the cost per passed run against the baseline."""

    max_relative_increase: Ratio = 0.50
    """Largest allowed increase, as a fraction of the baseline (0.50 = 50%)."""
    level: RuleLevel = "warn"
    """What a larger increase yields."""


class InvalidRunsRule(Section):
    """Lines of the run file that cannot be read as run records."""

    max: Count = 0
    """How many may be skipped (and reported) before the input is refused."""


class UnderspecifiedRule(Section):
    """Unjudged runs: their task states nothing to check beyond a final step."""

    max_share: Share = 0.0
    """Share of unjudged runs above which a finding is raised."""
    level: RuleLevel = "fail"
    """What a larger share yields. fail by default: a run that cannot be judged is not a
    pass, and a gate that cannot judge must not pass."""


class NeverPassedRule(Section):
    """Tasks that failed every one of their trials, which a pooled pass rate hides."""

    min_trials: PositiveCount = 2
    """Only tasks with at least this many trials count: one failed trial is not a pattern."""
    level: RuleLevel = "warn"
    """What such tasks yield."""


class NewlyFailingRule(Section):
    """Tasks whose every baseline trial passed and every trial now fails."""

    level: RuleLevel = "fail"
    """What such a task yields when the flip beats chance (its Fisher p-value, corrected
    over every shared task, below gate.regression.alpha); flips within chance are listed
    as a warning."""


class MustPassRule(Section):
    """Tasks marked ``must_pass: true``."""

    level: RuleLevel = "fail"
    """What a failed, unjudged or missing trial of such a task yields."""


class InfrastructureRule(Section):
    """Runs that failed because what the agent ran on failed (error_kind: infrastructure)."""

    max_share: Share = 0.05
    """Share of such runs above which the gate cannot judge the agent."""
    level: RuleLevel = "fail"
    """What a larger share yields; below it, a warning names the count."""


class CoverageRule(Section):
    """Golden tasks with no run: in the baseline, or in the --tasks file."""

    max_missing: int | float = 0
    """How many tasks may have no run: a count (0, 1, 2...) or a share below 1 (0.05)."""
    level: RuleLevel = "fail"
    """What more missing tasks yield. fail by default: the tasks a harness did not run are
    often the ones that would have failed."""

    @field_validator("max_missing", mode="before")
    @classmethod
    def _count_or_share(cls, value: object) -> object:
        count = isinstance(value, int) and not isinstance(value, bool) and value >= 0
        share = isinstance(value, float) and 0.0 <= value < 1.0
        if not (count or share):
            raise PydanticCustomError(
                "max_missing",
                "expected a count of tasks (0, 1, 2...) or a share below 1 (0.05)",
            )
        return value

    def allows(self, missing: int, expected: int) -> bool:
        if isinstance(self.max_missing, int):
            return missing <= self.max_missing
        return expected > 0 and missing / expected <= self.max_missing


class TaskDefinitionsRule(Section):
    """Runs sharing a task_id whose tasks differ (expected result, criteria, calls...)."""

    level: RuleLevel = "warn"
    """What such task ids yield."""


class CohortValuesRule(Section):
    """Dimensions too wide to break down: an id or a free text used as a cohort key."""

    max_values: PositiveCount = 200
    """A dimension with more distinct values is not broken down into cohorts."""
    max_length: PositiveCount = 200
    """Nor is one with a value longer than this many characters."""
    level: RuleLevel = "warn"
    """What such a dimension yields. warn by default, as for cohorts too small to judge:
    an id used as a cohort key makes cohorts of one run, which no rule could judge."""


class GateSettings(Section):
    """The rules that decide whether the release passes."""

    fail_on: FailOn = "red"
    """Cohort status that fails the gate."""
    min_cohort_size: PositiveCount = 10
    """Cohorts with fewer runs are too small to judge."""
    small_cohort: SmallCohortRule = Field(default_factory=SmallCohortRule)
    """Rule for cohorts that are too small."""
    tail: TailRule = Field(default_factory=TailRule)
    """Rule for the gap between mean and tail."""
    worst_cohort: WorstCohortRule = Field(default_factory=WorstCohortRule)
    """Rule for the worst cohorts of a dimension."""
    regression: RegressionRule = Field(default_factory=RegressionRule)
    """Rule for drops against the baseline."""
    underpowered: UnderpoweredRule = Field(default_factory=UnderpoweredRule)
    """Rule for comparisons that cannot detect max_drop."""
    behaviour: BehaviourRule = Field(default_factory=BehaviourRule)
    """Rule for behaviour that changed against the baseline."""
    pass_k: PassKRule = Field(default_factory=PassKRule)
    """Rule for the pass^k floor."""
    step_drift: StepDriftRule = Field(default_factory=StepDriftRule)
    """Rule for step-count growth."""
    cost_per_pass: CostPerPassRule = Field(default_factory=CostPerPassRule)
    """Rule for cost-per-pass growth."""
    invalid_runs: InvalidRunsRule = Field(default_factory=InvalidRunsRule)
    """Rule for unreadable run records."""
    underspecified: UnderspecifiedRule = Field(default_factory=UnderspecifiedRule)
    """Rule for underspecified runs."""
    never_passed: NeverPassedRule = Field(default_factory=NeverPassedRule)
    """Rule for tasks that failed every trial."""
    newly_failing: NewlyFailingRule = Field(default_factory=NewlyFailingRule)
    """Rule for tasks that went from passing every trial to failing every trial."""
    must_pass: MustPassRule = Field(default_factory=MustPassRule)
    """Rule for must_pass tasks."""
    coverage: CoverageRule = Field(default_factory=CoverageRule)
    """Rule for golden tasks the runs did not cover."""
    infrastructure: InfrastructureRule = Field(default_factory=InfrastructureRule)
    """Rule for runs that failed for infrastructure reasons."""
    cohort_values: CohortValuesRule = Field(default_factory=CohortValuesRule)
    """Rule for dimensions with too many or too long values."""
    task_definitions: TaskDefinitionsRule = Field(default_factory=TaskDefinitionsRule)
    """Rule for task ids whose runs state different tasks."""
