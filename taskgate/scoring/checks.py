"""Does a run pass? Every check its task states must hold (SPEC §3, "Passing").

The checks, in the order a reason names the first that fails: status ``completed``; a final
step within the step budget; the outcome under its match mode; every success criterion;
every required expected call (call order, argument modes, turns); under ``subset`` no call
beyond the expected ones; every required tool called; no forbidden tool; no tool outside
``available_tools``; no successful call to a write tool that no expected call accounts for.

A graded similarity never makes a pass: each check is a yes or a no. A run whose task states
no goal — no expected result, criteria, required expected call, required tool or write
tools — cannot be judged a success: ``passed`` is None, never True, unless a check it does
state failed (it errored, timed out or never finished), which makes it a failure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from taskgate.config.fields import ArgumentMatch
from taskgate.config.model import Config
from taskgate.model.names import CallOrder
from taskgate.model.record import OutcomeMode, Task
from taskgate.model.trajectory import ToolCall
from taskgate.scoring.calls import Credits
from taskgate.scoring.criteria import CriterionResult
from taskgate.scoring.facts import RunFacts
from taskgate.scoring.outcome import is_empty
from taskgate.scoring.outcome_modes import OutcomeCheck, check_outcome
from taskgate.scoring.sparse_matching import align_sparse, assign_sparse
from taskgate.scoring.text import text_of

SHOWN_ARGUMENTS = 60
"""Characters of a call's arguments shown in a reason."""


@dataclass(frozen=True)
class Check:
    """One stated check of a run, held or not."""

    name: str
    """status, final_step, outcome, criterion, expected_call, extra_call, required_tool,
    forbidden_tool, hallucinated_tool or write."""
    holds: bool
    message: str
    """For a check that failed, what failed ("Expected call issue_refund not made");
    for one that held, what held."""
    subject: str = ""
    """What the check is about: a call, a tool or a criterion, as reasons name it."""
    call: int | None = None
    """The call (index in the run's calls) that broke the check, when one call did."""


@dataclass(frozen=True)
class RunChecks:
    checks: tuple[Check, ...]
    judged: bool
    """The task states a goal; without one, the run is unjudged."""

    @property
    def passed(self) -> bool | None:
        """False when a check failed (a run that errored, timed out or never finished failed,
        whatever its task states); None when all held but the task states no goal."""
        if not all(check.holds for check in self.checks):
            return False
        return True if self.judged else None

    @property
    def first_failed(self) -> Check | None:
        return next((check for check in self.checks if not check.holds), None)

    @property
    def reason(self) -> str:
        failed = self.first_failed
        if failed is not None:
            return failed.message + "."
        if not self.judged:
            return UNJUDGED_REASON
        return f"Passed: {_held_summary(self.checks)}."


UNJUDGED_REASON = (
    "Unjudged: the task states nothing to check beyond a final step; add an expected_result, "
    "success_criteria, expected_calls, required_tools or write_tools."
)


@dataclass(frozen=True)
class CheckSettings:
    keyword_share: float
    order: CallOrder
    arguments: ArgumentMatch
    outcome_match: OutcomeMode
    outcome_tolerance: float | None
    write_tools: tuple[str, ...]
    """The config's write tools (names or globs); a task's write_tools add to them."""
    grounding_required: bool = False
    """A run passes only when every fact its result states is backed by what it saw."""


def check_settings(config: Config) -> CheckSettings:
    """What the pass checks need of the config."""
    completion = config.evaluators.task_completion
    calls = config.evaluators.function_calls
    return CheckSettings(
        keyword_share=completion.criteria_keyword_share,
        order=calls.order,
        arguments=calls.arguments,
        outcome_match=completion.outcome_match,
        outcome_tolerance=completion.outcome_tolerance,
        write_tools=config.tools.write,
        grounding_required=config.evaluators.grounding.required,
    )


