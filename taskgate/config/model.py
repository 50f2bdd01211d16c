"""The config model: every key taskgate.yaml can set, with its default and the docstring
that ``taskgate schema config`` shows for it. Loading a file is :mod:`taskgate.config.load`'s
job; the gate's sections are :mod:`taskgate.config.gate_settings`."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    Strict,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from taskgate.config.fields import (
    SUPPORTED_VERSIONS,
    WEIGHT_TOLERANCE,
    ArgumentMatch,
    CohortName,
    PassRule,
    Section,
    Share,
    ThresholdKey,
    TrajectoryPart,
    check_weights,
)
from taskgate.config.gate_settings import GateSettings
from taskgate.config.messages import format_number
from taskgate.config.monitor_settings import MonitorSettings
from taskgate.model.names import METRIC_NAMES, THRESHOLD_NAMES, CallOrder
from taskgate.model.record import RESERVED_COHORT_KEYS, OutcomeMode


class TaskCompletionWeights(Section):
    """How much each part of task_completion counts; a part left out counts 0."""

    final_step: Share = 0.0
    """Reaching a final step within the step budget."""
    outcome: Share = 0.0
    """The final result matching the expected result."""
    criteria: Share = 0.0
    """The share of success criteria met."""

    @model_validator(mode="after")
    def _sum_to_one(self) -> TaskCompletionWeights:
        check_weights([self.final_step, self.outcome, self.criteria])
        return self


class TaskCompletionSettings(Section):
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


class TrajectorySettings(Section):
    """Settings of the trajectory_score blend."""

    weights: dict[TrajectoryPart, Share] = Field(
        default_factory=lambda: dict(DEFAULT_TRAJECTORY_WEIGHTS)
    )
    """Weight of each metric in the blend; a metric left out counts 0; they must sum to 1."""

    @field_validator("weights")
    @classmethod
    def _sum_to_one(cls, weights: dict[TrajectoryPart, float]) -> dict[TrajectoryPart, float]:
        check_weights(list(weights.values()))
        return weights


class FunctionCallSettings(Section):
    """Settings of the function_calls evaluator."""

    order: CallOrder = "unordered"
    """How expected calls are matched when a task does not set call_order."""
    arguments: ArgumentMatch = "exact"
    """How arguments are compared: exact, subset or superset of the expected ones, or ignored."""


class GroundingSettings(Section):
    """Settings of the grounding evaluator."""

    required: Annotated[bool, Strict()] = False
    """A run passes only when every fact its result states (numbers, amounts, dates, times,
    ids, codes) was seen in its tool results, observations or user messages, or derived from
    numbers it saw. Off by default: the score is reported and the gate can band it."""


_PLUGIN_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")
_FUNCTION = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*:[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")


def is_plugin_name(name: str) -> bool:
    """Lower-case letters, digits and underscores, starting with a letter; not a built-in
    metric's name."""
    return bool(_PLUGIN_NAME.fullmatch(name)) and name not in THRESHOLD_NAMES


class PluginSettings(Section):
    """A custom evaluator: a Python callable that scores each run, as a metric of its own."""

    name: Annotated[str, Strict()]
    """The metric's name in scores, reports, thresholds and regression rules: lower-case
    letters, digits and underscores, not a built-in metric's name."""
    function: Annotated[str, Strict()] | None = None
    """The callable, as module:function (the module importable, or next to the config
    file); null means the entry point of this name in the taskgate.evaluators group."""
    weight: Share = 0.0
    """The metric's share of trajectory_score; the built-in weights keep the rest in their
    proportions. 0 (the default) leaves trajectory_score as it is."""
    settings: dict[str, Any] = Field(default_factory=dict)
    """Passed to the callable with each run, as they are written here."""

    @field_validator("name")
    @classmethod
    def _a_name(cls, name: str) -> str:
        if not _PLUGIN_NAME.fullmatch(name):
            raise PydanticCustomError(
                "plugin_name",
                "'{name}' is not a plugin name: use lower-case letters, digits and "
                "underscores, starting with a letter (at most 64)",
                {"name": name},
            )
        if name in THRESHOLD_NAMES:
            raise PydanticCustomError(
                "plugin_name",
                "'{name}' is a built-in metric; give the plugin a name of its own",
                {"name": name},
            )
        return name

    @field_validator("function")
    @classmethod
    def _a_callable(cls, function: str | None) -> str | None:
        if function is not None and not _FUNCTION.fullmatch(function):
            raise PydanticCustomError(
                "plugin_function",
                "'{function}' is not module:function; write it as my_package.checks:score",
                {"function": function},
            )
        return function


class EvaluatorSettings(Section):
    """Settings of the evaluators that change scores."""

    task_completion: TaskCompletionSettings = Field(default_factory=TaskCompletionSettings)
    """Settings of task_completion."""
    trajectory_score: TrajectorySettings = Field(default_factory=TrajectorySettings)
    """Settings of trajectory_score."""
    function_calls: FunctionCallSettings = Field(default_factory=FunctionCallSettings)
    """Settings of function_calls."""
    grounding: GroundingSettings = Field(default_factory=GroundingSettings)
    """Settings of grounding."""
    plugins: tuple[PluginSettings, ...] = ()
    """Custom evaluators, each a metric of its own (see docs/plugins.md)."""

    @field_validator("plugins")
    @classmethod
    def _distinct(cls, plugins: tuple[PluginSettings, ...]) -> tuple[PluginSettings, ...]:
        names = [plugin.name for plugin in plugins]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise PydanticCustomError(
                "plugin_twice",
                "plugin names must differ; {names} given more than once",
                {"names": ", ".join(f"'{name}'" for name in twice)},
            )
        total = sum(plugin.weight for plugin in plugins)
        if total > 1 + WEIGHT_TOLERANCE:
            raise PydanticCustomError(
                "plugin_weights",
                "the plugins' weights sum to {total}; together they may have at most all of "
                "trajectory_score (1)",
                {"total": format_number(total)},
            )
        return plugins


