"""Criteria over long evidence: each is one lookup, whatever the number of observations,
and a task's regular expressions share one time budget per run."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taskgate.errors import RecordError
from taskgate.model.record import Criterion
from taskgate.scoring import criteria
from taskgate.scoring.criteria import evaluate_criteria, is_met
from taskgate.scoring.text import contains_words, tokens
from tests.conftest import make_context

words = st.sampled_from(["refund", "issued", "order", "1182", "total", "20.5", "none"])
observations = st.lists(st.lists(words, max_size=6).map(" ".join), max_size=6)


@given(observations, st.lists(words, min_size=1, max_size=3).map(" ".join))
def test_observation_contains_agrees_with_looking_in_each_observation(
    seen: list[str], phrase: str
) -> None:
    ctx = make_context(steps=[{"observation": text} for text in seen])
    criterion = Criterion.model_validate({"observation_contains": phrase})
    oracle = any(contains_words(tokens(text), tokens(phrase)) for text in seen if text)
    assert is_met(ctx, criterion, 0.75, "[0]") is oracle


def test_a_phrase_never_spans_two_observations() -> None:
    ctx = make_context(steps=[{"observation": "refund"}, {"observation": "issued"}])
    criterion = Criterion.model_validate({"observation_contains": "refund issued"})
    assert is_met(ctx, criterion, 0.75, "[0]") is False


def test_the_regular_expressions_of_a_task_share_one_budget_per_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = iter(0.15 * tick for tick in range(100))  # each search "takes" 0.15 s
    monkeypatch.setattr(criteria.time, "perf_counter", lambda: next(clock))
    monkeypatch.setattr(criteria, "REGEX_RUN_BUDGET_S", 0.3)
    task = {"success_criteria": [{"result_matches": r"REF-\d+"}] * 3}
    ctx = make_context(task=task, final_result="Done (REF-99)")
    with pytest.raises(RecordError) as caught:
        evaluate_criteria(ctx, 0.75)
    assert caught.value.field == "task.success_criteria[2].result_matches"
    assert caught.value.message == (
        "the regular expression 'REF-\\\\d+' took the task's expressions past 0.3 s together on "
        "this run's result; simplify it (avoid nested repetition such as (a+)+)"
    )


def test_one_runaway_expression_is_named_as_such(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(criteria, "REGEX_TIMEOUT_S", 0.05)
    task = {"success_criteria": [{"result_matches": r"^(a|a)*$"}]}
    ctx = make_context(task=task, final_result="a" * 40 + "b")
    with pytest.raises(RecordError) as caught:
        evaluate_criteria(ctx, 0.75)
    assert caught.value.message == (
        "the regular expression '^(a|a)*$' ran for over 0.05 s on this run's result; simplify "
        "it (avoid nested repetition such as (a+)+)"
    )


def test_fast_expressions_are_untouched_by_the_budget() -> None:
    task = {"success_criteria": [{"result_matches": r"REF-\d+"}] * 50}
    ctx = make_context(task=task, final_result="Done (REF-99)")
    assert all(result.met for result in evaluate_criteria(ctx, 0.75))
