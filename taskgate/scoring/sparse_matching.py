"""Pairing over sparse rows: {column: weight} for the pairs that may be made.

A run may make thousands of calls; a dense matrix of them all, and the exact methods' cubic
time, would grow without bound. So the problem is split into its connected parts (the calls
to one tool, say), and each part is solved exactly by taskgate.scoring.evaluators.matching while it
is small, greedily (heaviest pair first) beyond.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence

from taskgate.scoring.matching import Pair, align, assign

SparseWeights = Sequence[Mapping[int, float]]
MAX_EXACT_CELLS = 40_000
"""Rows x columns of the largest part assigned exactly (200 x 200: the exact method's time
grows with the cube); larger parts are paired greedily, heaviest pair first."""
MAX_EXACT_ALIGNMENT = 1_000_000
"""Rows x columns (those any row may pair with) of the largest order-preserving pairing made
exactly: its time grows with the product."""


def assign_sparse(rows: SparseWeights, columns: int) -> list[Pair]:
    """assign() over sparse rows: each connected part (rows and columns joined by allowed
    pairs, such as the calls to one tool) on its own, exactly when it is small."""
    pairs: list[Pair] = []
    for row_ids, column_ids in _components(rows, columns):
        if len(row_ids) * len(column_ids) <= MAX_EXACT_CELLS:
            place = {column: j for j, column in enumerate(column_ids)}
            dense: list[list[float | None]] = [[None] * len(column_ids) for _ in row_ids]
            for i, row in enumerate(row_ids):
                for column, weight in rows[row].items():
                    dense[i][place[column]] = weight
            pairs += [(row_ids[i], column_ids[j]) for i, j in assign(dense)]
        else:
            pairs += _heaviest_first(rows, row_ids)
    return sorted(pairs)


def align_sparse(rows: SparseWeights, columns: int) -> list[Pair]:
    """align() over sparse rows: exact while rows x the columns they may pair with is small;
    beyond, each row in order takes its heaviest allowed column after the last one taken."""
    used = sorted({column for row in rows for column in row})  # the rest never pair
    if len(rows) * len(used) <= MAX_EXACT_ALIGNMENT:
        dense = [[row.get(column) for column in used] for row in rows]
        found = align(dense) if rows and used else []
        return [(row, used[j]) for row, j in found]
    pairs: list[Pair] = []
    last = -1
    for index, row in enumerate(rows):
        later = [(-weight, column) for column, weight in row.items() if column > last]
        if later:
            last = min(later)[1]
            pairs.append((index, last))
    return pairs


def _components(rows: SparseWeights, columns: int) -> list[tuple[list[int], list[int]]]:
    """The connected parts of the bipartite graph of allowed pairs, each as sorted row and
    column indices (union-find; columns are nodes len(rows) + column)."""
    parent = list(range(len(rows) + columns))

    def root(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for row, allowed in enumerate(rows):
        for column in allowed:
            a, b = root(row), root(len(rows) + column)
            if a != b:
                parent[max(a, b)] = min(a, b)
    parts: dict[int, tuple[list[int], list[int]]] = {}
    for row, allowed in enumerate(rows):
        if allowed:
            parts.setdefault(root(row), ([], []))[0].append(row)
    used = sorted({column for allowed in rows for column in allowed})
    for column in used:
        parts[root(len(rows) + column)][1].append(column)
    return list(parts.values())


def _heaviest_first(rows: SparseWeights, row_ids: Sequence[int]) -> list[Pair]:
    candidates = sorted(
        (-weight, row, column) for row in row_ids for column, weight in rows[row].items()
    )
    taken_rows: set[int] = set()
    taken_columns: set[int] = set()
    pairs: list[Pair] = []
    for _, row, column in candidates:
        if row not in taken_rows and column not in taken_columns:
            taken_rows.add(row)
            taken_columns.add(column)
            pairs.append((row, column))
    return pairs


def matched_prefix_sparse(allowed: Sequence[Sequence[int]]) -> int:
    """matched_prefix() over each row's allowed columns, sorted."""
    column = -1
    for count, row in enumerate(allowed):
        found = bisect.bisect_right(row, column)
        if found == len(row):
            return count
        column = row[found]
    return len(allowed)
