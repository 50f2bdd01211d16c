"""The facts of one run that every check and evaluator reads, each computed once.

Derived views of the record only (its agent steps, calls, result, what it saw); judgments
under settings are the context's (``context.RunContext``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from taskgate.model.record import RunRecord, Task
from taskgate.model.trajectory import Step, ToolCall
from taskgate.scoring.grounding import Grounding, ground
from taskgate.scoring.outcome import FoldedObject, canonical
from taskgate.scoring.text import KeywordIndex, text_of, tokens

_NO_TASK = Task()
HANDLED_BY = "handled_by"
"""The derived cohort key of runs that name their agents."""
TOP_LEVEL = "(top-level)"
"""The ``handled_by`` value of the unnamed top-level agent."""


@dataclass
class RegexClock:
    """Seconds the task's regular expressions have searched this run's result, all told."""

    spent: float = 0.0


class RunFacts:
    """The run's facts. What every run needs is read when the context is made; the rest is
    worked out when first asked for and kept in a declared attribute (``_name``, unset until
    then): plain attributes, not ``functools.cached_property``, which keeps its values in an
    instance ``__dict__`` that compiled classes do not have."""

    __slots__ = (
        "__weakref__",
        "_asked",
        "_call_turns",
        "_control",
        "_evidence",
        "_expected_places",
        "_final_agent",
        "_folded_arguments",
        "_grounding",
        "_handled_by",
        "_observation_words",
        "_observed",
        "_result_tokens",
        "_working_calls",
        "agent_steps",
        "budget_exhausted",
        "calls",
        "has_final_step",
        "record",
        "regex_clock",
        "result",
        "result_text",
    )
    record: RunRecord
    regex_clock: RegexClock
    agent_steps: tuple[Step, ...]
    """The agent's steps: a user turn is the other side of the conversation, never a step of
    the agent's for efficiency, budgets or failure shapes."""
    calls: tuple[ToolCall, ...]
    has_final_step: bool
    budget_exhausted: bool
    result: Any
    """final_result, or else the message of the last step marked final."""
    result_text: str
    _asked: bool
    _call_turns: tuple[int, ...]
    _control: tuple[bool, str | None]
    _evidence: KeywordIndex
    _expected_places: dict[int, tuple[int, int]]
    _final_agent: str | None
    _folded_arguments: dict[int, Any]
    _grounding: Grounding
    _handled_by: str | None
    _observation_words: str
    _observed: _Observed
    _result_tokens: tuple[str, ...]
    _working_calls: dict[str, list[int]]

    def __init__(self, record: RunRecord) -> None:
        self.record = record
        self.regex_clock = RegexClock()
        self.agent_steps = agent_steps = agent_steps_of(record)
        self.calls = calls_of(agent_steps)
        self.has_final_step = any(step.is_final for step in agent_steps)
        budget = self.task.step_budget
        self.budget_exhausted = record.step_budget_exceeded or (
            budget is not None and len(agent_steps) > budget
        )
        if record.final_result not in (None, ""):
            self.result = record.final_result
        else:
            finals = [step.message for step in agent_steps if step.is_final and step.message]
            self.result = finals[-1] if finals else None
        self.result_text = text_of(self.result)
        self._folded_arguments = {}

    @property
    def task(self) -> Task:
        return self.record.task or _NO_TASK

    @property
    def call_turns(self) -> tuple[int, ...]:
        """For each call, the user turn it answers: how many user turns came before it (0 for a
        call before any user message)."""
        try:
            return self._call_turns
        except AttributeError:
            turns: list[int] = []
            turn = 0
            for step in self.record.steps:
                if step.is_user:
                    turn += 1
                else:
                    turns += [turn] * len(step.tool_calls)
            self._call_turns = tuple(turns)
            return self._call_turns

    def canonical_arguments(self, index: int) -> Any:
        """The arguments of call ``index`` as canonical() has them (none given: {}); only
        calls to an expected tool are asked for, so each is folded when first needed."""
        folded = self._folded_arguments
        if index not in folded:
            folded[index] = _canonical(self.calls[index])
        return folded[index]

    @property
    def working_calls(self) -> dict[str, list[int]]:
        """The calls that did not fail, by tool name, in order."""
        try:
            return self._working_calls
        except AttributeError:
            by_name: dict[str, list[int]] = {}
            for index, call in enumerate(self.calls):
                if not call.failed:
                    by_name.setdefault(call.name, []).append(index)
            self._working_calls = by_name
            return by_name

    @property
    def expected_places(self) -> dict[int, tuple[int, int]]:
        """Each expected call's place among the expected calls to its tool, and their number."""
        try:
            return self._expected_places
        except AttributeError:
            by_name: dict[str, list[int]] = {}
            for index, call in enumerate(self.task.expected_calls):
                by_name.setdefault(call.name, []).append(index)
            self._expected_places = {
                index: (place, len(indices))
                for indices in by_name.values()
                for place, index in enumerate(indices)
            }
            return self._expected_places

    @property
    def control(self) -> tuple[bool, str | None]:
        """Whether the run says which agent holds it at its end, and which: the last handoff's
        receiver when it hands off; the unnamed top-level agent when named steps are only a
        sub-agent's it delegated to. (bool, agent); (False, None) when it does not say."""
        try:
            return self._control
        except AttributeError:
            self._control = _control(self.agent_steps)
            return self._control

    @property
    def handled_by(self) -> str | None:
        """For a run that names its agents, the one it ended with: the agent holding it at
        the end when the run says, else the agent of its last step (TOP_LEVEL when unnamed).
        None for a run that names no agent."""
        try:
            return self._handled_by
        except AttributeError:
            steps = self.agent_steps
            if not any(step.agent or step.handoff for step in steps):
                self._handled_by = None
            else:
                known, holder = self.control
                agent = holder if known else steps[-1].agent
                self._handled_by = TOP_LEVEL if agent is None else agent
            return self._handled_by

    @property
    def final_agent(self) -> str | None:
        """The agent that took the final step (None: the unnamed top-level agent)."""
        try:
            return self._final_agent
        except AttributeError:
            final = [step for step in self.agent_steps if step.is_final]
            self._final_agent = final[-1].agent if final else None
            return self._final_agent

    @property
    def final_step_reached(self) -> bool:
        return self.has_final_step and not self.budget_exhausted

    @property
    def result_tokens(self) -> tuple[str, ...]:
        try:
            return self._result_tokens
        except AttributeError:
            self._result_tokens = tokens(self.result_text)
            return self._result_tokens

    @property
    def observed(self) -> _Observed:
        try:
            return self._observed
        except AttributeError:
            self._observed = _Observed(self.record, self.calls)
            return self._observed

    @property
    def observation_texts(self) -> tuple[str, ...]:
        """Observations and tool results: what the agent saw."""
        return self.observed.texts

    @property
    def observation_words(self) -> str:
        """Every observation's tokens, joined, with a separator no token holds between two
        observations: a phrase is looked up in one search, never across two of them."""
        try:
            return self._observation_words
        except AttributeError:
            joined = " \x00 ".join(" ".join(tokens(text)) for text in self.observation_texts)
            self._observation_words = f" {joined} "
            return self._observation_words

    @property
    def evidence(self) -> KeywordIndex:
        """Everything a phrase criterion may be met by: result, observations, tool results,
        messages and tool calls; never the agent's thoughts. Read lazily (see
        _evidence_texts) by a generator that holds the record, never this context: a
        context the generator held would be freed only by the cycle collector, so every run
        stayed in memory until a full collection."""
        try:
            return self._evidence
        except AttributeError:
            texts = _evidence_texts(self.result_text, self.observed, self.record, self.calls)
            self._evidence = KeywordIndex(texts)
            return self._evidence

    @property
    def observed_texts(self) -> tuple[str, ...]:
        """What the agent saw: observations and tool results, in order."""
        return self.observed.texts

    @property
    def grounding(self) -> Grounding:
        """The facts the final result states, against what the run saw."""
        try:
            return self._grounding
        except AttributeError:
            seen = seen_texts(self.record, self.observed)
            self._grounding = ground(self.result_text, seen, self.asked)
            return self._grounding

    @property
    def asked(self) -> bool:
        """The run records what it was asked: a user message, or the task's description."""
        try:
            return self._asked
        except AttributeError:
            self._asked = _asked(self.record)
            return self._asked


