"""The config model and ``load_config(path)``: taskgate.yaml, read safely, every problem listed.

Reading the YAML (with the line of every key) is :mod:`taskgate.yamldoc`'s job; wording
pydantic's errors for config keys is :mod:`taskgate.config_messages`'s.
"""

from __future__ import annotations

import hashlib
import json
import math
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from taskgate.config.messages import describe_config_error, format_number
from taskgate.errors import ConfigError, Problem
from taskgate.model.names import PASS_RATE, CallOrder, MetricName, RuleLevel, ThresholdName
from taskgate.model.record import RESERVED_COHORT_KEYS, OutcomeMode

TrajectoryPart = Literal[
    "task_completion", "goal_progress", "tool_selection", "function_calls", "step_efficiency"
]
FailOn = Literal["red", "yellow"]
ArgumentMatch = Literal["exact", "subset", "superset", "ignore"]
PassRule = Literal["checks", "score"]

SUPPORTED_VERSIONS = (1,)
WEIGHT_TOLERANCE = 1e-6
TEMPLATE_NAME = "config_template.yaml"
"""Where a value stands: keys and list positions from the top of the file."""

# Strict so that YAML's `true` is not taken for 1; strict floats still accept ints.
Share = Annotated[float, Strict(), Field(ge=0.0, le=1.0, allow_inf_nan=False)]
OpenShare = Annotated[float, Strict(), Field(gt=0.0, lt=1.0, allow_inf_nan=False)]
Ratio = Annotated[float, Strict(), Field(ge=0.0, allow_inf_nan=False)]
Count = Annotated[int, Strict(), Field(ge=0)]
PositiveCount = Annotated[int, Strict(), Field(ge=1)]
CohortName = Annotated[str, Strict(), StringConstraints(min_length=1)]


def _check_weights(weights: list[float]) -> None:
    total = math.fsum(weights)
    if abs(total - 1.0) > WEIGHT_TOLERANCE:
        raise PydanticCustomError(
            "weights_sum",
            "weights sum to {total}; they must sum to 1",
            {"total": format_number(total)},
        )


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TaskCompletionWeights(_Section):
    """How much each part of task_completion counts; a part left out counts 0."""

    final_step: Share = 0.0
    """Reaching a final step within the step budget."""
    outcome: Share = 0.0
    """The final result matching the expected result."""
    criteria: Share = 0.0
    """The share of success criteria met."""

    @model_validator(mode="after")
    def _sum_to_one(self) -> TaskCompletionWeights:
        _check_weights([self.final_step, self.outcome, self.criteria])
        return self


class TaskCompletionSettings(_Section):
    """Settings of the task_completion evaluator."""

    weights: TaskCompletionWeights = Field(
        default_factory=lambda: TaskCompletionWeights(final_step=0.2, outcome=0.5, criteria=0.3)
    )
    """Weights of final step, outcome and criteria; they must sum to 1."""
    criteria_keyword_share: Annotated[float, Strict(), Field(gt=0.0, le=1.0)] = 0.75
    """Share of a phrase criterion's keywords that must be found for it to be met."""
    outcome_match: OutcomeMode = "contains"
    """How final_result is judged against expected_result when a task sets no
    outcome_match: exact, contains, numeric or subset."""
    outcome_tolerance: Annotated[float, Strict(), Field(ge=0.0, allow_inf_nan=False)] | None = None
    """With outcome_match numeric: how far a number may be from the expected one when a
    task sets no outcome_tolerance; null means equal by value."""
    pass_rule: PassRule = "checks"
    """checks: a run passes when every check its task states holds. score: the rule of
    contract 1, task_completion at or above its green threshold."""


DEFAULT_TRAJECTORY_WEIGHTS: dict[TrajectoryPart, float] = {
    "task_completion": 0.4,
    "step_efficiency": 0.3,
    "tool_selection": 0.3,
}


