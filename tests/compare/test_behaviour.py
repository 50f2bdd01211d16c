"""Behaviour against the baseline: tool rates, steps and cost per run."""

from __future__ import annotations

from math import comb

import pytest

from taskgate.compare.behaviour import behaviour, rate_p_value, tool_changes
from taskgate.model.report import RunResult, ToolChange
from tests.conftest import make_result


def run(task: str, trial: int, tools: dict[str, int] | None, steps: int = 3) -> RunResult:
    return make_result(
        f"{task}-{trial}", task, trial=trial, steps=steps, cost_usd=0.01 * steps, tools=tools
    )


def test_the_rate_test_is_the_binomial_split_of_the_calls() -> None:
    # 2 calls before, 8 after, equal numbers of runs: the after share of 10 calls is
    # Binomial(10, 1/2); two-sided, twice the upper tail P(X >= 8).
    upper = sum(comb(10, k) for k in range(8, 11)) / 2**10
    assert rate_p_value(2, 50, 8, 50) == pytest.approx(2 * upper)
    assert rate_p_value(0, 50, 0, 50) == 1.0
    assert rate_p_value(5, 50, 5, 50) == 1.0


def test_a_tool_that_vanished_or_appeared_is_listed_only_beyond_chance() -> None:
    base = [run(f"t{i}", 0, {"lookup": 1, "refund": 1}) for i in range(40)]
    cand = [run(f"t{i}", 0, {"lookup": 1, "search": 1}) for i in range(40)]
    assert tool_changes(base, cand, 0.05) == [
        ToolChange(tool="refund", before=1.0, after=0.0, change="vanished"),
        ToolChange(tool="search", before=0.0, after=1.0, change="appeared"),
    ]
    plain = [run(f"t{i}", 0, {"lookup": 1}) for i in range(40)]
    once = [run(f"t{i}", 0, {"lookup": 1, "rare": int(i == 0)}) for i in range(40)]
    assert tool_changes(plain, once, 0.05) == []  # one call in 40 runs: chance


def test_calls_of_a_report_that_did_not_count_them_are_unknown() -> None:
    assert tool_changes([run("a", 0, None)], [run("a", 0, {"x": 1})], 0.05) is None


def test_more_steps_within_tasks_are_significant_and_cost_follows() -> None:
    base = [run(f"t{i}", k, {}, steps=3 + (i % 3)) for i in range(30) for k in range(2)]
    cand = [run(f"t{i}", k, {}, steps=6 + (i % 3)) for i in range(30) for k in range(2)]
    seen = behaviour(base, cand, "all", 0.05)
    assert (seen.steps_before["mean"], seen.steps_after["mean"]) == (4.0, 7.0)
    assert seen.steps_p_value is not None and seen.steps_p_value < 0.01
    assert (seen.cost_per_run_before, seen.cost_per_run_after) == (0.04, 0.07)
    same = behaviour(base, base, "all", 0.05)
    assert same.steps_p_value is not None and same.steps_p_value > 0.4
