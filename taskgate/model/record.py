"""The run record (SPEC §2) as pydantic models.

Records are validated once on the way in; evaluators then read plain, typed
attributes. Unknown fields are kept (``extra="allow"``) and ignored.
"""

from __future__ import annotations

import hashlib
import unicodedata
from datetime import datetime, timezone
from typing import Annotated, Any, Literal

import orjson
import regex
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Strict,
    StringConstraints,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)

from taskgate.model.jsondepth import decode_task_json_text
from taskgate.model.messages import show_value
from taskgate.model.names import CallOrder
from taskgate.model.trajectory import Step

RunStatus = Literal["completed", "error", "timeout"]
ErrorKind = Literal["agent", "infrastructure"]
"""What failed in a run that errored: the agent, or what it ran on (model API, harness)."""
OutcomeMode = Literal["exact", "contains", "numeric", "subset"]
"""How final_result is judged against expected_result (SPEC §3)."""
ArgumentMode = Literal["exact", "numeric", "fuzzy", "regex", "ignore", "subset"]
"""How one argument of an expected call is compared with the call made."""
CRITERION_CHECKS = (
    "tool_called",
    "result_contains",
    "result_matches",
    "observation_contains",
    "not",
)

_RECORD = ConfigDict(extra="allow", frozen=True, coerce_numbers_to_str=False)


class CalledTool(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)

    @field_validator("arguments", mode="before")
    @classmethod
    def _decode(cls, value: Any) -> Any:
        return {} if value is None else decode_task_json_text(value)


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
    """The arguments the call must have; absent or null asks only for the tool."""
    turn: int | None = Field(default=None, ge=1)
    """The user turn (from 1) the call belongs to: met only by a call made after the N-th
    user message and before the next one."""
    match: dict[str, ArgumentMode] | None = None
    """How named arguments are compared; the rest follow function_calls.arguments."""
    optional: bool = False
    """A call the reference made that the task does not require (a look-up on the way to
    a state change): it earns credit when made and is never a failed check when missing."""

    @field_validator("arguments", mode="before")
    @classmethod
    def _decode(cls, value: Any) -> Any:
        return decode_task_json_text(value)

    @model_validator(mode="after")
    def _patterns_compile(self) -> ExpectedCall:
        # A pattern that cannot compile is the task's mistake: said when the record is read.
        for key, mode in (self.match or {}).items():
            if mode != "regex" or not isinstance(self.arguments, dict) or key not in self.arguments:
                continue
            pattern = self.arguments[key]
            if not isinstance(pattern, str):
                raise ValueError(
                    f"match.{key} is regex, so arguments.{key} must be a regular expression "
                    f"(a string), got {show_value(pattern)}"
                )
            try:
                regex.compile(pattern)
            except regex.error as exc:
                raise ValueError(
                    f"arguments.{key} is not a valid regular expression ({exc}); fix the pattern"
                ) from None
        return self


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
    outcome_match: OutcomeMode | None = None
    """How final_result is judged against expected_result; None means the config's."""
    outcome_tolerance: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    """With outcome_match numeric: how far a number may be from the expected one."""
    write_tools: list[str] | None = None
    """Tools that change state (names or globs such as ``update_*``). A successful call to
    one that no expected call accounts for fails the run."""
    must_pass: bool = False
    """Any failed (or unjudged) trial of this task fails the gate."""
    expected_handoffs: list[Annotated[str, StringConstraints(min_length=1)]] | None = None
    """The agents the run must hand off to (a multi-agent run's handoff steps' ``to``),
    under the call order: in order for ``strict``, none beyond these for ``subset``."""

    @field_validator("expected_result")
    @classmethod
    def _expected_not_too_deep(cls, value: Any) -> Any:
        # A JSON string is compared as the value it encodes; one too deep to compare is the
        # task's mistake (compared as text, it would match results it should not).
        if isinstance(value, str):
            decode_task_json_text(value)
        return value


