"""A window's summary of one cohort: counts and histograms, nothing per run.

Every field is a whole number, so summaries merge exactly and in any order: the runs of a
window summarised on several machines and merged give the bytes one machine would have
written. Scores are kept to the thousandth (means and tails within 0.0005 of the exact
ones), costs to the micro-dollar, latencies in 1%-wide logarithmic bins.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from taskgate.model.record import rfc3339
from taskgate.model.report import RunResult
from taskgate.monitor.windows import WINDOWS, stamp, window_start

SCORE_STEPS = 1000
"""Scores are kept as whole thousandths."""
LATEST_MS = 1e15
"""The largest latency a bin is kept for (31,000 years): larger bins are a broken line."""
LATENCY_BASE = 1.01
"""Latency bins: bin 0 holds latencies under 1 ms, bin b >= 1 those in
[1.01^(b-1), 1.01^b) ms; a percentile reads as its bin's geometric middle (within 0.5%)."""
Pairs = tuple[tuple[int, int], ...]
"""A histogram as sorted (value, count) pairs: compact and stable in JSON."""


class WindowSummary(BaseModel):
    """One state line: one source's runs of one cohort in one window."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["window"] = "window"
    window: str
    start: str
    """The window's start, RFC 3339 in UTC."""
    dimension: str
    cohort: str
    sources: tuple[str, ...]
    """The sha256 of each input whose runs are summarised here."""
    config_fingerprint: str
    n: int = Field(ge=1)
    completed: int = Field(ge=0)
    errors: int = Field(ge=0)
    """Status error or timeout, not known to be the infrastructure's."""
    infrastructure: int = Field(ge=0)
    """Status error or timeout with error_kind infrastructure. These runs count in n, cost
    and tokens, and in no agent metric: the fields below are over the other runs."""
    final_step: int = Field(ge=0)
    budget_exceeded: int = Field(ge=0)
    tool_calls: int = Field(ge=0)
    tool_errors: int = Field(ge=0)
    judged: int = Field(ge=0)
    passed: int = Field(ge=0)
    steps: Pairs
    cost_runs: int = Field(ge=0)
    cost_micro_usd: int = Field(ge=0)
    token_runs: int = Field(ge=0)
    tokens: int = Field(ge=0)
    latency: Pairs
    scores: dict[str, Pairs]
    """Per metric, its scores in thousandths; metrics no run could be judged on are absent."""

    @model_validator(mode="after")
    def _consistent(self) -> WindowSummary:
        """A state line edited by hand or cut short must not be judged as if it were counts:
        every histogram and count has to add up the way ``Accumulator`` makes them."""
        if self.window not in WINDOWS:
            raise ValueError(f"window {self.window!r} is not one of {', '.join(WINDOWS)}")
        try:
            start = rfc3339(self.start)
        except ValueError as exc:
            raise ValueError(f"start: {exc}") from None
        if stamp(window_start(start, self.window)) != self.start:
            raise ValueError(f"start {self.start} is not the start of a {self.window} window")
        agent = self.n - self.infrastructure
        _check(self.completed + self.errors == agent, "completed + errors + infrastructure != n")
        _check(self.passed <= self.judged <= agent, "passed <= judged <= agent runs fails")
        _check(self.tool_errors <= self.tool_calls, "tool_errors > tool_calls")
        _check(max(self.final_step, self.budget_exceeded) <= agent, "a rate above its runs")
        _check(max(self.cost_runs, self.token_runs) <= self.n, "usage counted on more than n")
        _histogram("steps", self.steps, agent, exact=True)
        _histogram("latency", self.latency, agent, top=latency_bin(LATEST_MS))
        for name, pairs in self.scores.items():
            _histogram(f"scores.{name}", pairs, agent, top=SCORE_STEPS)
        return self


def _check(holds: bool, what: str) -> None:
    if not holds:
        raise ValueError(f"the counts do not add up ({what}); this line was not written by monitor")


def _histogram(
    name: str, pairs: Pairs, runs: int, *, exact: bool = False, top: int | None = None
) -> None:
    values = [value for value, _ in pairs]
    if values != sorted(set(values)) or any(count < 1 for _, count in pairs):
        raise ValueError(f"{name}: values must be sorted and distinct, counts 1 or more")
    if values and (values[0] < 0 or (top is not None and values[-1] > top)):
        raise ValueError(f"{name}: a value out of range")
    total = sum(count for _, count in pairs)
    _check(total == runs if exact else total <= runs, f"{name} holds {total} runs of {runs}")


def latency_bin(milliseconds: float) -> int:
    """The bin of a latency; latencies beyond LATEST_MS go in its bin."""
    if milliseconds < 1:
        return 0
    return 1 + math.floor(math.log(min(milliseconds, LATEST_MS)) / math.log(LATENCY_BASE))


def latency_of_bin(index: int) -> float:
    return 0.0 if index == 0 else LATENCY_BASE ** (index - 0.5)


