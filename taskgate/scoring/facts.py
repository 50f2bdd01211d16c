"""The facts of one run that every check and evaluator reads, each computed once.

Derived views of the record only (its agent steps, calls, result, what it saw), as cached
properties; judgments under settings are the context's (``context.RunContext``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
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


@dataclass(frozen=True)
class RunFacts:
    record: RunRecord
    regex_clock: RegexClock = field(
        default_factory=RegexClock, init=False, repr=False, compare=False
    )

    @property
    def task(self) -> Task:
        return self.record.task or _NO_TASK

    @cached_property
    def agent_steps(self) -> tuple[Step, ...]:
        """The agent's steps: a user turn is the other side of the conversation, never a step
        of the agent's for efficiency, budgets or failure shapes."""
        steps = self.record.steps
        if not any(step.is_user for step in steps):
            return tuple(steps)
        return tuple(step for step in steps if not step.is_user)

    @cached_property
    def user_turns(self) -> int:
        """How many user turns the run has."""
        return sum(1 for step in self.record.steps if step.is_user)

    @cached_property
    def calls(self) -> tuple[ToolCall, ...]:
        return tuple(call for step in self.agent_steps for call in step.tool_calls)

    @cached_property
    def call_turns(self) -> tuple[int, ...]:
        """For each call, the user turn it answers: how many user turns came before it (0 for a
        call before any user message)."""
        turns: list[int] = []
        turn = 0
        for step in self.record.steps:
            if step.is_user:
                turn += 1
            else:
                turns += [turn] * len(step.tool_calls)
        return tuple(turns)

    def canonical_arguments(self, index: int) -> Any:
        """The arguments of call ``index`` as canonical() has them (none given: {}); only
        calls to an expected tool are asked for, so each is folded when first needed."""
        folded = self._folded_arguments
        if index not in folded:
            folded[index] = _canonical(self.calls[index])
        return folded[index]

    @cached_property
    def _folded_arguments(self) -> dict[int, Any]:
        return {}

    @cached_property
    def working_calls(self) -> dict[str, list[int]]:
        """The calls that did not fail, by tool name, in order."""
        by_name: dict[str, list[int]] = {}
        for index, call in enumerate(self.calls):
            if not call.failed:
                by_name.setdefault(call.name, []).append(index)
        return by_name

    @cached_property
    def expected_places(self) -> dict[int, tuple[int, int]]:
        """Each expected call's place among the expected calls to its tool, and their number."""
        by_name: dict[str, list[int]] = {}
        for index, call in enumerate(self.task.expected_calls):
            by_name.setdefault(call.name, []).append(index)
        return {
            index: (place, len(indices))
            for indices in by_name.values()
            for place, index in enumerate(indices)
        }

    @cached_property
    def has_final_step(self) -> bool:
        return any(step.is_final for step in self.agent_steps)

    @cached_property
    def budget_exhausted(self) -> bool:
        budget = self.task.step_budget
        return self.record.step_budget_exceeded or (
            budget is not None and len(self.agent_steps) > budget
        )

    @cached_property
    def control(self) -> tuple[bool, str | None]:
        """Whether the run says which agent holds it at its end, and which: the last handoff's
        receiver when it hands off; the unnamed top-level agent when named steps are only a
        sub-agent's it delegated to. (bool, agent); (False, None) when it does not say."""
        steps = self.agent_steps
        handoffs = [step.handoff for step in steps if step.handoff]
        if handoffs:
            receiver = handoffs[-1].get("to")
            return True, receiver if isinstance(receiver, str) else None
        named = any(step.agent for step in steps)
        if named and steps and steps[0].agent is None:
            return True, None
        return False, None

    @cached_property
    def handled_by(self) -> str | None:
        """For a run that names its agents, the one it ended with: the agent holding it at
        the end when the run says, else the agent of its last step (TOP_LEVEL when unnamed).
        None for a run that names no agent."""
        steps = self.agent_steps
        if not any(step.agent or step.handoff for step in steps):
            return None
        known, holder = self.control
        agent = holder if known else steps[-1].agent
        return TOP_LEVEL if agent is None else agent

    @cached_property
    def final_agent(self) -> str | None:
        """The agent that took the final step (None: the unnamed top-level agent)."""
        final = [step for step in self.agent_steps if step.is_final]
        return final[-1].agent if final else None

    @property
    def final_step_reached(self) -> bool:
        return self.has_final_step and not self.budget_exhausted

    @cached_property
    def result(self) -> Any:
        """final_result, or else the message of the last step marked final."""
        if self.record.final_result not in (None, ""):
            return self.record.final_result
        finals = [s.message for s in self.agent_steps if s.is_final and s.message]
        return finals[-1] if finals else None

    @cached_property
    def result_text(self) -> str:
        return text_of(self.result)

    @cached_property
    def result_tokens(self) -> tuple[str, ...]:
        return tokens(self.result_text)

    @cached_property
    def _observed(self) -> _Observed:
        return _Observed(self.record, self.calls)

    @property
    def observation_texts(self) -> tuple[str, ...]:
        """Observations and tool results: what the agent saw."""
        return self._observed.texts

    @cached_property
    def observation_words(self) -> str:
        """Every observation's tokens, joined, with a separator no token holds between two
        observations: a phrase is looked up in one search, never across two of them."""
        joined = " \x00 ".join(" ".join(tokens(text)) for text in self.observation_texts)
        return f" {joined} "

    @cached_property
    def evidence(self) -> KeywordIndex:
        """Everything a phrase criterion may be met by: result, observations, tool results,
        messages and tool calls; never the agent's thoughts. Read lazily (see
        _evidence_texts) by a generator that holds the record, never this context: a
        context the generator held would be freed only by the cycle collector, so every run
        stayed in memory until a full collection."""
        texts = _evidence_texts(self.result_text, self._observed, self.record, self.calls)
        return KeywordIndex(texts)

    @property
    def observed_texts(self) -> tuple[str, ...]:
        """What the agent saw: observations and tool results, in order."""
        return self._observed.texts

    @cached_property
    def grounding(self) -> Grounding:
        """The facts the final result states, against what the run saw."""
        return ground(self.result_text, seen_texts(self.record, self._observed), self.asked)

    @cached_property
    def asked(self) -> bool:
        """The run records what it was asked: a user message, or the task's description."""
        record = self.record
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

    def __init__(self, record: RunRecord, calls: tuple[ToolCall, ...]) -> None:
        self.record, self.calls = record, calls

    @cached_property
    def texts(self) -> tuple[str, ...]:
        texts = [text_of(step.observation) for step in self.record.steps if not step.is_user]
        texts += [text_of(call.result) for call in self.calls]
        return tuple(text for text in texts if text)


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
        observed = _Observed(record, RunFacts(record).calls)
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
