"""Comparing the trials of two runs of the gate: intervals and p-values.

The golden tasks are fixed; what varies between two releases is the agent's runs. So when
both sides ran the same tasks the comparison conditions on them:

- the p-value for a drop comes from a stratified permutation test: runs are exchanged only
  within a task, each task keeping its number of trials a side. With one trial a side this
  is the paired sign-flip over tasks. It is exact under "nothing changed" for any
  statistic, and every trial counts: 4 tasks x 4 trials have 70^4 arrangements where the
  sign-flip over task means had 16, whose smallest p-value (1/16) can never beat 0.05;
- the interval resamples trials within tasks when every task has at least two a side (each
  side's deviations scaled by sqrt(k / (k - 1)), so a few trials do not understate the
  noise), and resamples tasks otherwise: one trial cannot show its own noise.

Sides that share no task are two independent samples of tasks: task means are resampled
on each side for the interval, and shuffled between the sides for the p-value.

The statistics are the change of the task-averaged mean (each task weighs the same however
many trials it has) and of the worst decile of task means.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations, product
from typing import Literal

import numpy as np
import numpy.typing as npt

from taskgate.stats.randomness import random_words, resample_indices, stream

RESAMPLES = 5000
CI_LEVEL = 0.95
# Values per chunk of resamples, so memory stays bounded however many runs there are.
_CHUNK_CELLS = 2_000_000
Floats = npt.NDArray[np.float64]
# Rows of resampled task means, baseline and candidate: (rows, tasks) each.
Draw = Callable[[int, int], tuple[Floats, Floats]]
Method = Literal["trials", "tasks", "unpaired"]
Trials = Mapping[str, Sequence[float]]


@dataclass(frozen=True)
class Interval:
    delta: float
    """The observed change, candidate minus baseline."""
    ci: tuple[float, float]
    """Bootstrap percentile interval of the change."""
    p_value: float
    """One-sided p-value for a drop, from the randomisation test."""


@dataclass(frozen=True)
class Comparison:
    mean: Interval
    tail: Interval
    method: Method
    """How the interval resampled: trials within tasks, whole tasks, or each side's tasks
    on their own (the sides share no task)."""
    tasks: int
    """Tasks compared: the shared ones, or the candidate's when none is shared."""
    tail_null_sd: float = 0.0
    """The spread of the tail's change under "nothing changed": what its minimum detectable
    drop is measured from (the tail has no closed-form variance)."""


def mean_of_rows(values: Floats) -> Floats:
    return np.asarray(values.mean(axis=1), dtype=np.float64)


def tail_of_rows(values: Floats) -> Floats:
    """Mean of the lowest ceil(n/10) values of each row."""
    k = math.ceil(values.shape[1] / 10)
    return np.asarray(np.partition(values, k - 1, axis=1)[:, :k].mean(axis=1), dtype=np.float64)


def compare_trials(
    base: Trials, cand: Trials, seed: int, resamples: int = RESAMPLES
) -> Comparison | None:
    """The change of the mean and of the tail of task means, candidate minus baseline.

    ``base`` and ``cand`` map task ids to their trials' scores. Over the shared tasks when
    there are any; None when either side is empty.
    """
    base = {task: scores for task, scores in base.items() if scores}
    cand = {task: scores for task, scores in cand.items() if scores}
    if not base or not cand:
        return None
    shared = sorted(base.keys() & cand.keys())
    if shared:
        blocks = _blocks(base, cand, shared)
        method: Method = "trials" if all(b.m > 1 and b.n > 1 for b in blocks) else "tasks"
        bootstrap = _trial_bootstrap(blocks, seed) if method == "trials" else None
        observed = _task_means(blocks, len(shared))
        if bootstrap is None:
            bootstrap = _task_bootstrap(*observed, seed)
        null = _within_task_permutations(blocks, len(shared), seed)
        size = _cells(blocks, len(shared))
    else:
        method = "unpaired"
        observed = (_means(base), _means(cand))
        bootstrap, null = _unpaired_draws(*observed, seed)
        size = len(base) + len(cand)
    before, after = observed[0][None, :], observed[1][None, :]
    boot_means, boot_tails = _changes(bootstrap, resamples, size)
    null_means, null_tails = _changes(null, resamples, size)
    return Comparison(
        mean=_interval(float(after.mean() - before.mean()), boot_means, null_means),
        tail=_interval(
            float(tail_of_rows(after)[0] - tail_of_rows(before)[0]), boot_tails, null_tails
        ),
        method=method,
        tasks=len(shared) if shared else len(cand),
        tail_null_sd=float(np.std(null_tails)),
    )


