"""The reference-free metrics of a window, read off its summary."""

from __future__ import annotations

from taskgate.model.monitor import ScoreStats, WindowMetrics
from taskgate.monitor.summary import SCORE_STEPS, Pairs, WindowSummary, latency_of_bin
from taskgate.stats.histograms import hist_mean, hist_percentile, hist_tail
from taskgate.stats.measures import rounded


def _share(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` runs, null with no runs to share."""
    return rounded(part / whole) if whole else None


def _dict(pairs: Pairs) -> dict[int, int]:
    return dict(pairs)


def score_stats(pairs: Pairs) -> ScoreStats:
    histogram = _dict(pairs)
    mean = (hist_mean(histogram) or 0.0) / SCORE_STEPS
    tail = (hist_tail(histogram) or 0.0) / SCORE_STEPS
    count = sum(histogram.values())
    return ScoreStats(n=count, mean=rounded(mean), tail=rounded(tail), gap=rounded(mean - tail))


def _latency(pairs: Pairs, share: float) -> float | None:
    index = hist_percentile(_dict(pairs), share)
    return None if index is None else round(latency_of_bin(index), 1)


def window_metrics(summary: WindowSummary) -> WindowMetrics:
    n = summary.n
    agent = n - summary.infrastructure  # the agent metrics' runs
    steps = _dict(summary.steps)
    return WindowMetrics(
        start=summary.start,
        dimension=summary.dimension,
        cohort=summary.cohort,
        n=n,
        final_step_rate=_share(summary.final_step, agent),
        budget_exceeded_rate=_share(summary.budget_exceeded, agent),
        error_rate=_share(summary.errors, agent),
        infrastructure_rate=rounded(summary.infrastructure / n),  # n is at least 1
        tool_error_rate=_share(summary.tool_errors, summary.tool_calls),
        judged=summary.judged,
        pass_rate=_share(summary.passed, summary.judged),
        steps_mean=None if not steps else rounded(hist_mean(steps) or 0.0),
        steps_p50=hist_percentile(steps, 0.5),
        steps_p90=hist_percentile(steps, 0.9),
        steps_distribution={str(count): runs for count, runs in summary.steps},
        cost_per_run=rounded(summary.cost_micro_usd / summary.cost_runs / 1e6)
        if summary.cost_runs
        else None,
        tokens_per_run=rounded(summary.tokens / summary.token_runs) if summary.token_runs else None,
        latency_p50_ms=_latency(summary.latency, 0.5),
        latency_p90_ms=_latency(summary.latency, 0.9),
        scores={name: score_stats(pairs) for name, pairs in summary.scores.items() if pairs},
    )
