"""What the evaluators read about one run, computed once per run.

Evaluators stay pure functions of this context and their settings; the
context only caches derived views of the record so no evaluator repeats
the work of another.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

from taskgate.model.record import RunRecord, Task
from taskgate.model.trajectory import Step, ToolCall
from taskgate.scoring.outcome import FoldedObject, canonical
from taskgate.scoring.text import KeywordIndex, text_of, tokens

_NO_TASK = Task()
T = TypeVar("T")


@dataclass(frozen=True)
class RunContext:
    record: RunRecord
    _shared: dict[Hashable, Any] = field(default_factory=dict, init=False, repr=False)

    def shared(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``, done once per run for every evaluator asking with the same key:
        task_completion and goal_progress judge the same criteria and the same calls."""
        if key not in self._shared:
            self._shared[key] = compute()
        return self._shared[key]  # type: ignore[no-any-return]

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
        return self.shared(("canonical_arguments", index), lambda: _canonical(self.calls[index]))

    @cached_property
    def has_final_step(self) -> bool:
        return any(step.is_final for step in self.agent_steps)

    @cached_property
    def budget_exhausted(self) -> bool:
        budget = self.task.step_budget
        return self.record.step_budget_exceeded or (
            budget is not None and len(self.agent_steps) > budget
        )

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
    def observation_texts(self) -> tuple[str, ...]:
        """Observations and tool results: what the agent saw."""
        return _observation_texts(self._shared, self.record, self.calls)

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
        texts = _evidence_texts(self.result_text, self._shared, self.record, self.calls)
        return KeywordIndex(texts)


def _observation_texts(
    shared: dict[Hashable, Any], record: RunRecord, calls: tuple[ToolCall, ...]
) -> tuple[str, ...]:
    """Once per run, kept in the context's shared work, which the evidence reads too."""
    if "observation_texts" not in shared:
        texts = [text_of(step.observation) for step in record.steps if not step.is_user]
        texts += [text_of(call.result) for call in calls]
        shared["observation_texts"] = tuple(text for text in texts if text)
    return shared["observation_texts"]  # type: ignore[no-any-return]


def _evidence_texts(
    result_text: str,
    shared: dict[Hashable, Any],
    record: RunRecord,
    calls: tuple[ToolCall, ...],
) -> Iterator[str]:
    """The result first and the rest as one text after it, written only when asked for:
    a criterion met by the result never pays for the whole trajectory."""
    yield result_text
    texts = [*_observation_texts(shared, record, calls)]
    # The user's own words are not the agent's: "4" said by the user meets nothing.
    texts += [step.message for step in record.steps if step.message and not step.is_user]
    texts += [f"{call.name} {text_of(call.arguments)}" for call in calls]
    yield "\n".join(text for text in texts if text)


def _canonical(call: ToolCall) -> Any:
    arguments = {} if call.arguments is None else call.arguments
    return FoldedObject(arguments) if isinstance(arguments, dict) else canonical(arguments)