def mean_drop_p_value(
    base: Trials, cand: Trials, seed: int, resamples: int = RESAMPLES
) -> float | None:
    """The one-sided p-value for a drop of the task-averaged mean alone, runs exchanged
    within the shared tasks; None when they share none."""
    shared = sorted(t for t in base.keys() & cand.keys() if base[t] and cand[t])
    if not shared:
        return None
    blocks = _blocks(base, cand, shared)
    before, after = _task_means(blocks, len(shared))
    null, _ = _changes(
        _within_task_permutations(blocks, len(shared), seed),
        resamples,
        _cells(blocks, len(shared)),
        tails=False,
    )
    return _interval(float(after.mean() - before.mean()), null, null).p_value


def _cells(blocks: Sequence[_Block], tasks: int) -> int:
    """Values a resample row holds: task means of both sides, and the trials of blocks too
    large for a table of sums."""
    large = sum(b.values.size for b in blocks if math.comb(b.m + b.n, b.n) > _TABLE_LIMIT)
    return 4 * tasks + 2 * large


@dataclass(frozen=True)
class _Block:
    """The shared tasks with the same number of trials a side, as one array."""

    positions: npt.NDArray[np.intp]
    """The tasks' places among the shared tasks, sorted by id."""
    values: Floats
    """(tasks, m + n): each task's baseline trials, then its candidate trials, each side
    sorted, so the order the trials came in changes nothing."""
    m: int
    n: int


def _blocks(base: Trials, cand: Trials, tasks: Sequence[str]) -> list[_Block]:
    groups: dict[tuple[int, int], list[int]] = {}
    for place, task in enumerate(tasks):
        groups.setdefault((len(base[task]), len(cand[task])), []).append(place)
    return [
        _Block(
            positions=np.array(places, dtype=np.intp),
            values=np.array(
                [[*sorted(base[tasks[p]]), *sorted(cand[tasks[p]])] for p in places],
                dtype=np.float64,
            ),
            m=m,
            n=n,
        )
        for (m, n), places in sorted(groups.items())
    ]


def _task_means(blocks: Sequence[_Block], tasks: int) -> tuple[Floats, Floats]:
    before, after = np.zeros(tasks), np.zeros(tasks)
    for block in blocks:
        before[block.positions] = block.values[:, : block.m].mean(axis=1)
        after[block.positions] = block.values[:, block.m :].mean(axis=1)
    return before, after


def _assemble(
    blocks: Sequence[_Block],
    tasks: int,
    rows: int,
    side: Callable[[int, _Block], tuple[Floats, Floats]],
) -> tuple[Floats, Floats]:
    before, after = np.zeros((rows, tasks)), np.zeros((rows, tasks))
    for index, block in enumerate(blocks):
        b, c = side(index, block)
        before[:, block.positions] = b
        after[:, block.positions] = c
    return before, after


# Up to this many ways to draw a task's trials, every way's sum is worked out once and a
# draw picks one of them with one random word, instead of one word per trial.
_TABLE_LIMIT = 1024


def _pick(table: Floats, words: npt.NDArray[np.uint64]) -> Floats:
    """Per row and task, one of the task's precomputed sums: ``table`` is (tasks, ways)."""
    count, ways = table.shape
    chosen = np.asarray(words % np.uint64(ways), dtype=np.intp) + np.arange(count) * ways
    return np.asarray(np.take(table.ravel(), chosen), dtype=np.float64)


def _within_task_permutations(blocks: Sequence[_Block], tasks: int, seed: int) -> Draw:
    """Each task's runs dealt out at random, m to the baseline and n to the candidate."""
    tables = [_subset_sums(b) for b in blocks]

    def draw(start: int, rows: int) -> tuple[Floats, Floats]:
        def side(index: int, block: _Block) -> tuple[Floats, Floats]:
            count, width = block.values.shape
            table = tables[index]
            if table is not None:
                words = random_words(stream(seed, 16 * index + 1), start, rows, count)
                after = _pick(table, words)
                total = block.values.sum(axis=1)
                return (total - after) / block.m, after / block.n
            words = random_words(stream(seed, 16 * index + 1), start, rows, count * width)
            order = np.argsort(words.reshape(rows, count, width), axis=2, kind="stable")
            shuffled = block.values[np.arange(count)[None, :, None], order]
            return shuffled[..., : block.m].mean(axis=2), shuffled[..., block.m :].mean(axis=2)

        return _assemble(blocks, tasks, rows, side)

    return draw


def _subset_sums(block: _Block) -> Floats | None:
    """(tasks, C(m + n, n)): the candidate side's sum under every way to deal the runs."""
    if math.comb(block.m + block.n, block.n) > _TABLE_LIMIT:
        return None
    ways = np.array(list(combinations(range(block.m + block.n), block.n)), dtype=np.intp)
    return np.asarray(block.values[:, ways].sum(axis=2), dtype=np.float64)


