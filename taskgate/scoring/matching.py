"""Pairing expected items with actual ones: optimal assignment and order-preserving alignment.

Weights are given as a matrix, rows = expected items, columns = actual items. ``None`` marks
a pair that may not be made at all (a different tool name); ``0.0`` is a pair that may be made
but earns nothing. Both functions are exact optima, never greedy: a greedy pairing can lock a
good pair early and leave the rest with nothing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

Weights = Sequence[Sequence[float | None]]
Pair = tuple[int, int]
Best = list[list[tuple[float, int]]]
"""best[i][j]: (total weight, pairs) of the best alignment of the first i rows and j columns."""

# Totals closer than this are ties: sums of the same credits in another order differ in the
# last bits, and a tie must not be broken by float noise.
TOLERANCE = 1e-9


def assign(weights: Weights) -> list[Pair]:
    """A one-to-one assignment (Hungarian / Kuhn-Munkres, O(n²m)), sorted by row.

    It pairs as many rows as allowed pairs permit and, among those, maximises the total
    weight. When allowed pairs fall into groups (same tool name) and weights are non-negative,
    that is exactly the assignment of maximal total weight, with zero-weight pairs made where
    they cost nothing.
    """
    rows, cols = len(weights), len(weights[0]) if weights else 0
    if rows == 0 or cols == 0:
        return []
    if rows == 1 or cols == 1:
        return _single_line(weights, rows == 1)
    return _hungarian_pairs(weights)


def _hungarian_pairs(weights: Weights) -> list[Pair]:
    rows, cols = len(weights), len(weights[0])
    # Every forbidden pair costs more than all allowed weight together, so one
    # more forbidden pair is never worth any gain in weight.
    penalty = 1.0 + math.fsum(abs(w) for row in weights for w in row if w is not None)
    cost = [[penalty if w is None else -w for w in row] for row in weights]
    transposed = rows > cols
    if transposed:
        cost = [list(column) for column in zip(*cost, strict=True)]
    pairs = [(c, r) if transposed else (r, c) for r, c in _min_cost(cost)]
    return sorted((r, c) for r, c in pairs if weights[r][c] is not None)


def _single_line(weights: Weights, one_row: bool) -> list[Pair]:
    """assign() when one row or one column is all there is: the heaviest allowed pair, the
    first of equals, just as the general method picks it (one expected call is common)."""
    line = weights[0] if one_row else [row[0] for row in weights]
    allowed = [(weight, index) for index, weight in enumerate(line) if weight is not None]
    if not allowed:
        return []
    heaviest = max(weight for weight, _ in allowed)
    index = next(index for weight, index in allowed if weight == heaviest)
    return [(0, index) if one_row else (index, 0)]


@dataclass
class _Hungarian:
    """Potentials and the current matching of the shortest-augmenting-path method.

    Indices are 1-based; column 0 is a virtual column holding the row being added.
    """

    cost: list[list[float]]
    u: list[float] = field(init=False)
    v: list[float] = field(init=False)
    owner: list[int] = field(init=False)
    """owner[j]: the row matched to column j (0 = none)."""

    def __post_init__(self) -> None:
        rows, cols = len(self.cost), len(self.cost[0])
        self.u = [0.0] * (rows + 1)
        self.v = [0.0] * (cols + 1)
        self.owner = [0] * (cols + 1)

    def add_row(self, row: int) -> None:
        cols = len(self.v) - 1
        self.owner[0] = row
        slack = [math.inf] * (cols + 1)
        came_from = [0] * (cols + 1)
        used = [False] * (cols + 1)
        column = 0
        while self.owner[column] != 0:
            used[column] = True
            column = self._grow(column, slack, came_from, used)
        self._flip(column, came_from)

    def _grow(self, column: int, slack: list[float], came_from: list[int], used: list[bool]) -> int:
        """Relax the slacks from the row on ``column``, move the potentials, return the
        nearest free column."""
        row, delta, nearest = self.owner[column], math.inf, 0
        for j in range(1, len(self.v)):
            if used[j]:
                continue
            reduced = self.cost[row - 1][j - 1] - self.u[row] - self.v[j]
            if reduced < slack[j]:
                slack[j], came_from[j] = reduced, column
            if slack[j] < delta:
                delta, nearest = slack[j], j
        for j in range(len(self.v)):
            if used[j]:
                self.u[self.owner[j]] += delta
                self.v[j] -= delta
            else:
                slack[j] -= delta
        return nearest

    def _flip(self, column: int, came_from: list[int]) -> None:
        """Augment: shift every row on the path one column along."""
        while column != 0:
            previous = came_from[column]
            self.owner[column] = self.owner[previous]
            column = previous


def _min_cost(cost: list[list[float]]) -> list[Pair]:
    """Minimum-cost assignment of every row (rows <= columns)."""
    solver = _Hungarian(cost)
    for row in range(1, len(cost) + 1):
        solver.add_row(row)
    return [(solver.owner[j] - 1, j - 1) for j in range(1, len(solver.v)) if solver.owner[j]]


def align(weights: Weights) -> list[Pair]:
    """An order-preserving pairing (weighted longest common subsequence), sorted.

    Maximises the total weight; among equal totals, the number of pairs.
    """
    rows, cols = len(weights), len(weights[0]) if weights else 0
    best = [[(0.0, 0)] * (cols + 1) for _ in range(rows + 1)]
    for i in range(1, rows + 1):
        for j in range(1, cols + 1):
            best[i][j] = _best_at(best, weights, i, j)
    return _trace(best, weights)


def _paired(best: Best, weights: Weights, i: int, j: int) -> tuple[float, int] | None:
    weight = weights[i - 1][j - 1]
    if weight is None:
        return None
    total, count = best[i - 1][j - 1]
    return (total + weight, count + 1)


def _best_at(best: Best, weights: Weights, i: int, j: int) -> tuple[float, int]:
    options = [best[i - 1][j], best[i][j - 1]]
    paired = _paired(best, weights, i, j)
    if paired is not None:
        options.append(paired)
    winner = options[0]
    for option in options[1:]:
        if _better(option, winner):
            winner = option
    return winner


def _better(a: tuple[float, int], b: tuple[float, int]) -> bool:
    if abs(a[0] - b[0]) > TOLERANCE:
        return a[0] > b[0]
    return a[1] > b[1]


def _trace(best: Best, weights: Weights) -> list[Pair]:
    i, j = len(best) - 1, len(best[0]) - 1
    pairs: list[Pair] = []
    while i > 0 and j > 0:
        if best[i][j] == best[i - 1][j]:
            i -= 1
        elif best[i][j] == best[i][j - 1]:
            j -= 1
        else:
            pairs.append((i - 1, j - 1))
            i, j = i - 1, j - 1
    return pairs[::-1]


def matched_prefix(allowed: Sequence[Sequence[bool]]) -> int:
    """How many leading rows can be paired, in order, with increasing columns.

    Taking the earliest allowed column for each row is optimal here: it leaves the most
    columns for the rows after it.
    """
    column = 0
    for count, row in enumerate(allowed):
        found = next((j for j in range(column, len(row)) if row[j]), None)
        if found is None:
            return count
        column = found + 1
    return len(allowed)
