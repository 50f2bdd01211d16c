"""The configured panel of evaluators, and the scorer that applies it to one run."""

from __future__ import annotations

import math
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Any

from taskgate.config.model import Config
from taskgate.model.names import MetricName
from taskgate.model.record import RunRecord, task_digest
from taskgate.model.report import Observed, RunResult
from taskgate.scoring.checks import RunChecks, check_settings
from taskgate.scoring.context import RunContext
from taskgate.scoring.evaluators.base import Evaluator, Score
from taskgate.scoring.evaluators.function_calls import function_calls
from taskgate.scoring.evaluators.goal_progress import goal_progress
from taskgate.scoring.evaluators.grounding import grounding
from taskgate.scoring.evaluators.plugin import plugin_evaluator
from taskgate.scoring.evaluators.step_efficiency import step_efficiency
from taskgate.scoring.evaluators.task_completion import task_completion
from taskgate.scoring.evaluators.tool_selection import tool_selection
from taskgate.scoring.evaluators.trajectory_score import trajectory_score
from taskgate.scoring.facts import HANDLED_BY
from taskgate.scoring.failure import diagnosis, failure_shape
from taskgate.scoring.judge_command import load_cache
from taskgate.scoring.judging import Judging

COMPLETION: MetricName = "task_completion"
TRAJECTORY: MetricName = "trajectory_score"


def build_evaluators(config: Config) -> dict[str, Evaluator]:
    """The evaluator panel, configured; the registry is this dict."""
    settings = config.evaluators
    completion = settings.task_completion
    calls = settings.function_calls
    return {
        COMPLETION: task_completion(completion.weights.model_dump(), check_settings(config)),
        "goal_progress": goal_progress(completion.criteria_keyword_share, calls.order),
        "tool_selection": tool_selection(),
        "function_calls": function_calls(calls.order, calls.arguments),
        "step_efficiency": step_efficiency(),
        "grounding": grounding(),
        **{plugin.name: plugin_evaluator(plugin) for plugin in settings.plugins},
    }


def blend_weights(config: Config) -> dict[str, float]:
    """trajectory_score's weights: the plugins' own, the built-in ones sharing the rest."""
    plugins = {plugin.name: plugin.weight for plugin in config.evaluators.plugins if plugin.weight}
    rest = 1.0 - math.fsum(plugins.values())
    weights = config.evaluators.trajectory_score.weights
    built_in = {str(name): weight for name, weight in weights.items()}
    if not plugins:
        return built_in
    return {**{name: weight * rest for name, weight in built_in.items()}, **plugins}


def metric_names(config: Config) -> list[str]:
    return [*build_evaluators(config), TRAJECTORY]


@dataclass(frozen=True)
class ScoredRun:
    ctx: RunContext
    scores: dict[str, Score]
    result: RunResult
    checks: RunChecks


_RESULT_FIELDS = set(RunResult.model_fields)  # shared, never changed: copies get their own
_COHORTS: dict[tuple[tuple[str, str], ...], dict[str, str]] = {}
_MAX_SHARED_COHORTS = 4096


def shared_cohort(cohort: dict[str, str]) -> dict[str, str]:
    """One dict for every run of the same cohort: many runs share few cohorts, and 100k
    copies of the same small dict were a tenth of the memory a large file takes."""
    key = tuple(cohort.items())
    shared = _COHORTS.get(key)
    if shared is None:
        shared = dict(cohort)
        if len(_COHORTS) < _MAX_SHARED_COHORTS:
            _COHORTS[key] = shared
    return shared


def _with_handler(cohort: dict[str, str], handled_by: str | None) -> dict[str, str]:
    """The record's cohort, with the agent a multi-agent run ended with as ``handled_by``
    (derived, so a key the record sets itself wins)."""
    if handled_by is None or HANDLED_BY in cohort:
        return cohort
    return {**cohort, HANDLED_BY: unicodedata.normalize("NFC", handled_by)}