def agent_steps_of(record: RunRecord) -> tuple[Step, ...]:
    steps = record.steps
    if not any(step.is_user for step in steps):
        return tuple(steps)
    return tuple(step for step in steps if not step.is_user)


def calls_of(steps: Iterable[Step]) -> tuple[ToolCall, ...]:
    return tuple(call for step in steps for call in step.tool_calls)


def _control(steps: tuple[Step, ...]) -> tuple[bool, str | None]:
    handoffs = [step.handoff for step in steps if step.handoff]
    if handoffs:
        receiver = handoffs[-1].get("to")
        return True, receiver if isinstance(receiver, str) else None
    named = any(step.agent for step in steps)
    if named and steps and steps[0].agent is None:
        return True, None
    return False, None


def _asked(record: RunRecord) -> bool:
    if any(step.is_user and step.message for step in record.steps):
        return True
    if record.task is not None and record.task.description:
        return True
    given = (record.model_extra or {}).get("messages")
    return isinstance(given, list) and any(
        isinstance(message, dict) and message.get("role") == "user" for message in given
    )


class _Observed:
    """What the agent saw (observations and tool results), read once when first asked for;
    the evidence shares it without holding the run's facts."""

    __slots__ = ("_texts", "calls", "record")
    _texts: tuple[str, ...]

    def __init__(self, record: RunRecord, calls: tuple[ToolCall, ...]) -> None:
        self.record, self.calls = record, calls

    @property
    def texts(self) -> tuple[str, ...]:
        try:
            return self._texts
        except AttributeError:
            texts = [text_of(step.observation) for step in self.record.steps if not step.is_user]
            texts += [text_of(call.result) for call in self.calls]
            self._texts = tuple(text for text in texts if text)
            return self._texts