class TrajectorySettings(_Section):
    """Settings of the trajectory_score blend."""

    weights: dict[TrajectoryPart, Share] = Field(
        default_factory=lambda: dict(DEFAULT_TRAJECTORY_WEIGHTS)
    )
    """Weight of each metric in the blend; a metric left out counts 0; they must sum to 1."""

    @field_validator("weights")
    @classmethod
    def _sum_to_one(cls, weights: dict[TrajectoryPart, float]) -> dict[TrajectoryPart, float]:
        _check_weights(list(weights.values()))
        return weights


class FunctionCallSettings(_Section):
    """Settings of the function_calls evaluator."""

    order: CallOrder = "unordered"
    """How expected calls are matched when a task does not set call_order."""
    arguments: ArgumentMatch = "exact"
    """How arguments are compared: exact, subset or superset of the expected ones, or ignored."""


class EvaluatorSettings(_Section):
    """Settings of the evaluators that change scores."""

    task_completion: TaskCompletionSettings = Field(default_factory=TaskCompletionSettings)
    """Settings of task_completion."""
    trajectory_score: TrajectorySettings = Field(default_factory=TrajectorySettings)
    """Settings of trajectory_score."""
    function_calls: FunctionCallSettings = Field(default_factory=FunctionCallSettings)
    """Settings of function_calls."""


ToolPattern = Annotated[str, Strict(), StringConstraints(min_length=1)]


class ToolSettings(_Section):
    """What the config knows about the agent's tools, for every task."""

    write: tuple[ToolPattern, ...] = ()
    """Tools that change state, as names or globs (``update_*``); a task's write_tools add to
    them. A successful call to one that no expected call accounts for fails the run."""


class Threshold(_Section):
    """Where a metric's mean turns from green to yellow to red."""

    green: Share
    """A mean at or above this is green."""
    yellow: Share
    """A mean at or above this (and below green) is yellow; below it, red."""

    @field_validator("yellow")
    @classmethod
    def _not_above_green(cls, yellow: float, info: ValidationInfo) -> float:
        green = info.data.get("green")
        if green is not None and yellow > green:
            raise PydanticCustomError(
                "yellow_above_green",
                "yellow ({yellow}) is above green ({green}); yellow must be at or below green",
                {"yellow": format_number(yellow), "green": format_number(green)},
            )
        return yellow


# The comparison's resamples (bootstrap.RESAMPLES, kept here so that reading a config does
# not import numpy) and so the smallest p-value its permutation test can give.
RESAMPLES = 5000
SMALLEST_P = 1 / (RESAMPLES + 1)

DEFAULT_THRESHOLDS: dict[ThresholdName, Threshold] = {
    "task_completion": Threshold(green=0.70, yellow=0.50),
    "trajectory_score": Threshold(green=0.70, yellow=0.50),
    # Red below 30%: fewer than one run in three did everything its task asks.
    "pass_rate": Threshold(green=0.70, yellow=0.30),
}


class SmallCohortRule(_Section):
    """Cohorts with fewer runs than gate.min_cohort_size."""

    level: RuleLevel = "warn"
    """What a too-small cohort yields."""


class TailRule(_Section):
    """The gap between a cohort's mean and its worst decile."""

    max_gap: Share = 0.40
    """Largest allowed gap between the mean and the tail."""
    level: RuleLevel = "warn"
    """What a wider gap yields. warn by default: an agent that passes 90% of its runs has a
    worst decile of outright failures, so the gap is wide even for a good release; the tail
    regression rule catches a worst decile that gets worse."""


class WorstCohortRule(_Section):
    """The gap between the overall mean and the worst cohorts of a dimension."""

    max_gap: Share = 0.15
    """Largest allowed gap between the overall mean and the worst decile of cohorts."""
    level: RuleLevel = "fail"
    """What a wider gap yields."""