ToolPattern = Annotated[str, Strict(), StringConstraints(min_length=1)]


class ToolSettings(Section):
    """What the config knows about the agent's tools, for every task."""

    write: tuple[ToolPattern, ...] = ()
    """Tools that change state, as names or globs (``update_*``); a task's write_tools add to
    them. A successful call to one that no expected call accounts for fails the run."""


class Threshold(Section):
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


DEFAULT_THRESHOLDS: dict[str, Threshold] = {
    "task_completion": Threshold(green=0.70, yellow=0.50),
    "trajectory_score": Threshold(green=0.70, yellow=0.50),
    # Red below 30%: fewer than one run in three did everything its task asks.
    "pass_rate": Threshold(green=0.70, yellow=0.30),
}


Band = tuple[Share, Share]


def _band(band: tuple[float, float]) -> tuple[float, float]:
    if band[0] >= band[1]:
        raise PydanticCustomError(
            "band",
            "the band's low end {low} must be below its high end {high}",
            {"low": format_number(band[0]), "high": format_number(band[1])},
        )
    return band


class AskWhen(Section):
    """Which runs the judge is asked about: those whose deterministic result is ambiguous."""

    outcome_between: Band = (0.4, 0.9)
    """An outcome score (1 equal, 0.9 matched under the task's mode, less a graded
    similarity) from the first number up to, not including, the second."""
    phrase_between: Band = (0.25, 1.0)
    """A phrase criterion's share of keywords found, from the first number up to, not
    including, the second: found in part."""

    _low_below_high = field_validator("outcome_between", "phrase_between")(_band)


class JudgeSettings(Section):
    """A command the user supplies to judge ambiguous outcomes and phrase criteria."""

    command: Annotated[str, Strict(), StringConstraints(min_length=1)]
    """Run without a shell, split as a shell splits words: one JSON request on standard
    input, one JSON verdict on standard output."""
    model_family: Annotated[str, Strict(), StringConstraints(min_length=1)]
    """The family of the model the command asks (anthropic, openai, google...); it must
    differ from the agent's: a model judging its own family inflates scores."""
    agent_family: Annotated[str, Strict(), StringConstraints(min_length=1)] | None = None
    """The agent's model family; null means each run's cohort.model_family."""
    name: Annotated[str, Strict(), StringConstraints(min_length=1)] | None = None
    """The judge's name in the cache and the reports; null means model_family and command."""
    ask_when: AskWhen = Field(default_factory=AskWhen)
    """Which outcomes and criteria are ambiguous enough to ask about."""
    criteria: Literal["phrase", "none"] = "phrase"
    """phrase: phrase criteria are asked about too; none: only outcomes."""
    cache: Annotated[str, Strict(), StringConstraints(min_length=1)] = ".taskgate/judge.jsonl"
    """Verdicts by a hash of what was judged and the judge's name (relative paths from the
    working directory); commit it and reruns ask nothing."""
    timeout_s: Annotated[float, Strict(), Field(gt=0.0, le=3600.0)] = 60.0
    """Seconds one request may take before the judge is stopped."""
    parallel: Annotated[int, Strict(), Field(ge=1, le=64)] = 4
    """Requests at once."""

    @model_validator(mode="after")
    def _another_family(self) -> JudgeSettings:
        if self.agent_family is not None and same_family(self.agent_family, self.model_family):
            raise PydanticCustomError(
                "same_family",
                "the judge's model_family '{family}' is the agent's (agent_family): a model "
                "judging its own family inflates scores; use a judge of another family",
                {"family": self.model_family},
            )
        return self

    @property
    def label(self) -> str:
        """The judge's name: as given, else its family and command."""
        return self.name or f"{self.model_family}: {self.command}"


def same_family(one: str, other: str) -> bool:
    return one.strip().casefold() == other.strip().casefold()


class Config(Section):
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
    thresholds: dict[ThresholdKey, Threshold] = Field(
        default_factory=lambda: dict(DEFAULT_THRESHOLDS)
    )
    """Green and yellow thresholds per metric mean, and for pass_rate (the share of judged
    runs that passed); names left out keep their defaults."""
    gate: GateSettings = Field(default_factory=GateSettings)
    """Gate rules."""
    monitor: MonitorSettings = Field(default_factory=MonitorSettings)
    """``taskgate monitor``: windows compared with their trailing ones, and the alerts."""
    judge: JudgeSettings | None = None
    """An opt-in judge for ambiguous outcomes and phrase criteria; null: deterministic."""

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
    def _keep_defaults(cls, thresholds: dict[str, Threshold]) -> dict[str, Threshold]:
        return {**DEFAULT_THRESHOLDS, **thresholds}

    @model_validator(mode="after")
    def _metrics_known(self) -> Config:
        """A config built in Python names only metrics that exist (a file's are checked
        where they are written, with their lines)."""
        known = {*THRESHOLD_NAMES, *(plugin.name for plugin in self.evaluators.plugins)}
        named = [*self.thresholds, *self.gate.regression.metrics]
        unknown = sorted({name for name in named if name not in known})
        if unknown:
            raise PydanticCustomError(
                "unknown_name",
                "unknown metric {names}; metrics are {choices} and the plugins' names",
                {
                    "names": ", ".join(f"'{name}'" for name in unknown),
                    "choices": ", ".join(METRIC_NAMES),
                },
            )
        return self
