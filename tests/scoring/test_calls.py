"""Call matching stays exact for runs of ordinary size, and bounded beyond."""

from __future__ import annotations

from typing import Any

import pytest

from taskgate.scoring import calls
from tests.conftest import make_context
from tests.scoring.test_checks import SETTINGS


def _checks(expected: list[dict[str, Any]], made: list[dict[str, Any]], order: str) -> list[str]:
    task = {"expected_calls": expected, "call_order": order}
    ctx = make_context(task=task, steps=[{"tool_calls": made}, {"message": "ok", "is_final": True}])
    return [c.message for c in ctx.checks_for(SETTINGS).checks if not c.holds]


def test_the_right_call_is_found_among_hundreds_of_others() -> None:
    made = [{"name": "search", "arguments": {"q": f"other {i}"}} for i in range(400)]
    made.append({"name": "search", "arguments": {"q": "x"}})
    assert _checks([{"name": "search", "arguments": {"q": "x"}}], made, "unordered") == []


def test_a_subset_run_repeating_an_allowed_call_hundreds_of_times_is_fine() -> None:
    made = [{"name": "search", "arguments": {"q": "x"}}] * 401
    assert _checks([{"name": "search", "arguments": {"q": "x"}}], made, "subset") == []


def test_strict_order_is_exact_over_hundreds_of_calls() -> None:
    expected = [{"name": "step", "arguments": {"n": 0}, "optional": True}]
    expected += [{"name": "step", "arguments": {"n": i}} for i in range(1, 50)]
    made = [{"name": "noise", "arguments": {}}] * 800
    made += [{"name": "step", "arguments": {"n": i}} for i in range(50)]
    assert _checks(expected, made, "strict") == []


def test_a_group_too_large_to_compare_in_full_is_compared_near_its_place(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(calls, "MAX_GROUP_PAIRS", 100)
    expected = [{"name": "f", "arguments": {"i": i}} for i in range(20)]
    made = [{"name": "f", "arguments": {"i": i}} for i in range(20)]
    task = {"expected_calls": expected}
    ctx = make_context(task=task, steps=[{"tool_calls": made}])
    rows = calls.credit_matrix(ctx, "exact")
    assert [len(row) for row in rows] == [5] * 20  # 100 pairs / 20 expected calls
    assert all(index in row for index, row in enumerate(rows))  # its own call is near it
    match = calls.match_calls(ctx, "unordered", "exact", rows)
    assert (match.precision, match.recall) == (1.0, 1.0)