def _evidence_texts(
    result_text: str, observed: _Observed, record: RunRecord, calls: tuple[ToolCall, ...]
) -> Iterator[str]:
    """The result first and the rest as one text after it, written only when asked for:
    a criterion met by the result never pays for the whole trajectory."""
    yield result_text
    texts = [*observed.texts]
    # The user's own words are not the agent's: "4" said by the user meets nothing.
    texts += [step.message for step in record.steps if step.message and not step.is_user]
    texts += [f"{call.name} {text_of(call.arguments)}" for call in calls]
    yield "\n".join(text for text in texts if text)


def seen_texts(record: RunRecord, observed: _Observed | None = None) -> Iterator[str]:
    """What the run was told: tool results and errors, observations, the user's messages,
    the task's description and the messages it was given (a system prompt), never the
    agent's own words; read only when the result states a fact."""
    if observed is None:
        observed = _Observed(record, calls_of(agent_steps_of(record)))
    yield from observed.texts
    yield from (text_of(call.error) for call in observed.calls if call.failed)
    yield from (step.message for step in record.steps if step.is_user and step.message)
    if record.task is not None and record.task.description:
        yield record.task.description
    given = (record.model_extra or {}).get("messages")
    for message in given if isinstance(given, list) else ():
        if not (isinstance(message, dict) and message.get("role") == "assistant"):
            yield text_of(message.get("content") if isinstance(message, dict) else message)


def _canonical(call: ToolCall) -> Any:
    arguments = {} if call.arguments is None else call.arguments
    return FoldedObject(arguments) if isinstance(arguments, dict) else canonical(arguments)