class Scorer:
    """Scores one record at a time with the configured panel; keeps no state between runs."""

    def __init__(
        self, config: Config, judging: Judging | None = None, observe: bool = False
    ) -> None:
        """``judging``: the judge's verdicts; by default, with a judge configured, the
        cached ones (a question not in the cache is then a problem, never left to chance).
        ``observe``: keep what monitor reads beyond the scores (RunResult.observed)."""
        self.observe = observe
        if judging is None and config.judge is not None:
            judging = Judging(config.judge, load_cache(config.judge).verdicts, asking=False)
        self.judging = judging
        self.evaluators = build_evaluators(config)
        self.blend = trajectory_score(blend_weights(config))
        self.green = config.thresholds[COMPLETION].green
        self.settings = check_settings(config)
        self.by_score = config.evaluators.task_completion.pass_rule == "score"

    def score(self, record: RunRecord) -> ScoredRun:
        ctx = RunContext(record, self.settings, self.judging)
        scores = {name: evaluate(ctx) for name, evaluate in self.evaluators.items()}
        scores[TRAJECTORY] = self.blend({name: score.value for name, score in scores.items()})
        completion = scores[COMPLETION]
        checks = ctx.checks
        passed = self._passed(ctx, checks, completion)
        failed = checks.first_failed
        # Built without re-validating values that are already checked, and sharing one
        # fields-set between all results: a fresh set per run was a fifth of its memory.
        result = RunResult.model_construct(
            _RESULT_FIELDS,
            run_id=record.run_id,
            task_id=record.task_id,
            trial=record.trial,
            cohort=shared_cohort(_with_handler(record.cohort, ctx.handled_by)),
            scores={name: score.value for name, score in scores.items()},
            passed=passed,
            failure_shape=None
            if passed is None
            else failure_shape(ctx, passed, scores, None if failed is None else failed.name),
            # An infrastructure failure did not break at any component of the agent's.
            diagnosis=None
            if passed is not False or record.error_kind == "infrastructure"
            else diagnosis(ctx, scores),
            reason=self._reason(checks, completion, passed),
            failed_check=None if failed is None or passed is None else failed.name,
            status=record.status,
            error_kind=record.error_kind,
            underspecified=bool(completion.details["underspecified"]),
            final_step_only=bool(completion.details["final_step_only"]),
            step_budget_exceeded=ctx.budget_exhausted,
            steps=len(ctx.agent_steps),
            cost_usd=record.usage.cost_usd,
            tokens=record.usage.tokens,
            reward=reward_of(record.labels),
            must_pass=record.task is not None and record.task.must_pass,
            tools=dict(Counter(call.name for call in ctx.calls)),
            task_digest=task_digest(record.task),
            judged=ctx.judged or None,
            observed=_observed(ctx, scores) if self.observe else None,
        )
        return ScoredRun(ctx, scores, result, checks)

    def _passed(self, ctx: RunContext, checks: RunChecks, completion: Score) -> bool | None:
        if not self.by_score:
            return checks.passed
        # Contract 1: a final step, status completed and task_completion at green.
        if completion.value is None:
            return None
        return (
            ctx.record.status == "completed"
            and ctx.final_step_reached
            and completion.value >= self.green
        )

    def _reason(self, checks: RunChecks, completion: Score, passed: bool | None) -> str:
        if not self.by_score or passed is None:
            return checks.reason
        return completion.reason


def _observed(ctx: RunContext, scores: dict[str, Score]) -> Observed:
    record = ctx.record
    return Observed(
        started_at=record.started_at,
        latency_ms=record.usage.latency_ms,
        tool_calls=len(ctx.calls),
        tool_errors=sum(1 for call in ctx.calls if call.failed),
        final_step=ctx.final_step_reached,
        trace_id=record.trace_id,
        span_id=record.span_id,
        reasons={name: score.reason for name, score in scores.items()},
    )


def reward_of(labels: dict[str, Any]) -> float | None:
    """labels.reward as a number: true/false count as 1/0; anything else is no reward."""
    value = labels.get("reward")
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float) and math.isfinite(value):
        return float(value)
    return None