def _inflated(values: Floats) -> Floats:
    """Each row's deviations from its mean scaled by sqrt(k / (k - 1)): resampling k values
    then has the spread of the unbiased variance, not k - 1 / k of it."""
    k = values.shape[1]
    centre = values.mean(axis=1, keepdims=True)
    return np.asarray(centre + (values - centre) * math.sqrt(k / (k - 1)), dtype=np.float64)


def _trial_bootstrap(blocks: Sequence[_Block], seed: int) -> Draw:
    """Each task's trials drawn with replacement, on each side apart."""
    sides = [(_inflated(b.values[:, : b.m]), _inflated(b.values[:, b.m :])) for b in blocks]
    tables = [tuple(_draw_sums(values) for values in pair) for pair in sides]
    tasks = sum(len(b.positions) for b in blocks)

    def draw(start: int, rows: int) -> tuple[Floats, Floats]:
        def side(index: int, block: _Block) -> tuple[Floats, Floats]:
            count = len(block.positions)
            means = []
            for offset, values in enumerate(sides[index]):
                k, table = values.shape[1], tables[index][offset]
                key = stream(seed, 16 * index + 2 + offset)
                if table is not None:
                    means.append(_pick(table, random_words(key, start, rows, count)) / k)
                    continue
                words = random_words(key, start, rows, count * k)
                picks = np.asarray(words % np.uint64(k), dtype=np.intp).reshape(rows, count, k)
                means.append(values[np.arange(count)[None, :, None], picks].mean(axis=2))
            return means[0], means[1]

        return _assemble(blocks, tasks, rows, side)

    return draw


def _draw_sums(values: Floats) -> Floats | None:
    """(tasks, k^k): the sum of every ordered draw of k of a task's k trials."""
    k = values.shape[1]
    if k**k > _TABLE_LIMIT:
        return None
    draws = np.array(list(product(range(k), repeat=k)), dtype=np.intp)
    return np.asarray(values[:, draws].sum(axis=2), dtype=np.float64)


def _task_bootstrap(base: Floats, cand: Floats, seed: int) -> Draw:
    def draw(start: int, rows: int) -> tuple[Floats, Floats]:
        index = resample_indices(seed, start, rows, len(base))
        return base[index], cand[index]

    return draw


def _unpaired_draws(base: Floats, cand: Floats, seed: int) -> tuple[Draw, Draw]:
    pooled = np.concatenate([base, cand])

    def bootstrap(start: int, rows: int) -> tuple[Floats, Floats]:
        before = base[resample_indices(seed, start, rows, len(base))]
        return before, cand[resample_indices(stream(seed, 2), start, rows, len(cand))]

    def shuffle_labels(start: int, rows: int) -> tuple[Floats, Floats]:
        words = random_words(stream(seed, 1), start, rows, len(pooled))
        shuffled = pooled[np.argsort(words, axis=1, kind="stable")]
        return shuffled[:, : len(base)], shuffled[:, len(base) :]

    return bootstrap, shuffle_labels


def _changes(draw: Draw, resamples: int, size: int, tails: bool = True) -> tuple[Floats, Floats]:
    """Changes of mean and tail over ``resamples`` draws of (baseline, candidate) rows; the
    tail's are left empty with ``tails`` false (they are most of the cost)."""
    step = max(1, _CHUNK_CELLS // max(1, size))
    mean_changes, tail_changes = [], []
    for start in range(0, resamples, step):
        before, after = draw(start, min(step, resamples - start))
        mean_changes.append(mean_of_rows(after) - mean_of_rows(before))
        if tails:
            tail_changes.append(tail_of_rows(after) - tail_of_rows(before))
    empty = np.zeros(0)
    return np.concatenate(mean_changes), np.concatenate(tail_changes) if tails else empty


def _interval(observed: float, boots: Floats, nulls: Floats) -> Interval:
    low, high = np.quantile(boots, [(1 - CI_LEVEL) / 2, (1 + CI_LEVEL) / 2])
    as_low = int(np.count_nonzero(nulls <= observed + 1e-12))
    return Interval(
        delta=round(observed, 6),
        ci=(round(float(low), 6), round(float(high), 6)),
        p_value=round((1 + as_low) / (1 + len(nulls)), 6),
    )


def _means(trials: Trials) -> Floats:
    return np.array([math.fsum(trials[t]) / len(trials[t]) for t in sorted(trials)])


def trials_by_task(scores: Sequence[tuple[str, float]]) -> dict[str, list[float]]:
    """``[(task_id, score), ...]`` -> ``{task_id: [score of each trial]}``."""
    trials: dict[str, list[float]] = {}
    for task, score in scores:
        trials.setdefault(task, []).append(score)
    return trials
