"""Sparse pairing agrees with the exact dense methods where they apply, and stays a valid
one-to-one (or in-order) pairing beyond them."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taskgate.scoring import sparse_matching
from taskgate.scoring.matching import align, assign
from taskgate.scoring.sparse_matching import (
    align_sparse,
    assign_sparse,
    matched_prefix_sparse,
)

credit = st.sampled_from([0.0, 0.5, 1.0, None])


@st.composite
def problems(draw: st.DrawFn) -> tuple[list[dict[int, float]], int]:
    rows, columns = draw(st.integers(0, 6)), draw(st.integers(0, 6))
    dense = [[draw(credit) for _ in range(columns)] for _ in range(rows)]
    return [{c: w for c, w in enumerate(row) if w is not None} for row in dense], columns


def dense_of(rows: list[dict[int, float]], columns: int) -> list[list[float | None]]:
    return [[row.get(c) for c in range(columns)] for row in rows]


def value(rows: list[dict[int, float]], pairs: list[tuple[int, int]]) -> tuple[int, float]:
    return len(pairs), round(math.fsum(rows[r][c] for r, c in pairs), 9)


@given(problems())
def test_assign_sparse_is_as_good_as_the_dense_assignment(problem: tuple) -> None:
    rows, columns = problem
    pairs = assign_sparse(rows, columns)
    expected = assign(dense_of(rows, columns)) if rows and columns else []
    assert value(rows, pairs) == value(rows, expected)
    assert len({r for r, _ in pairs}) == len({c for _, c in pairs}) == len(pairs)


@given(problems())
def test_align_sparse_is_the_dense_alignment_while_small(problem: tuple) -> None:
    rows, columns = problem
    expected = align(dense_of(rows, columns)) if rows and columns else []
    assert align_sparse(rows, columns) == expected


@given(problems())
def test_beyond_the_limit_pairings_stay_valid(problem: tuple) -> None:
    rows, columns = problem
    limit = sparse_matching.MAX_EXACT_CELLS
    try:
        sparse_matching.MAX_EXACT_CELLS = 0
        one_to_one = assign_sparse(rows, columns)
        in_order = align_sparse(rows, columns)
    finally:
        sparse_matching.MAX_EXACT_CELLS = limit
    for pairs in (one_to_one, in_order):
        assert all(c in rows[r] for r, c in pairs)
        assert len({r for r, _ in pairs}) == len({c for _, c in pairs}) == len(pairs)
    assert [c for _, c in in_order] == sorted({c for _, c in in_order})
    assert [r for r, _ in in_order] == sorted({r for r, _ in in_order})


def test_heaviest_pairs_go_first_beyond_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sparse_matching, "MAX_EXACT_CELLS", 0)
    rows = [{0: 0.5, 1: 1.0}, {1: 0.9}]
    assert assign_sparse(rows, 2) == [(0, 1)]  # greedy: the exact answer pairs both
    assert assign(dense_of(rows, 2)) == [(0, 0), (1, 1)]


def test_parts_that_share_nothing_are_solved_apart() -> None:
    rows = [{0: 1.0}, {0: 1.0, 1: 0.5}, {3: 1.0}, {}]
    assert assign_sparse(rows, 4) == [(0, 0), (1, 1), (2, 3)]


def test_matched_prefix_over_sorted_columns() -> None:
    assert matched_prefix_sparse([[2], [0, 3], [1]]) == 2
    assert matched_prefix_sparse([[], [0]]) == 0
    assert matched_prefix_sparse([]) == 0
