"""The paired bootstrap over tasks, vectorised with numpy.

Resampling indices come from splitmix64 over a counter rather than from
numpy's generators, whose streams may change between numpy versions: the
same inputs give the same intervals and p-values on every machine.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

RESAMPLES = 5000
CI_LEVEL = 0.95
# Rows per chunk, so memory stays bounded however many tasks there are.
_CHUNK_CELLS = 2_000_000
Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Interval:
    delta: float
    """The observed difference, candidate minus baseline."""
    ci: tuple[float, float]
    """Bootstrap percentile interval of the difference."""
    p_value: float
    """One-sided p-value for a drop (H0: no drop)."""
    paired: bool
    """True when both sides have the same tasks and were resampled together."""


def seed_for(label: str) -> int:
    """A seed from a cohort and metric label: independent of the order they are compared in."""
    return zlib.crc32(label.encode())


def _splitmix64(counter: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    z = counter + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return np.asarray(z ^ (z >> np.uint64(31)), dtype=np.uint64)


def resample_indices(seed: int, start: int, rows: int, size: int) -> npt.NDArray[np.intp]:
    """Rows ``start .. start+rows`` of the resampling plan: each row draws ``size`` indices."""
    first = np.uint64(seed) << np.uint64(32)
    counter = np.arange(start * size, (start + rows) * size, dtype=np.uint64) + first
    drawn = (_splitmix64(counter) % np.uint64(size)).astype(np.intp)
    return np.asarray(drawn.reshape(rows, size), dtype=np.intp)


def mean_of_rows(values: Floats) -> Floats:
    return np.asarray(values.mean(axis=1), dtype=np.float64)


def tail_of_rows(values: Floats) -> Floats:
    """Mean of the lowest ceil(n/10) values of each row."""
    k = math.ceil(values.shape[1] / 10)
    return np.asarray(np.partition(values, k - 1, axis=1)[:, :k].mean(axis=1), dtype=np.float64)


def _boot(values: Floats, seed: int, resamples: int) -> tuple[Floats, Floats]:
    """Bootstrap means and tails of one side, resampled on its own."""
    means, tails = [], []
    for start, rows in _chunks(resamples, len(values)):
        drawn = values[resample_indices(seed, start, rows, len(values))]
        means.append(mean_of_rows(drawn))
        tails.append(tail_of_rows(drawn))
    return np.concatenate(means), np.concatenate(tails)


def _paired_boot(base: Floats, cand: Floats, seed: int, resamples: int) -> tuple[Floats, Floats]:
    """Bootstrap differences of means and of tails, resampling tasks on both sides together."""
    means, tails = [], []
    for start, rows in _chunks(resamples, len(base)):
        index = resample_indices(seed, start, rows, len(base))
        before, after = base[index], cand[index]
        means.append(mean_of_rows(after - before))
        tails.append(tail_of_rows(after) - tail_of_rows(before))
    return np.concatenate(means), np.concatenate(tails)


def _chunks(resamples: int, size: int) -> list[tuple[int, int]]:
    step = max(1, _CHUNK_CELLS // max(1, size))
    return [(start, min(step, resamples - start)) for start in range(0, resamples, step)]


def compare_tasks(
    base: dict[str, float], cand: dict[str, float], seed: int, resamples: int = RESAMPLES
) -> tuple[Interval, Interval] | None:
    """Bootstrap the change of the mean and of the tail, candidate minus baseline.

    Scores are per task. Paired when both sides hold the same tasks; otherwise each
    side is resampled on its own. None when either side is empty.
    """
    if not base or not cand:
        return None
    paired = base.keys() == cand.keys()
    tasks = sorted(base)
    b = np.array([base[t] for t in tasks])
    c = np.array([cand[t] for t in (tasks if paired else sorted(cand))])
    if paired:
        mean_boots, tail_boots = _paired_boot(b, c, seed, resamples)
    else:
        (b_means, b_tails), (c_means, c_tails) = (
            _boot(b, seed, resamples),
            _boot(c, seed + 1, resamples),
        )
        mean_boots, tail_boots = c_means - b_means, c_tails - b_tails
    observed_mean = float(c.mean() - b.mean())
    observed_tail = float(tail_of_rows(c[None, :])[0] - tail_of_rows(b[None, :])[0])
    return (
        _interval(observed_mean, mean_boots, paired),
        _interval(observed_tail, tail_boots, paired),
    )


def _interval(observed: float, boots: Floats, paired: bool) -> Interval:
    low, high = np.quantile(boots, [(1 - CI_LEVEL) / 2, (1 + CI_LEVEL) / 2])
    # Shift the bootstrap distribution to the null of no change and ask how often
    # it falls as low as the observed difference.
    as_low = int(np.count_nonzero(boots - observed <= observed + 1e-12))
    p_value = (1 + as_low) / (1 + len(boots))
    return Interval(
        delta=round(observed, 6),
        ci=(round(float(low), 6), round(float(high), 6)),
        p_value=round(p_value, 6),
        paired=paired,
    )


def task_means(scores: Sequence[tuple[str, float]]) -> dict[str, float]:
    """Trials averaged per task: ``[(task_id, score), ...]`` -> ``{task_id: mean}``."""
    sums: dict[str, list[float]] = {}
    for task, score in scores:
        sums.setdefault(task, []).append(score)
    return {task: math.fsum(values) / len(values) for task, values in sums.items()}
