"""The run record (SPEC §2) as pydantic models.

Records are validated once on the way in; evaluators then read plain, typed
attributes. Unknown fields are kept (``extra="allow"``) and ignored.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import orjson
import regex
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    GetCoreSchemaHandler,
    Tag,
    field_validator,
    model_validator,
)
from pydantic_core import CoreSchema, core_schema
from typing_extensions import NotRequired, TypedDict

from taskgate.messages import show_value

CallOrder = Literal["strict", "unordered", "subset", "superset"]
RunStatus = Literal["completed", "error", "timeout"]
CRITERION_CHECKS = (
    "tool_called",
    "result_contains",
    "result_matches",
    "observation_contains",
    "not",
)

_RECORD = ConfigDict(extra="allow", frozen=True, coerce_numbers_to_str=False)


def decode_arguments(value: Any) -> Any:
    """Tool-call arguments may arrive as a JSON string; compare them by value.

    A string that is not valid JSON is kept as it is: broken arguments are the
    agent's mistake, to be scored, not an input error.
    """
    if isinstance(value, str):
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            return value
    return value


# The fields of a tool call and of a step, as pydantic checks them. The functional form
# names them as a record's JSON Schema should show them (`taskgate schema record`).
_ToolCallFields = TypedDict(  # type: ignore[name-match]  # noqa: UP013
    "ToolCall",
    {
        "name": str,
        "arguments": NotRequired[Any],
        "result": NotRequired[Any],
        "error": NotRequired[Any],
    },
)
_ToolCallFields.__pydantic_config__ = ConfigDict(extra="allow")  # type: ignore[attr-defined]
_StepFields = TypedDict(  # type: ignore[name-match]  # noqa: UP013
    "Step",
    {
        "thought": str | None,
        "message": str | None,
        "tool_calls": "list[ToolCall] | None",
        "observation": Any,
        "is_final": bool,
    },
    total=False,
)
_StepFields.__pydantic_config__ = ConfigDict(extra="allow")  # type: ignore[attr-defined]


class ToolCall:
    """One tool call, as the agent made it.

    Steps and calls are most of a record, and a file holds hundreds of thousands of them:
    pydantic checks their fields as plain dicts (in Rust, with the same messages and
    locations as for a model) and these small classes hold the result, at a third of the
    cost of a model object each.
    """

    __slots__ = ("arguments", "error", "extra", "name", "result")
    _FIELDS = ("name", "arguments", "result", "error")

    name: str
    """The tool's name as the agent called it."""
    arguments: Any
    """An object, or a JSON string of one (decoded on the way in)."""
    result: Any
    """What the tool returned."""
    error: Any
    """Set when the call failed; any non-empty value counts as an error."""
    extra: dict[str, Any]
    """Fields the record has beyond these, kept as they came."""

    def __init__(
        self, name: str, arguments: Any = None, result: Any = None, error: Any = None, **extra: Any
    ) -> None:
        self.name = name
        self.arguments = decode_arguments(arguments)
        self.result = result
        self.error = error
        self.extra = extra

    @property
    def failed(self) -> bool:
        return self.error not in (None, "", False, {}, [])

    def as_dict(self, exclude_none: bool = False) -> dict[str, Any]:
        """The call as a record holds it: its fields in order, then the extra ones."""
        return _fields_dict(self, self._FIELDS, exclude_none)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ToolCall) and self.as_dict() == other.as_dict()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"ToolCall({self.as_dict(exclude_none=True)!r})"

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return _built_from(cls, handler.generate_schema(_ToolCallFields))


class Step:
    """One step of a trajectory; see ToolCall for why this is not a pydantic model."""

    __slots__ = ("extra", "is_final", "message", "observation", "thought", "tool_calls")
    _FIELDS = ("thought", "message", "tool_calls", "observation", "is_final")

    thought: str | None
    """The agent's reasoning; never counted as evidence that a criterion was met."""
    message: str | None
    """What the agent said to the user at this step."""
    tool_calls: list[ToolCall]
    observation: Any
    """What the agent observed after acting (text or any JSON value)."""
    is_final: bool
    """The agent declared the task finished at this step."""
    extra: dict[str, Any]
    """Fields the record has beyond these, kept as they came."""

    def __init__(
        self,
        thought: str | None = None,
        message: str | None = None,
        tool_calls: list[ToolCall] | None = None,
        observation: Any = None,
        is_final: bool = False,
        **extra: Any,
    ) -> None:
        self.thought = thought
        self.message = message
        self.tool_calls = [] if tool_calls is None else tool_calls
        self.observation = observation
        self.is_final = is_final
        self.extra = extra

    def as_dict(self, exclude_none: bool = False) -> dict[str, Any]:
        """The step as a record holds it: its fields in order, then the extra ones."""
        data = _fields_dict(self, self._FIELDS, exclude_none)
        data["tool_calls"] = [call.as_dict(exclude_none) for call in self.tool_calls]
        return data

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Step) and self.as_dict() == other.as_dict()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Step({self.as_dict(exclude_none=True)!r})"

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return _built_from(cls, handler.generate_schema(_StepFields))


def _fields_dict(
    value: Step | ToolCall, names: tuple[str, ...], exclude_none: bool
) -> dict[str, Any]:
    data = {name: getattr(value, name) for name in names}
    data.update(value.extra)
    return {k: v for k, v in data.items() if v is not None} if exclude_none else data


def _built_from(cls: type[Step] | type[ToolCall], fields: CoreSchema) -> CoreSchema:
    """Check the fields as a dict, then build ``cls`` from it; write it back as that dict."""
    return core_schema.no_info_after_validator_function(
        lambda data: cls(**data),
        fields,
        serialization=core_schema.plain_serializer_function_ser_schema(
            lambda value, info: value.as_dict(bool(info.exclude_none)), info_arg=True
        ),
    )