def judge(
    ctx: RunFacts,
    settings: CheckSettings,
    outcome: OutcomeCheck | None,
    criteria: Sequence[CriterionResult],
    credits: Credits,
) -> RunChecks:
    """Every check the task states, given the run's outcome, criteria and call credits
    under ``settings`` (the run's context has them: ``RunContext.checks``)."""
    checks = [*_ending(ctx)]
    if outcome is not None:
        checks.append(_outcome_check(ctx, outcome, settings))
    checks += [
        Check("criterion", r.met, f"Criterion {r.name} {'met' if r.met else 'not met'}{_by(r)}")
        for r in criteria
    ]
    if settings.grounding_required:
        checks += _grounded_check(ctx)
    matched = _full_matching(ctx, settings, credits)
    checks += _call_checks(ctx, settings, matched, credits)
    checks += _tool_checks(ctx)
    checks += _handoff_checks(ctx, settings)
    writes = write_patterns(ctx.task, settings.write_tools)
    if writes:
        checks.append(_write_check(ctx, writes, {made for _, made in matched}))
    return RunChecks(tuple(checks), states_a_goal(ctx.task, outcome is not None))


def _by(criterion: CriterionResult) -> str:
    return f" ({criterion.judged_by})" if criterion.judged_by else ""


def states_a_goal(task: Task, has_outcome: bool) -> bool:
    """Whether the task says what success is, not only what is forbidden: forbidden and
    available tools alone would pass any run that did nothing."""
    return bool(
        has_outcome
        or task.success_criteria
        or any(not call.optional for call in task.expected_calls)
        or task.required_tools
        or task.write_tools
        or task.expected_handoffs
    )


def judge_outcome(
    ctx: RunFacts, default_mode: OutcomeMode, default_tolerance: float | None
) -> OutcomeCheck | None:
    """The outcome under the task's match mode; None when the task states no expected
    result."""
    task = ctx.task
    if is_empty(task.expected_result):
        return None
    mode = task.outcome_match or default_mode
    tolerance = task.outcome_tolerance if task.outcome_tolerance is not None else default_tolerance
    return check_outcome(task.expected_result, ctx.result, mode, tolerance)


def _ending(ctx: RunFacts) -> list[Check]:
    status = ctx.record.status
    checks = [
        Check("status", True, "Status completed")
        if status == "completed"
        else Check("status", False, f"Run ended with status {status}")
    ]
    if ctx.final_step_reached:
        checks.append(Check("final_step", True, "Final step reached"))
        checks += _final_agent(ctx)
    elif ctx.has_final_step:
        checks.append(Check("final_step", False, "Step budget exhausted before the final step"))
    else:
        budget = " (step budget exhausted)" if ctx.budget_exhausted else ""
        checks.append(Check("final_step", False, f"No final step{budget}"))
    return checks


def _final_agent(ctx: RunFacts) -> list[Check]:
    """In a multi-agent run that says who holds it at the end, that agent took the final step:
    a sub-agent saying it is done while the agent in control never finished is no finish."""
    known, holder = ctx.control
    if not known:
        return []
    if ctx.final_agent == holder:
        return [Check("final_agent", True, "Final step taken by the agent in control")]
    return [
        Check(
            "final_agent",
            False,
            f"Final step taken by {_agent_name(ctx.final_agent)}, not by "
            f"{_agent_name(holder)}, which holds the run",
        )
    ]


def _agent_name(agent: str | None) -> str:
    return "the top-level agent" if agent is None else repr(agent)


def _outcome_check(ctx: RunFacts, outcome: OutcomeCheck, settings: CheckSettings) -> Check:
    mode = ctx.task.outcome_match or settings.outcome_match
    if outcome.holds:
        return Check("outcome", True, f"Result matches expected ({mode}): {outcome.why}")
    return Check("outcome", False, f"Result does not match expected ({mode}): {outcome.why}")


Matching = list[tuple[int, int]]
"""(expected index, made index) pairs made with full argument credit."""


def _full_matching(ctx: RunFacts, settings: CheckSettings, credits: Credits) -> Matching:
    """Expected calls paired one-to-one with calls that make them in full (right tool, turn
    and arguments, no error); required calls before optional ones. strict keeps the order."""
    expected = ctx.task.expected_calls
    if not expected or not ctx.calls:
        return []
    weights = [
        {column: 1.0 if want.optional else 2.0 for column, c in row.items() if c >= 1.0}
        for want, row in zip(expected, credits, strict=True)
    ]
    strict = (ctx.task.call_order or settings.order) == "strict"
    return (align_sparse if strict else assign_sparse)(weights, len(ctx.calls))


