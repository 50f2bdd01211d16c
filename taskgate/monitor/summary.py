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
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from taskgate.model.report import RunResult

SCORE_STEPS = 1000
"""Scores are kept as whole thousandths."""
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


def latency_bin(milliseconds: float) -> int:
    if milliseconds < 1:
        return 0
    return 1 + math.floor(math.log(milliseconds) / math.log(LATENCY_BASE))


def latency_of_bin(index: int) -> float:
    return 0.0 if index == 0 else LATENCY_BASE ** (index - 0.5)


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
        """Count one run. A run the infrastructure failed is counted, and costs what it
        cost, but says nothing of the agent: it stays out of every agent metric."""
        observed = run.observed
        assert observed is not None, "monitor scores with observe=True"
        self.n += 1
        self._add_usage(run.cost_usd, run.tokens)
        if run.status != "completed" and run.error_kind == "infrastructure":
            self.infrastructure += 1
            return
        if run.status == "completed":
            self.completed += 1
        else:
            self.errors += 1
        self.final_step += observed.final_step
        self.budget_exceeded += run.step_budget_exceeded
        self.tool_calls += observed.tool_calls
        self.tool_errors += observed.tool_errors
        if run.passed is not None:
            self.judged += 1
            self.passed += run.passed
        self.steps[run.steps] += 1
        if observed.latency_ms is not None:
            self.latency[latency_bin(observed.latency_ms)] += 1
        for name, value in run.scores.items():
            if value is not None:
                counts = self.scores.setdefault(name, Counter())
                counts[round(value * SCORE_STEPS)] += 1

    def _add_usage(self, cost: float | None, tokens: int | None) -> None:
        if cost is not None:
            self.cost_runs += 1
            self.cost_micro_usd += round(cost * 1_000_000)
        if tokens is not None:
            self.token_runs += 1
            self.tokens += tokens

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
