from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taskgate.scoring.matching import (
    Pair,
    Weights,
    _hungarian_pairs,
    align,
    assign,
    matched_prefix,
)


def total(weights: Weights, pairs: list[Pair]) -> float:
    return sum(weights[r][c] or 0.0 for r, c in pairs)


def brute_assignment(weights: Weights) -> tuple[int, float]:
    """(allowed pairs, total weight) of the best assignment, trying every one."""
    rows, cols = len(weights), len(weights[0])
    best = (-1, 0.0)
    for chosen in itertools.permutations(range(max(rows, cols)), min(rows, cols)):
        pairs = (
            list(zip(range(rows), chosen, strict=False))
            if rows <= cols
            else list(zip(chosen, range(cols), strict=False))
        )
        allowed = [(r, c) for r, c in pairs if weights[r][c] is not None]
        candidate = (len(allowed), total(weights, allowed))
        if candidate[0] > best[0] or (candidate[0] == best[0] and candidate[1] > best[1]):
            best = candidate
    return best


def brute_alignment(weights: Weights, row: int = 0, col: int = 0) -> float:
    """Best total of an order-preserving pairing, by trying every one."""
    if row == len(weights) or col == len(weights[0]):
        return 0.0
    options = [brute_alignment(weights, row + 1, col), brute_alignment(weights, row, col + 1)]
    weight = weights[row][col]
    if weight is not None:
        options.append(weight + brute_alignment(weights, row + 1, col + 1))
    return max(options)


def matrices(allow_none: bool) -> st.SearchStrategy[list[list[float | None]]]:
    cell: st.SearchStrategy[float | None] = st.sampled_from([0.0, 0.25, 0.5, 1.0]) | st.floats(0, 1)
    if allow_none:
        cell = cell | st.none()
    return st.integers(1, 5).flatmap(
        lambda cols: st.lists(st.lists(cell, min_size=cols, max_size=cols), min_size=1, max_size=5)
    )


def test_greedy_trap_gets_the_optimum() -> None:
    # Greedy takes the 1.0 first and is left with 0.0: total 1.0. The optimum is 1.8.
    weights = [[1.0, 0.9], [0.9, 0.0]]
    assert assign(weights) == [(0, 1), (1, 0)]


@pytest.mark.parametrize(
    ("weights", "pairs"),
    [
        ([], []),
        ([[]], []),
        ([[0.5, 1.0, 0.2]], [(0, 1)]),  # wide
        ([[0.5], [1.0], [0.2]], [(1, 0)]),  # tall
        ([[None, None], [None, 0.3]], [(1, 1)]),  # a row with no allowed pair stays unpaired
        ([[0.0, None], [None, None]], [(0, 0)]),  # a zero-weight pair is still made
    ],
)
def test_assign(weights: list[list[float | None]], pairs: list[Pair]) -> None:
    assert assign(weights) == pairs


@given(matrices(allow_none=False))
def test_assign_matches_brute_force(weights: list[list[float | None]]) -> None:
    pairs = assign(weights)
    assert len(pairs) == min(len(weights), len(weights[0]))
    assert len({r for r, _ in pairs}) == len({c for _, c in pairs}) == len(pairs)
    assert total(weights, pairs) == pytest.approx(brute_assignment(weights)[1], abs=1e-9)


@given(matrices(allow_none=True))
def test_assign_with_forbidden_pairs_matches_brute_force(
    weights: list[list[float | None]],
) -> None:
    pairs = assign(weights)
    count, best = brute_assignment(weights)
    assert all(weights[r][c] is not None for r, c in pairs)
    assert len(pairs) == count
    assert total(weights, pairs) == pytest.approx(best, abs=1e-9)


@pytest.mark.parametrize(
    ("weights", "pairs"),
    [
        ([], []),
        ([[1.0, None], [None, 1.0]], [(0, 0), (1, 1)]),
        ([[None, 1.0], [1.0, None]], [(0, 1)]),  # crossing pairs cannot both be kept
        ([[0.2, None, None], [None, None, 0.3], [None, 1.0, None]], [(0, 0), (2, 1)]),
        ([[0.0, None], [None, 0.0]], [(0, 0), (1, 1)]),  # equal totals: more pairs win
    ],
)
def test_align(weights: list[list[float | None]], pairs: list[Pair]) -> None:
    assert align(weights) == pairs


@given(matrices(allow_none=True))
def test_align_matches_brute_force(weights: list[list[float | None]]) -> None:
    pairs = align(weights)
    assert all(r1 < r2 and c1 < c2 for (r1, c1), (r2, c2) in itertools.pairwise(pairs))
    assert total(weights, pairs) == pytest.approx(brute_alignment(weights), abs=1e-9)


@pytest.mark.parametrize(
    ("allowed", "count"),
    [
        ([], 0),
        ([[True, False], [False, True]], 2),
        ([[False, True], [True, False]], 1),
        ([[False, False], [True, True]], 0),  # the first is missing: no prefix at all
        ([[True, True, False], [True, False, False], [False, False, True]], 1),
        ([[True, True, False], [False, True, False], [False, False, True]], 3),
    ],
)
def test_matched_prefix(allowed: list[list[bool]], count: int) -> None:
    assert matched_prefix(allowed) == count


single_lines = st.lists(st.sampled_from([None, 0.0, 0.5, 1.0]), min_size=1, max_size=8)


@given(single_lines, st.booleans())
def test_one_row_or_column_pairs_as_the_general_method_does(
    line: list[float | None], as_row: bool
) -> None:
    # Ties included: the same pair must come out, or reasons naming calls would change.
    weights = [line] if as_row else [[weight] for weight in line]
    assert assign(weights) == _hungarian_pairs(weights)