class RegressionRule(_Section):
    """Drops against the baseline."""

    metrics: tuple[MetricName, ...] = ("task_completion", "trajectory_score")
    """Metrics compared with the baseline."""
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


class UnderpoweredRule(_Section):
    """Comparisons with the baseline too small to detect the allowed drops."""

    level: RuleLevel = "warn"
    """What such a comparison yields. warn by default: the gate says it cannot tell, and a
    team that needs to know sets fail."""


class BehaviourRule(_Section):
    """Runs that behave differently from the baseline's: tools called more or less often,
    calls that appeared or vanished, significantly more steps per run."""

    level: RuleLevel = "off"
    """What a changed behaviour yields. off by default: it is always in the report, and a
    changed path is no failure by itself."""


class PassKRule(_Section):
    """The pass^k floor."""

    k: PositiveCount = 1
    """How many trials of a task must all pass."""
    min: Share = 0.0
    """Lowest allowed pass^k."""
    level: RuleLevel = "fail"
    """What a lower pass^k yields."""


class StepDriftRule(_Section):
    """Growth of the mean step count against the baseline."""

    max_relative_increase: Ratio = 0.25
    """Largest allowed increase, as a fraction of the baseline (0.25 = 25%)."""
    level: RuleLevel = "warn"
    """What a larger increase yields."""


class CostPerPassRule(_Section):
    """Growth of the cost per passed run against the baseline."""

    max_relative_increase: Ratio = 0.50
    """Largest allowed increase, as a fraction of the baseline (0.50 = 50%)."""
    level: RuleLevel = "warn"
    """What a larger increase yields."""


class InvalidRunsRule(_Section):
    """Lines of the run file that cannot be read as run records."""

    max: Count = 0
    """How many may be skipped (and reported) before the input is refused."""


class UnderspecifiedRule(_Section):
    """Unjudged runs: their task states nothing to check beyond a final step."""

    max_share: Share = 0.0
    """Share of unjudged runs above which a finding is raised."""
    level: RuleLevel = "fail"
    """What a larger share yields. fail by default: a run that cannot be judged is not a
    pass, and a gate that cannot judge must not pass."""


class NeverPassedRule(_Section):
    """Tasks that failed every one of their trials, which a pooled pass rate hides."""

    min_trials: PositiveCount = 2
    """Only tasks with at least this many trials count: one failed trial is not a pattern."""
    level: RuleLevel = "warn"
    """What such tasks yield."""


class NewlyFailingRule(_Section):
    """Tasks whose every baseline trial passed and every trial now fails."""

    level: RuleLevel = "fail"
    """What such a task yields when the flip beats chance (its Fisher p-value, corrected
    over every shared task, below gate.regression.alpha); flips within chance are listed
    as a warning."""


class MustPassRule(_Section):
    """Tasks marked ``must_pass: true``."""

    level: RuleLevel = "fail"
    """What a failed, unjudged or missing trial of such a task yields."""


class InfrastructureRule(_Section):
    """Runs that failed because what the agent ran on failed (error_kind: infrastructure)."""

    max_share: Share = 0.05
    """Share of such runs above which the gate cannot judge the agent."""
    level: RuleLevel = "fail"
    """What a larger share yields; below it, a warning names the count."""


class CoverageRule(_Section):
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


class TaskDefinitionsRule(_Section):
    """Runs sharing a task_id whose tasks differ (expected result, criteria, calls...)."""

    level: RuleLevel = "warn"
    """What such task ids yield."""


class CohortValuesRule(_Section):
    """Dimensions too wide to break down: an id or a free text used as a cohort key."""

    max_values: PositiveCount = 200
    """A dimension with more distinct values is not broken down into cohorts."""
    max_length: PositiveCount = 200
    """Nor is one with a value longer than this many characters."""
    level: RuleLevel = "warn"
    """What such a dimension yields. warn by default, as for cohorts too small to judge:
    an id used as a cohort key makes cohorts of one run, which no rule could judge."""


