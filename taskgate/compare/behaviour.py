"""How a cohort's runs behave against the baseline, even when its scores hold: tools called
more or less often, calls that appeared or vanished, steps and cost per run. A changed path
is a leading indicator, so it is reported always and judged only where configured
(gate.behaviour, off by default). A tool is listed when its calls per run changed by half
or more (or from or to none) and a rate test says it is beyond chance, corrected over the
tools: rare tools come and go by chance. The rate test counts calls as independent, which
calls bunched in a few runs are not; this is an indicator, not a gate.

The step test is the comparison's own: runs exchanged only within a task, one-sided for an
increase of the task-averaged step count.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import NormalDist

from taskgate.aggregate.cohorts import step_stats
from taskgate.model.report import Behaviour, RunResult, ToolChange, ToolChangeKind
from taskgate.stats.bootstrap import mean_drop_p_value, trials_by_task
from taskgate.stats.measures import benjamini_hochberg, rounded
from taskgate.stats.randomness import seed_for

# A tool's calls per run must change by at least this share to be listed as more or less.
LISTED_CHANGE = 0.5
_NORMAL = NormalDist()


def _totals(runs: Sequence[RunResult]) -> dict[str, int] | None:
    if any(r.tools is None for r in runs):
        return None  # a report written before taskgate counted calls
    totals: dict[str, int] = {}
    for run in runs:
        for tool, count in (run.tools or {}).items():
            totals[tool] = totals.get(tool, 0) + count
    return totals


def rate_p_value(before: int, runs_before: int, after: int, runs_after: int) -> float:
    """Two-sided p-value for the calls of a tool per run differing between the sides: given
    the calls of both, the candidate's share is binomial under equal rates. Exact for up to
    a few hundred calls, the normal approximation (with continuity correction) beyond."""
    total, share = before + after, runs_after / (runs_before + runs_after)
    if total == 0:
        return 1.0
    spread = total * share * (1 - share)
    if spread > 25:
        gap = max(0.0, abs(after - total * share) - 0.5)
        return min(1.0, 2 * _NORMAL.cdf(-gap / math.sqrt(spread)))
    pmf = [math.comb(total, k) * share**k * (1 - share) ** (total - k) for k in range(total + 1)]
    low, high = math.fsum(pmf[: after + 1]), math.fsum(pmf[after:])
    return min(1.0, 2 * min(low, high))


def _tool_change(tool: str, before: float, after: float) -> ToolChange | None:
    if before == 0:
        kind: ToolChangeKind = "appeared"
    elif after == 0:
        kind = "vanished"
    elif abs(after - before) / before >= LISTED_CHANGE:
        kind = "more" if after > before else "less"
    else:
        return None
    return ToolChange(tool=tool, before=rounded(before), after=rounded(after), change=kind)


def tool_changes(
    base: Sequence[RunResult], cand: Sequence[RunResult], alpha: float
) -> list[ToolChange] | None:
    """Tools whose calls per run changed by half or more, appeared or vanished, beyond
    chance: the rate tests corrected over the tools (Benjamini-Hochberg) below alpha."""
    before, after = _totals(base), _totals(cand)
    if before is None or after is None or not base or not cand:
        return None
    tools = sorted(before.keys() | after.keys())
    counts = [(before.get(t, 0), after.get(t, 0)) for t in tools]
    q_values = benjamini_hochberg([rate_p_value(b, len(base), a, len(cand)) for b, a in counts])
    changes = (
        _tool_change(tool, b / len(base), a / len(cand))
        for tool, (b, a), q in zip(tools, counts, q_values, strict=True)
        if q < alpha
    )
    return [change for change in changes if change is not None]


def _cost_per_run(runs: Sequence[RunResult]) -> float | None:
    costs = [r.cost_usd for r in runs if r.cost_usd is not None]
    return rounded(math.fsum(costs) / len(costs)) if costs else None


def behaviour(
    base: Sequence[RunResult], cand: Sequence[RunResult], label: str, alpha: float
) -> Behaviour:
    """The cohort's behaviour in the baseline and now."""
    negated = [
        trials_by_task([(r.task_id, -float(r.steps)) for r in side]) for side in (base, cand)
    ]
    steps = mean_drop_p_value(negated[0], negated[1], seed_for(f"{label}:steps"))
    return Behaviour(
        tools=tool_changes(base, cand, alpha),
        steps_before=step_stats(base),
        steps_after=step_stats(cand),
        steps_p_value=steps,
        cost_per_run_before=_cost_per_run(base),
        cost_per_run_after=_cost_per_run(cand),
    )