class CalledTool(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)

    @field_validator("arguments", mode="before")
    @classmethod
    def _decode(cls, value: Any) -> Any:
        return {} if value is None else decode_arguments(value)


def _tool_kind(value: Any) -> str:
    return "tool-name" if isinstance(value, str) else "tool-call"


WantedTool = Annotated[
    Annotated[str, Tag("tool-name")] | Annotated[CalledTool, Tag("tool-call")],
    Discriminator(_tool_kind),
]
"""A tool's name, or a call with arguments; the tag spares messages the other member's errors."""


class Criterion(BaseModel):
    """A structured success criterion: an optional id and exactly one check."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str | None = None
    tool_called: WantedTool | None = None
    """Met when a call to this tool (with these arguments, if given) succeeded."""
    result_contains: str | None = None
    """Met when the text stands as whole words in the final result."""
    result_matches: str | None = None
    """Met when this regular expression matches the final result."""
    observation_contains: str | None = None
    """Met when the text stands as whole words in an observation or tool result."""
    not_: SuccessCriterion | None = Field(default=None, alias="not")
    """Met when the inner criterion is not."""

    @field_validator("tool_called", mode="before")
    @classmethod
    def _name_or_call(cls, value: Any) -> Any:
        # A number or a list: say what may stand here, not only what the object form wants.
        if value is None or isinstance(value, str | dict):
            return value
        raise ValueError(
            f"expected a tool name or an object with name and arguments, got {show_value(value)}"
        )

    @field_validator("result_matches")
    @classmethod
    def _compiles(cls, pattern: str | None) -> str | None:
        if pattern is not None:
            try:
                regex.compile(pattern)
            except regex.error as exc:
                raise ValueError(
                    f"not a valid regular expression ({exc}); fix the pattern"
                ) from None
        return pattern

    @model_validator(mode="after")
    def _exactly_one_check(self) -> Criterion:
        given = [name for name in CRITERION_CHECKS if self.check_value(name) is not None]
        if len(given) != 1:
            found = ", ".join(given) if given else "none"
            raise ValueError(
                f"a criterion needs exactly one of {', '.join(CRITERION_CHECKS)}; found {found}"
            )
        return self

    def check_value(self, name: str) -> Any:
        return self.not_ if name == "not" else getattr(self, name)

    @property
    def check(self) -> str:
        return next(n for n in CRITERION_CHECKS if self.check_value(n) is not None)


def _criterion_kind(value: Any) -> str:
    return "phrase" if isinstance(value, str) else "check"


SuccessCriterion = Annotated[
    Annotated[str, Tag("phrase")] | Annotated[Criterion, Tag("check")],
    Discriminator(_criterion_kind),
]
"""A phrase, or an object with one structured check."""
Criterion.model_rebuild()


class ExpectedCall(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    name: str
    arguments: Any = None

    @field_validator("arguments", mode="before")
    @classmethod
    def _decode(cls, value: Any) -> Any:
        return decode_arguments(value)


class Task(BaseModel):
    """The golden expectation for a task."""

    model_config = _RECORD

    description: str | None = None
    expected_result: Any = None
    """Any JSON value; absent or null means the task states no expected result."""
    success_criteria: list[SuccessCriterion] = Field(default_factory=list)
    required_tools: list[str] = Field(default_factory=list)
    forbidden_tools: list[str] = Field(default_factory=list)
    available_tools: list[str] | None = None
    """None means the tool set is unknown: no call can be judged hallucinated."""
    expected_calls: list[ExpectedCall] = Field(default_factory=list)
    call_order: CallOrder | None = None
    """None means the config's function_calls.order applies."""
    optimal_steps: int | None = Field(default=None, ge=1)
    step_budget: int | None = Field(default=None, ge=1)


MAX_COST_USD = 1_000_000.0
"""Costs are summed over runs: a bound keeps the sums finite, and no run costs more."""


class Usage(BaseModel):
    model_config = _RECORD

    input_tokens: int | None = Field(default=None, ge=0)
    output_tokens: int | None = Field(default=None, ge=0)
    cost_usd: float | None = Field(default=None, ge=0, le=MAX_COST_USD)
    latency_ms: float | None = Field(default=None, ge=0)

    @property
    def tokens(self) -> int | None:
        if self.input_tokens is None and self.output_tokens is None:
            return None
        return (self.input_tokens or 0) + (self.output_tokens or 0)


CohortValue = Annotated[str, Field(min_length=1)]


class RunRecord(BaseModel):
    """One agent run: its trajectory and, usually, its task."""

    model_config = _RECORD

    run_id: Annotated[str, Field(min_length=1)]
    task_id: Annotated[str, Field(min_length=1)]
    trial: int | None = None
    cohort: dict[str, CohortValue] = Field(default_factory=dict)
    task: Task | None = None
    """Absent when the task comes from ``--tasks``."""
    steps: list[Step] = Field(default_factory=list)
    final_result: Any = None
    status: RunStatus = "completed"
    step_budget_exceeded: bool = False
    usage: Usage = Field(default_factory=Usage)
    labels: dict[str, Any] = Field(default_factory=dict)
    """An outside judgment (e.g. a benchmark's reward); never used for scoring."""

    @field_validator("cohort", mode="before")
    @classmethod
    def _cohort_scalars_as_text(cls, value: Any) -> Any:
        # Cohort values are labels; 3 and "3" name the same cohort.
        if isinstance(value, dict):
            return {k: _label(v) for k, v in value.items()}
        return value


def _label(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value