MAX_TRIAL = 1_000_000
"""No golden set runs a task more often; a larger number is a writer's bug (2^64 - 1)."""

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
    trial: Annotated[int, Strict(), Field(ge=0, le=MAX_TRIAL)] | None = None
    """Which run of its task this is: 0, 1, 2... (a whole number, not 2.0)."""
    cohort: dict[str, CohortValue] = Field(default_factory=dict)
    task: Task | None = None
    """Absent when the task comes from ``--tasks``."""
    steps: list[Step] = Field(default_factory=list)
    final_result: Any = None
    status: RunStatus = "completed"
    error_kind: ErrorKind | None = None
    """With status error or timeout: ``infrastructure`` when the model API, the network or
    the harness failed (rate limits, 5xx, auth), ``agent`` when the agent did; None: unknown."""
    step_budget_exceeded: bool = False
    usage: Usage = Field(default_factory=Usage)
    labels: dict[str, Any] = Field(default_factory=dict)
    """An outside judgment (e.g. a benchmark's reward); never used for scoring."""
    started_at: datetime | None = None
    """When the run started: an RFC 3339 time with its UTC offset. ``monitor`` puts the
    run in the window this falls in; ``score`` does not use it."""
    trace_id: Annotated[str, Field(min_length=1)] | None = None
    """The run's trace in the tracing system it came from (32 hex digits for OpenTelemetry)."""
    span_id: Annotated[str, Field(min_length=1)] | None = None
    """The span of the run's top operation in that trace (16 hex digits for OpenTelemetry)."""

    @field_validator("started_at", mode="before")
    @classmethod
    def _rfc3339(cls, value: Any) -> Any:
        return None if value is None else rfc3339(value)

    @field_validator("error_kind")
    @classmethod
    def _error_kind_needs_an_error(cls, kind: str | None, info: ValidationInfo) -> str | None:
        if kind is not None and info.data.get("status") == "completed":
            raise ValueError(
                "error_kind says what failed in a run with status error or timeout, and this "
                "run's status is completed; set status, or drop error_kind"
            )
        return kind

    @field_validator("cohort", mode="before")
    @classmethod
    def _cohort_labels(cls, value: Any) -> Any:
        # Cohort values are labels: 3, 3.0, "3" and 3e0 name one cohort, and so do the
        # composed and decomposed spellings of "Café", which print the same.
        if not isinstance(value, dict):
            return value
        labels = {}
        for key, item in value.items():
            name = unicodedata.normalize("NFC", key) if isinstance(key, str) else key
            if name in RESERVED_COHORT_KEYS:
                meaning = RESERVED_COHORT_KEYS[name]
                raise ValueError(
                    f"the cohort key {name!r} is taskgate's own ({meaning}); rename the key"
                )
            labels[name] = _label(item)
        return labels


_RFC3339 = regex.compile(r"\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:[Zz]|[+-]\d\d:\d\d)")


def rfc3339(value: Any) -> datetime:
    """An RFC 3339 time as an aware datetime in UTC; ValueError saying what is wrong.

    The offset is required: a time without one names a different instant on every
    machine's clock, so the window it falls in would depend on where the monitor ran."""
    example = "such as 2026-11-03T14:22:05Z or 2026-11-03T15:22:05+01:00"
    if not isinstance(value, str) or not _RFC3339.fullmatch(value):
        got = show_value(value)
        raise ValueError(f"expected an RFC 3339 time with a UTC offset, {example}; got {got}")
    text = value[:-1] + "+00:00" if value[-1] in "Zz" else value
    digits = regex.search(r"\.(\d+)", text)
    if digits is not None and len(digits.group(1)) > 6:  # datetime keeps microseconds
        text = text.replace(digits.group(0), "." + digits.group(1)[:6], 1)
    try:
        moment = datetime.fromisoformat(text).astimezone(timezone.utc)
    except (ValueError, OverflowError) as exc:
        raise ValueError(f"not a valid time ({exc}); give one {example}") from None
    if not EARLIEST <= moment < LATEST:
        raise ValueError(
            f"{value} is outside the times taskgate takes (from {EARLIEST:%Y} to before "
            f"{LATEST:%Y}); check the clock that wrote it"
        )
    return moment


EARLIEST = datetime(1970, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(2200, 1, 1, tzinfo=timezone.utc)
"""The times ``rfc3339`` takes: a run, a window or a --now outside them is a broken clock,
and window arithmetic near the ends of ``datetime`` would overflow."""


RESERVED_COHORT_KEYS = {
    "all": "the cohort of every run",
    "step_budget_exceeded": "the derived dimension of runs that ran out of steps",
}


def _label(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    return value


def task_digest(task: Task | None) -> str | None:
    """A short hash of a task's definition: equal for runs that state the same task."""
    if task is None:
        return None
    # Keys sorted: the same arguments written in another order state the same task.
    # Defaults left out: a null and a missing key state the same task.
    stated = task.model_dump(mode="json", exclude_defaults=True)
    canonical = orjson.dumps(stated, option=orjson.OPT_SORT_KEYS)
    return hashlib.blake2b(canonical, digest_size=8).hexdigest()
