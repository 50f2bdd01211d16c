"""The steps and tool calls of a run record.

Steps and calls are most of a record, and a file holds hundreds of thousands of them.
pydantic checks their fields as plain dicts (in Rust, with the same messages and
locations it gives for a model) and the small classes here hold the result: a third
of the cost of a model object each, with the same attributes.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import ConfigDict, GetCoreSchemaHandler
from pydantic_core import CoreSchema, core_schema
from typing_extensions import NotRequired, TypedDict

from taskgate.model.jsondepth import decode_json_text


def decode_arguments(value: Any) -> Any:
    """Tool-call arguments may arrive as a JSON string; compare them by value.

    A string that is not valid JSON, or nests too deeply to compare, is kept as it is:
    broken arguments are the agent's mistake, to be scored, not an input error.
    """
    return decode_json_text(value) if isinstance(value, str) else value


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
_HandoffFields = TypedDict("Handoff", {"from": str, "to": str})  # type: ignore[name-match]
_StepFields = TypedDict(  # type: ignore[name-match]  # noqa: UP013
    "Step",
    {
        "role": Literal["user", "agent"] | None,
        "agent": str | None,
        "handoff": _HandoffFields | None,
        "thought": str | None,
        "message": str | None,
        "tool_calls": "list[ToolCall] | None",
        "observation": Any,
        "is_final": bool,
    },
    total=False,
)
_StepFields.__pydantic_config__ = ConfigDict(extra="allow")  # type: ignore[attr-defined]


class _Part:
    """What a step and a call share: written back as a dict, compared as one."""

    __slots__ = ("extra",)
    _FIELDS: ClassVar[tuple[str, ...]]
    _CHECKED: ClassVar[Any]
    """The TypedDict pydantic checks the fields with."""

    extra: dict[str, Any]
    """Fields the record has beyond these, kept as they came."""

    def as_dict(self, exclude_none: bool = False) -> dict[str, Any]:
        """As a record holds it: the fields in order, then the extra ones."""
        data = {name: getattr(self, name) for name in self._FIELDS}
        data.update(self.extra)
        return {k: v for k, v in data.items() if v is not None} if exclude_none else data

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, _Part)
            and type(other) is type(self)
            and (self.as_dict() == other.as_dict())
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.as_dict(exclude_none=True)!r})"

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        # Check the fields as a dict, then build the object; write it back as that dict.
        return core_schema.no_info_after_validator_function(
            lambda data: cls(**data),
            handler.generate_schema(cls._CHECKED),
            serialization=core_schema.plain_serializer_function_ser_schema(
                lambda value, info: value.as_dict(bool(info.exclude_none)), info_arg=True
            ),
        )


class ToolCall(_Part):
    """One tool call, as the agent made it."""

    __slots__ = ("arguments", "error", "failed", "name", "result")
    _FIELDS = ("name", "arguments", "result", "error")
    _CHECKED = _ToolCallFields

    name: str
    """The tool's name as the agent called it."""
    arguments: Any
    """An object, or a JSON string of one (decoded on the way in)."""
    result: Any
    """What the tool returned."""
    error: Any
    """Set when the call failed; any non-empty value counts as an error."""
    failed: bool
    """error holds something: the call failed (asked of every call by several evaluators)."""

    def __init__(
        self,
        /,
        name: str,
        arguments: Any = None,
        result: Any = None,
        error: Any = None,
        **extra: Any,
    ) -> None:
        self.name = name
        self.arguments = decode_arguments(arguments)
        self.result = result
        self.error = error
        self.failed = error not in (None, "", False, {}, [])
        self.extra = extra


class Step(_Part):
    """One step of a trajectory."""

    __slots__ = (
        "agent",
        "handoff",
        "is_final",
        "message",
        "observation",
        "role",
        "thought",
        "tool_calls",
    )
    _FIELDS = (
        "role",
        "agent",
        "handoff",
        "thought",
        "message",
        "tool_calls",
        "observation",
        "is_final",
    )
    _CHECKED = _StepFields

    role: str
    """``agent`` (the default) or ``user``: a user turn of a conversation, not an agent step."""
    agent: str | None
    """Which agent took the step, in a multi-agent run."""
    handoff: dict[str, str] | None
    """``{"from": A, "to": B}`` when the step hands the run from one agent to another."""
    thought: str | None
    """The agent's reasoning; never counted as evidence that a criterion was met."""
    message: str | None
    """What the agent said to the user at this step."""
    tool_calls: list[ToolCall]
    observation: Any
    """What the agent observed after acting (text or any JSON value)."""
    is_final: bool
    """The agent declared the task finished at this step."""

    def __init__(
        self,
        /,
        role: str | None = "agent",
        agent: str | None = None,
        handoff: dict[str, str] | None = None,
        thought: str | None = None,
        message: str | None = None,
        tool_calls: list[ToolCall] | None = None,
        observation: Any = None,
        is_final: bool = False,
        **extra: Any,
    ) -> None:
        self.role = role or "agent"
        self.agent = agent
        self.handoff = handoff
        self.thought = thought
        self.message = message
        self.tool_calls = [] if tool_calls is None else tool_calls
        self.observation = observation
        self.is_final = is_final
        self.extra = extra

    @property
    def is_user(self) -> bool:
        return self.role == "user"

    def as_dict(self, exclude_none: bool = False) -> dict[str, Any]:
        data = super().as_dict(exclude_none)
        if exclude_none and self.role == "agent":
            del data["role"]  # the default, left out as nulls are: most steps are the agent's
        data["tool_calls"] = [call.as_dict(exclude_none) for call in self.tool_calls]
        return data
