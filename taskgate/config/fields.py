"""The value types config keys take, and the base of every config section."""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    ValidationInfo,
)
from pydantic_core import PydanticCustomError

from taskgate.config.messages import format_number, unknown_name
from taskgate.model.names import METRIC_NAMES, THRESHOLD_NAMES

TrajectoryPart = Literal[
    "task_completion",
    "goal_progress",
    "tool_selection",
    "function_calls",
    "step_efficiency",
    "grounding",
]
FailOn = Literal["red", "yellow"]
ArgumentMatch = Literal["exact", "subset", "superset", "ignore"]
PassRule = Literal["checks", "score"]

SUPPORTED_VERSIONS = (1,)
WEIGHT_TOLERANCE = 1e-6
"""Where a value stands: keys and list positions from the top of the file."""

# Strict so that YAML's `true` is not taken for 1; strict floats still accept ints.
Share = Annotated[float, Strict(), Field(ge=0.0, le=1.0, allow_inf_nan=False)]
OpenShare = Annotated[float, Strict(), Field(gt=0.0, lt=1.0, allow_inf_nan=False)]
Ratio = Annotated[float, Strict(), Field(ge=0.0, allow_inf_nan=False)]
Count = Annotated[int, Strict(), Field(ge=0)]
PositiveCount = Annotated[int, Strict(), Field(ge=1)]
CohortName = Annotated[str, Strict(), StringConstraints(min_length=1)]


PLUGIN_NAMES = "plugin_names"
"""The validation context's key for the names of the config's plugins, read before the rest
is validated so that thresholds and regression rules can name a plugin's metric."""


def _named(what: Literal["metric", "threshold"]) -> AfterValidator:
    """A metric's name: a built-in one, or a plugin's when the context names the plugins;
    without a context (a config built in Python) Config checks the names once it has them."""
    built_in = METRIC_NAMES if what == "metric" else THRESHOLD_NAMES

    def check(name: str, info: ValidationInfo) -> str:
        plugins = (info.context or {}).get(PLUGIN_NAMES)
        if name in built_in or plugins is None or name in plugins:
            return name
        choices = [*METRIC_NAMES[:-1], *plugins, *built_in[len(METRIC_NAMES) - 1 :]]
        raise PydanticCustomError("unknown_name", unknown_name(what, name, choices))

    return AfterValidator(check)


MetricKey = Annotated[str, Strict(), _named("metric")]
"""A metric: a built-in one or a plugin's."""
ThresholdKey = Annotated[str, Strict(), _named("threshold")]
"""A metric, or pass_rate."""


def check_weights(weights: list[float]) -> None:
    total = math.fsum(weights)
    if abs(total - 1.0) > WEIGHT_TOLERANCE:
        raise PydanticCustomError(
            "weights_sum",
            "weights sum to {total}; they must sum to 1",
            {"total": format_number(total)},
        )


class Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
