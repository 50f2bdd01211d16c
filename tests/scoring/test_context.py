"""The per-run context: each judgment made once under its settings, and made afresh,
uncached, for an evaluator whose own settings differ."""

from __future__ import annotations

from dataclasses import replace

from taskgate.scoring.calls import credit_matrix, match_calls
from taskgate.scoring.checks import judge, judge_outcome
from taskgate.scoring.context import DEFAULT_SETTINGS, RunContext
from taskgate.scoring.criteria import evaluate_criteria
from tests.conftest import make_context, make_record

TASK = {
    "expected_result": "Order 7 cancelled",
    "success_criteria": ["order cancelled", "refund sent"],
    "expected_calls": [
        {"name": "cancel", "arguments": {"order": 7}},
        {"name": "refund", "arguments": {"order": 7, "amount": 5}},
    ],
}
STEPS = [
    {"tool_calls": [{"name": "refund", "arguments": {"order": 7, "amount": 4}, "result": "ok"}]},
    {"tool_calls": [{"name": "cancel", "arguments": {"order": 7}, "result": "cancelled"}]},
    {"message": "Order 7 cancelled", "is_final": True},
]


def context() -> RunContext:
    return make_context(task=TASK, steps=STEPS)


def test_each_judgment_is_made_once_and_shared() -> None:
    ctx = context()
    assert ctx.criteria_for(DEFAULT_SETTINGS.keyword_share) is ctx.criteria
    assert ctx.credits_for(DEFAULT_SETTINGS.arguments) is ctx.credits
    assert ctx.credits_for("exact") is ctx.exact_credits is ctx.credits  # default is exact
    assert ctx.call_match_for(DEFAULT_SETTINGS.order, DEFAULT_SETTINGS.arguments) is ctx.call_match
    assert ctx.checks_for(DEFAULT_SETTINGS) is ctx.checks
    outcome = ctx.outcome_for(DEFAULT_SETTINGS.outcome_match, DEFAULT_SETTINGS.outcome_tolerance)
    assert outcome is ctx.outcome


def test_the_judgments_are_those_of_the_functions_that_make_them() -> None:
    ctx, fresh = context(), context()
    settings = DEFAULT_SETTINGS
    assert ctx.criteria == evaluate_criteria(fresh, settings.keyword_share)
    assert ctx.credits == credit_matrix(fresh, settings.arguments) == [{1: 1.0}, {0: 0.5}]
    outcome = judge_outcome(fresh, settings.outcome_match, settings.outcome_tolerance)
    assert ctx.outcome == outcome
    criteria = evaluate_criteria(fresh, settings.keyword_share)
    assert ctx.checks == judge(fresh, settings, outcome, criteria, ctx.credits)
    assert ctx.call_match == match_calls(fresh, settings.order, settings.arguments, ctx.credits)


def test_other_settings_are_judged_afresh_and_not_kept() -> None:
    ctx = context()
    loose = ctx.criteria_for(0.5)
    # "refund sent": one of its two words is in the run (the call to refund)
    assert [r.met for r in loose] == [True, True]
    assert [r.met for r in ctx.criteria] == [True, False]
    assert loose is not ctx.criteria_for(0.5)
    subset = ctx.credits_for("subset")
    assert subset == [{1: 1.0}, {0: 0.5}] and subset is not ctx.credits
    strict = ctx.call_match_for("strict", "exact")
    # In order, only one of the two pairs can stand: the better, cancel (full credit).
    assert [(e, a) for e, a, _ in strict.pairs] == [(0, 1)]
    assert [(e, a) for e, a, _ in ctx.call_match.pairs] == [(0, 1), (1, 0)]
    lenient = replace(DEFAULT_SETTINGS, arguments="ignore", keyword_share=0.5)
    assert ctx.checks_for(lenient).passed is True
    assert ctx.checks.passed is False  # a criterion unmet, and the refund amount differs


def test_two_contexts_of_one_record_share_nothing() -> None:
    record = make_record(task=TASK, steps=STEPS)
    first, second = RunContext(record), RunContext(record)
    assert first.criteria == second.criteria
    assert first.criteria is not second.criteria
    assert first.regex_clock is not second.regex_clock