def _call_checks(
    ctx: RunFacts, settings: CheckSettings, matched: Matching, credits: Credits
) -> list[Check]:
    expected = ctx.task.expected_calls
    order = ctx.task.call_order or settings.order
    made = {want for want, _ in matched}
    checks: list[Check] = []
    if order != "subset":
        for index, want in enumerate(expected):
            if want.optional:
                continue
            if index in made:
                message = f"Expected call {want.name} made"
                checks.append(Check("expected_call", True, message, want.name))
            else:
                checks.append(_missing_call(ctx, index, credits[index]))
    else:
        # subset: the calls made are among the expected ones. A repeat of an allowed call is
        # still that call (a repeated write is caught by the write check, one to one).
        allowed = {column for row in credits for column, c in row.items() if c >= 1.0}
        for index, call in enumerate(ctx.calls):
            if not call.failed and index not in allowed:
                shown = show_call(call)
                message = f"Unexpected call {shown}"
                checks.append(Check("extra_call", False, message, shown, index))
    return checks


def _missing_call(ctx: RunFacts, index: int, credits: dict[int, float]) -> Check:
    """Why an expected call was not made: not called at all, only in another turn, or not
    with the expected arguments (``credits``: its row of the credit matrix)."""
    name = ctx.task.expected_calls[index].name
    return Check("expected_call", False, _why_missing(ctx, index, credits), name)


def _why_missing(ctx: RunFacts, index: int, credits: dict[int, float]) -> str:
    want = ctx.task.expected_calls[index]
    turn = f" in turn {want.turn}" if want.turn is not None else ""
    same_name = [i for i, call in enumerate(ctx.calls) if call.name == want.name]
    working = [i for i in same_name if not ctx.calls[i].failed]
    if not same_name:
        return f"Expected call {want.name}{turn} not made"
    if not working:
        return f"Expected call {want.name}{turn} not made: every call to it failed"
    if want.turn is not None and all(ctx.call_turns[i] != want.turn for i in working):
        turns = _numbers(sorted({ctx.call_turns[i] for i in working}))
        return f"Expected call {want.name} made in turn {turns}, expected in turn {want.turn}"
    if any(credit >= 1.0 for credit in credits.values()):
        return (
            f"Expected call {want.name}{turn} not made: the call that matches it counts for "
            "another expected call"
        )
    return f"Expected call {want.name}{turn} not made with the expected arguments"


def _grounded_check(ctx: RunFacts) -> list[Check]:
    """With grounding required: every fact the result states was seen or derived."""
    facts = ctx.grounding
    if not facts.stated:
        return []
    if facts.ungrounded:
        shown = ", ".join(facts.ungrounded[:5])
        more = f" and {len(facts.ungrounded) - 5} more" if len(facts.ungrounded) > 5 else ""
        return [Check("grounded", False, f"Result states facts the run never saw: {shown}{more}")]
    return [Check("grounded", True, "Facts the result states backed by what the run saw")]


def _handoff_checks(ctx: RunFacts, settings: CheckSettings) -> list[Check]:
    """The task's expected handoffs against the run's handoff steps, under the call order."""
    expected = ctx.task.expected_handoffs or []
    made = [step.handoff.get("to") for step in ctx.agent_steps if step.handoff]
    order = ctx.task.call_order or settings.order
    if not expected:
        return []
    if order == "subset":
        return [
            Check("extra_handoff", False, f"Unexpected handoff to {to!r}", str(to))
            for to in made
            if to not in expected
        ]
    found = _in_order(expected, made) if order == "strict" else _each(expected, made)
    return [
        Check(
            "expected_handoff",
            held,
            f"Expected handoff to {to!r} {'made' if held else 'not made'}"
            + ("" if held or order != "strict" or to not in made else " in order"),
            to,
        )
        for to, held in zip(expected, found, strict=True)
    ]