@dataclass(frozen=True, slots=True)
class Contribution:
    """What one run adds to the cells of its window: the few whole numbers ``Accumulator``
    counts, made where the run was scored so that workers send these, not results."""

    started_at: datetime
    cohort: tuple[tuple[str, str], ...]
    cost_micro_usd: int | None
    tokens: int | None
    infrastructure: bool
    completed: bool
    final_step: bool
    budget_exceeded: bool
    tool_calls: int
    tool_errors: int
    passed: bool | None
    steps: int
    latency_bin: int | None
    scores: tuple[tuple[str, int], ...]
    """Each metric the run was judged on, in thousandths."""


def contribution(run: RunResult) -> Contribution:
    observed = run.observed
    assert observed is not None and observed.started_at is not None, "monitor observes"
    infrastructure = run.status != "completed" and run.error_kind == "infrastructure"
    latency = observed.latency_ms
    return Contribution(
        started_at=observed.started_at,
        cohort=tuple(run.cohort.items()),
        cost_micro_usd=None if run.cost_usd is None else round(run.cost_usd * 1_000_000),
        tokens=run.tokens,
        infrastructure=infrastructure,
        completed=run.status == "completed",
        final_step=observed.final_step,
        budget_exceeded=run.step_budget_exceeded,
        tool_calls=observed.tool_calls,
        tool_errors=observed.tool_errors,
        passed=run.passed,
        steps=run.steps,
        latency_bin=None if latency is None else latency_bin(latency),
        scores=tuple(
            (name, round(value * SCORE_STEPS))
            for name, value in run.scores.items()
            if value is not None
        ),
    )


@dataclass
class Accumulator:
    """The runs of one cohort in one window, as they are read."""

    n: int = 0
    completed: int = 0
    errors: int = 0
    infrastructure: int = 0
    final_step: int = 0
    budget_exceeded: int = 0
    tool_calls: int = 0
    tool_errors: int = 0
    judged: int = 0
    passed: int = 0
    cost_runs: int = 0
    cost_micro_usd: int = 0
    token_runs: int = 0
    tokens: int = 0
    steps: Counter[int] = field(default_factory=Counter)
    latency: Counter[int] = field(default_factory=Counter)
    scores: dict[str, Counter[int]] = field(default_factory=dict)

    def add(self, run: RunResult) -> None:
        self.count(contribution(run))

    def count(self, run: Contribution) -> None:
        """Count one run. A run the infrastructure failed is counted, and costs what it
        cost, but says nothing of the agent: it stays out of every agent metric."""
        self.n += 1
        if run.cost_micro_usd is not None:
            self.cost_runs += 1
            self.cost_micro_usd += run.cost_micro_usd
        if run.tokens is not None:
            self.token_runs += 1
            self.tokens += run.tokens
        if run.infrastructure:
            self.infrastructure += 1
            return
        if run.completed:
            self.completed += 1
        else:
            self.errors += 1
        self.final_step += run.final_step
        self.budget_exceeded += run.budget_exceeded
        self.tool_calls += run.tool_calls
        self.tool_errors += run.tool_errors
        if run.passed is not None:
            self.judged += 1
            self.passed += run.passed
        self.steps[run.steps] += 1
        if run.latency_bin is not None:
            self.latency[run.latency_bin] += 1
        scores = self.scores
        for name, value in run.scores:
            counts = scores.get(name)
            if counts is None:
                counts = scores[name] = Counter()
            counts[value] += 1

    def summary(
        self, window: str, start: str, dimension: str, cohort: str, source: str, config: str
    ) -> WindowSummary:
        counts = {name: getattr(self, name) for name in _COUNTS}
        return WindowSummary(
            window=window,
            start=start,
            dimension=dimension,
            cohort=cohort,
            sources=(source,),
            config_fingerprint=config,
            steps=_pairs(self.steps),
            latency=_pairs(self.latency),
            scores={name: _pairs(self.scores[name]) for name in sorted(self.scores)},
            **counts,
        )


_COUNTS = (
    "n",
    "completed",
    "errors",
    "infrastructure",
    "final_step",
    "budget_exceeded",
    "tool_calls",
    "tool_errors",
    "judged",
    "passed",
    "cost_runs",
    "cost_micro_usd",
    "token_runs",
    "tokens",
)


def _pairs(histogram: Mapping[int, int]) -> Pairs:
    return tuple((value, histogram[value]) for value in sorted(histogram))


def _added(parts: Iterable[Pairs]) -> Pairs:
    counts: Counter[int] = Counter()
    for pairs in parts:
        for value, count in pairs:
            counts[value] += count
    return _pairs(counts)


def merge(parts: list[WindowSummary]) -> WindowSummary:
    """The summaries of one window and cohort from several sources, as one.

    Sources are kept sorted, so the result does not depend on the order of the parts;
    the config fingerprint is the first part's (the state refuses to mix them unasked)."""
    first = parts[0]
    names = sorted({name for part in parts for name in part.scores})
    counts = {name: sum(getattr(part, name) for part in parts) for name in _COUNTS}
    return WindowSummary(
        window=first.window,
        start=first.start,
        dimension=first.dimension,
        cohort=first.cohort,
        sources=tuple(sorted({source for part in parts for source in part.sources})),
        config_fingerprint=first.config_fingerprint,
        steps=_added(part.steps for part in parts),
        latency=_added(part.latency for part in parts),
        scores={name: _added(part.scores.get(name, ()) for part in parts) for name in names},
        **counts,
    )