class GateSettings(_Section):
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


class Config(_Section):
    """Everything taskgate.yaml can set; every key is optional."""

    version: Annotated[int, Strict()] = 1
    """Version of the config format."""
    cohorts: tuple[CohortName, ...] | None = None
    """Cohort dimensions; null means every key found in the runs' cohort objects."""

    @field_validator("cohorts")
    @classmethod
    def _not_reserved(cls, cohorts: tuple[str, ...] | None) -> tuple[str, ...] | None:
        for name in cohorts or ():
            if name in RESERVED_COHORT_KEYS:
                raise PydanticCustomError(
                    "reserved_cohort",
                    "'{name}' is always reported ({meaning}); list only keys of the runs' "
                    "cohort objects",
                    {"name": name, "meaning": RESERVED_COHORT_KEYS[name]},
                )
        return cohorts

    evaluators: EvaluatorSettings = Field(default_factory=EvaluatorSettings)
    """Evaluator settings."""
    tools: ToolSettings = Field(default_factory=ToolSettings)
    """What every task's tools are known to do."""
    thresholds: dict[ThresholdName, Threshold] = Field(
        default_factory=lambda: dict(DEFAULT_THRESHOLDS)
    )
    """Green and yellow thresholds per metric mean, and for pass_rate (the share of judged
    runs that passed); names left out keep their defaults."""
    gate: GateSettings = Field(default_factory=GateSettings)
    """Gate rules."""

    @field_validator("version")
    @classmethod
    def _supported(cls, version: int) -> int:
        if version not in SUPPORTED_VERSIONS:
            supported = ", ".join(str(v) for v in SUPPORTED_VERSIONS)
            raise PydanticCustomError(
                "version",
                "version {version} is not supported; supported versions: {supported}",
                {"version": version, "supported": supported},
            )
        return version

    @field_validator("thresholds")
    @classmethod
    def _keep_defaults(
        cls, thresholds: dict[ThresholdName, Threshold]
    ) -> dict[ThresholdName, Threshold]:
        return {**DEFAULT_THRESHOLDS, **thresholds}


def default_config() -> Config:
    """The config used when there is no config file."""
    return Config()


def resolve_config_path(explicit: Path | None, cwd: Path) -> Path | None:
    """The config to load: the one given, else ./taskgate.yaml when it exists, else none."""
    if explicit is not None:
        return explicit
    candidate = cwd / "taskgate.yaml"
    return candidate if candidate.exists() else None


def config_fingerprint(config: Config) -> str:
    """Hash of the settings that change scores and pass/fail of runs (not the gate's rules)."""
    scoring = config.model_dump(mode="json", include={"evaluators", "tools", "thresholds"})
    # The pass-rate bands judge cohorts, never a run: baselines stay comparable across them.
    scoring["thresholds"].pop(PASS_RATE, None)
    canonical = json.dumps(scoring, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def starter_config_text() -> str:
    """The commented starter config that ``taskgate init`` writes."""
    return resources.files("taskgate.config").joinpath(TEMPLATE_NAME).read_text(encoding="utf-8")


def load_config(path: Path) -> Config:
    """Read and check a config file; raise ConfigError listing every problem found."""
    from taskgate.config.yamldoc import read_yaml_mapping  # YAML is only needed with a config file

    source = str(path)
    document, data = read_yaml_mapping(path)
    config: Config | None = None
    try:
        config = Config.model_validate(data)
    except ValidationError as error:
        document.add_validation_errors(
            error.errors(), lambda details: describe_config_error(details, Config)
        )
    if config is None or document.problems:
        problems = sorted(set(document.problems), key=_problem_order)
        raise ConfigError(problems, headline=f"{source}: the config is not valid")
    return config


def _problem_order(problem: Problem) -> tuple[int, str, str]:
    return (problem.line or 0, problem.field or "", problem.message)
