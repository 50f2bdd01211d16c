"""The value types config keys take, and the base of every config section."""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
)
from pydantic_core import PydanticCustomError

from taskgate.config.messages import format_number

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
