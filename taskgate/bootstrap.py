"""Comparing per-task scores of two runs of the gate: intervals and p-values.

The interval of a change is a bootstrap over tasks: tasks resampled on both
sides together when both ran the same tasks (paired), each side on its own
otherwise. The p-value for a drop comes from a randomisation test on the same
pairing: the sides of each task swapped at random (paired), or the task
labels shuffled between the sides (unpaired). A randomisation test is exact
under "nothing changed" for any statistic, which the shifted bootstrap is
not for the worst decile of a few tasks: in A/A trials the bootstrap p-value
of tail drops raised false alarms in most runs.

Random draws come from splitmix64 over a counter rather than numpy's
generators, whose streams may change between numpy versions: the same inputs
give the same intervals and p-values on every machine.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

RESAMPLES = 5000
CI_LEVEL = 0.95
# Values per chunk of resamples, so memory stays bounded however many tasks there are.
_CHUNK_CELLS = 2_000_000
Floats = npt.NDArray[np.float64]
Draw = Callable[[int, int], tuple[Floats, Floats]]


@dataclass(frozen=True)
class Interval:
    delta: float
    """The observed change, candidate minus baseline."""
    ci: tuple[float, float]
    """Bootstrap percentile interval of the change."""
    p_value: float
    """One-sided p-value for a drop, from the randomisation test."""
    paired: bool
    """True when both sides have the same tasks."""


def seed_for(label: str) -> int:
    """A seed from a cohort and metric label: independent of the order they are compared in."""
    return zlib.crc32(label.encode())


def _splitmix64(counter: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    z = counter + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return np.asarray(z ^ (z >> np.uint64(31)), dtype=np.uint64)


def random_words(seed: int, start: int, rows: int, size: int) -> npt.NDArray[np.uint64]:
    """Rows ``start .. start+rows`` of a stream of 64-bit words, ``size`` per row."""
    first = np.uint64(seed) << np.uint64(32)
    counter = np.arange(start * size, (start + rows) * size, dtype=np.uint64) + first
    return _splitmix64(counter).reshape(rows, size)


def resample_indices(seed: int, start: int, rows: int, size: int) -> npt.NDArray[np.intp]:
    """Bootstrap rows: each draws ``size`` indices with replacement."""
    drawn = random_words(seed, start, rows, size) % np.uint64(size)
    return np.asarray(drawn, dtype=np.intp)


def mean_of_rows(values: Floats) -> Floats:
    return np.asarray(values.mean(axis=1), dtype=np.float64)


def tail_of_rows(values: Floats) -> Floats:
    """Mean of the lowest ceil(n/10) values of each row."""
    k = math.ceil(values.shape[1] / 10)
    return np.asarray(np.partition(values, k - 1, axis=1)[:, :k].mean(axis=1), dtype=np.float64)


def _changes(draw: Draw, resamples: int, size: int) -> tuple[Floats, Floats]:
    """Changes of mean and tail over ``resamples`` draws of (baseline, candidate) rows."""
    step = max(1, _CHUNK_CELLS // max(1, size))
    means, tails = [], []
    for start in range(0, resamples, step):
        before, after = draw(start, min(step, resamples - start))
        means.append(mean_of_rows(after) - mean_of_rows(before))
        tails.append(tail_of_rows(after) - tail_of_rows(before))
    return np.concatenate(means), np.concatenate(tails)


def _paired_draws(base: Floats, cand: Floats, seed: int) -> tuple[Draw, Draw]:
    size = len(base)

    def bootstrap(start: int, rows: int) -> tuple[Floats, Floats]:
        index = resample_indices(seed, start, rows, size)
        return base[index], cand[index]

    def swap_sides(start: int, rows: int) -> tuple[Floats, Floats]:
        flip = (random_words(seed + 1, start, rows, size) & np.uint64(1)).astype(bool)
        return np.where(flip, cand, base), np.where(flip, base, cand)

    return bootstrap, swap_sides


def _unpaired_draws(base: Floats, cand: Floats, seed: int) -> tuple[Draw, Draw]:
    pooled = np.concatenate([base, cand])

    def bootstrap(start: int, rows: int) -> tuple[Floats, Floats]:
        before = base[resample_indices(seed, start, rows, len(base))]
        return before, cand[resample_indices(seed + 2, start, rows, len(cand))]

    def shuffle_labels(start: int, rows: int) -> tuple[Floats, Floats]:
        order = np.argsort(random_words(seed + 1, start, rows, len(pooled)), axis=1, kind="stable")
        shuffled = pooled[order]
        return shuffled[:, : len(base)], shuffled[:, len(base) :]

    return bootstrap, shuffle_labels


def compare_tasks(
    base: dict[str, float], cand: dict[str, float], seed: int, resamples: int = RESAMPLES
) -> tuple[Interval, Interval] | None:
    """The change of the mean and of the tail of per-task scores, candidate minus baseline.

    None when either side is empty.
    """
    if not base or not cand:
        return None
    paired = base.keys() == cand.keys()
    b = np.array([base[t] for t in sorted(base)])
    c = np.array([cand[t] for t in sorted(cand)])
    bootstrap, null = (_paired_draws if paired else _unpaired_draws)(b, c, seed)
    boot_means, boot_tails = _changes(bootstrap, resamples, len(b) + len(c))
    null_means, null_tails = _changes(null, resamples, len(b) + len(c))
    observed_mean = float(c.mean() - b.mean())
    observed_tail = float(tail_of_rows(c[None, :])[0] - tail_of_rows(b[None, :])[0])
    return (
        _interval(observed_mean, boot_means, null_means, paired),
        _interval(observed_tail, boot_tails, null_tails, paired),
    )


def _interval(observed: float, boots: Floats, nulls: Floats, paired: bool) -> Interval:
    low, high = np.quantile(boots, [(1 - CI_LEVEL) / 2, (1 + CI_LEVEL) / 2])
    as_low = int(np.count_nonzero(nulls <= observed + 1e-12))
    return Interval(
        delta=round(observed, 6),
        ci=(round(float(low), 6), round(float(high), 6)),
        p_value=round((1 + as_low) / (1 + len(nulls)), 6),
        paired=paired,
    )


def task_means(scores: Sequence[tuple[str, float]]) -> dict[str, float]:
    """Trials averaged per task: ``[(task_id, score), ...]`` -> ``{task_id: mean}``."""
    sums: dict[str, list[float]] = {}
    for task, score in scores:
        sums.setdefault(task, []).append(score)
    return {task: math.fsum(values) / len(values) for task, values in sums.items()}