def _in_order(expected: list[str], made: list[Any]) -> list[bool]:
    """Each expected name found after the one before it (a subsequence of ``made``)."""
    found, start = [], 0
    for name in expected:
        index = next((i for i in range(start, len(made)) if made[i] == name), None)
        found.append(index is not None)
        start = start if index is None else index + 1
    return found


def _each(expected: list[str], made: list[Any]) -> list[bool]:
    """Each expected name matched to a handoff of its own, in any order."""
    left = list(made)
    found = []
    for name in expected:
        found.append(name in left)
        if name in left:
            left.remove(name)
    return found


def _tool_checks(ctx: RunFacts) -> list[Check]:
    task, calls = ctx.task, ctx.calls
    working = {call.name for call in calls if not call.failed}
    checks = [
        Check("required_tool", name in working, f"Required tool {name} " + _called(name, working))
        for name in dict.fromkeys(task.required_tools)
    ]
    forbidden = [call for call in calls if call.name in task.forbidden_tools]
    if forbidden:
        checks.append(Check("forbidden_tool", False, f"Forbidden tool called: {_names(forbidden)}"))
    available = task.available_tools
    if available is not None:
        # A forbidden tool is reported as forbidden, even when it is not available either.
        unknown = [c for c in calls if c.name not in available and c not in forbidden]
        if unknown:
            checks.append(
                Check("hallucinated_tool", False, f"Unknown tool called: {_names(unknown)}")
            )
    return checks


def _called(name: str, working: set[str]) -> str:
    return "called" if name in working else "not called (or every call failed)"


def write_patterns(task: Task, config_writes: Sequence[str]) -> tuple[str, ...]:
    return (*config_writes, *(task.write_tools or ()))


def is_write(name: str, patterns: Sequence[str]) -> bool:
    return any(name == pattern or fnmatchcase(name, pattern) for pattern in patterns)


def _write_check(ctx: RunFacts, patterns: Sequence[str], accounted: set[int]) -> Check:
    extra = [
        index
        for index, call in enumerate(ctx.calls)
        if not call.failed and index not in accounted and is_write(call.name, patterns)
    ]
    if not extra:
        return Check("write", True, "No unaccounted write")
    more = f" (+{len(extra) - 1} more)" if len(extra) > 1 else ""
    shown = show_call(ctx.calls[extra[0]])
    return Check("write", False, f"Extra write: {shown}{more}", shown, extra[0])


def show_call(call: ToolCall) -> str:
    """``name(arguments)``, the arguments cut short for a one-line reason."""
    arguments: Any = call.arguments
    shown = "" if arguments in (None, {}) else text_of(arguments)
    if len(shown) > SHOWN_ARGUMENTS:
        shown = shown[: SHOWN_ARGUMENTS - 3] + "..."
    return f"{call.name}({shown})"


def _names(calls: list[ToolCall]) -> str:
    return ", ".join(dict.fromkeys(call.name for call in calls))


def _numbers(values: list[int]) -> str:
    return ", ".join(str(v) for v in values)


def _held_summary(checks: Sequence[Check]) -> str:
    counts: dict[str, int] = {}
    for check in checks:
        counts[check.name] = counts.get(check.name, 0) + 1
    return ", ".join(_counted(name, n) for name, n in counts.items())


def _counted(name: str, count: int) -> str:
    one, many = _LABELS.get(name, (name, name))
    return one if count == 1 and name in _SINGLE else f"{count} {one if count == 1 else many}"


_LABELS = {
    "status": ("completed", "completed"),
    "final_step": ("final step", "final steps"),
    "final_agent": ("final step by the agent in control", "final steps by the agent in control"),
    "outcome": ("outcome", "outcomes"),
    "criterion": ("criterion", "criteria"),
    "expected_call": ("expected call", "expected calls"),
    "expected_handoff": ("expected handoff", "expected handoffs"),
    "required_tool": ("required tool", "required tools"),
    "write": ("no unaccounted write", "no unaccounted write"),
    "grounded": ("grounded result", "grounded results"),
}
_SINGLE = {"status", "final_step", "final_agent", "outcome", "write", "grounded"}
