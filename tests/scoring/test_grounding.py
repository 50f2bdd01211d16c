"""Grounding: the facts a result states, sorted into found, derived, unverified, ungrounded."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from taskgate.config.load import default_config
from taskgate.scoring.grounding import Grounding, ground
from taskgate.scoring.scorer import Scorer
from tests.conftest import make_context, make_record

ORDER = {"order_id": "W2378156", "total": 54.04, "quantity": 3, "placed": "2024-05-01"}


def grounded(steps: list[dict[str, Any]], result: str, **fields: Any) -> Grounding:
    return make_context(steps=steps, final_result=result, **fields).grounding


def looked_up(result: Any) -> list[dict[str, Any]]:
    return [{"tool_calls": [{"name": "get_order", "arguments": {}, "result": result}]}]


ASKED = {"role": "user", "message": "Refund my order W2378156 please."}


def test_facts_from_tool_results_and_the_user_are_found() -> None:
    result = "Order W2378156 of 2024-05-01 came to $54.04; refund sent."
    assert grounded([ASKED, *looked_up(ORDER)], result) == Grounding(
        found=("W2378156", "2024-05-01", "$54.04")
    )


def test_a_fact_stated_in_the_request_not_by_a_tool_is_grounded() -> None:
    steps = [{"role": "user", "message": "My card ends in 4421 and I fly on March 3, 2025."}]
    result = "Noted: card 4421, flight on 2025-03-03."
    assert grounded(steps, result).found == ("4421", "2025-03-03")
    # The task's description is the request of a run that records no user turn.
    task = {"description": "Rebook ticket ZX9Q2P for 2025-03-03"}
    assert grounded([], "Rebooked ZX9Q2P for March 3rd, 2025.", task=task).found == (
        "ZX9Q2P",
        "March 3rd, 2025",
    )


def test_a_sum_of_amounts_seen_is_derived_not_invented() -> None:
    items = {"items": [{"price": 41.55}, {"price": 20.95}], "fee": 7.25}
    result = "Your total is $62.50, or $55.25 after the fee; 3 items at $54.04 make $162.12."
    facts = grounded([ASKED, *looked_up(items), *looked_up(ORDER)], result)
    assert facts.derived == (
        ("$62.50", "20.95 + 41.55"),
        ("$55.25", "62.5 - 7.25"),
        ("$162.12", "3 * 54.04"),
    )
    assert (facts.ungrounded, facts.unverified, facts.share) == ((), (), 1.0)


def test_a_whole_number_that_chance_could_make_is_unverified() -> None:
    # 327 = 101 + 105 + 121, but among so many whole numbers two or three add up to most
    # values near 327 as well: every even one, and every other odd one.
    prices = {"prices": list(range(101, 400, 4))}
    facts = grounded([ASKED, *looked_up(prices)], "That comes to $327 in all.")
    assert (facts.found, facts.derived, facts.unverified, facts.ungrounded) == (
        (),
        (),
        ("$327",),
        (),
    )
    assert facts.share == 0.0


def test_a_fact_the_run_never_saw_is_ungrounded() -> None:
    facts = grounded([ASKED, *looked_up(ORDER)], "Refund of $31.20 sent for order W2378156.")
    assert (facts.found, facts.ungrounded, facts.share) == (("W2378156",), ("$31.20",), 0.5)


def test_without_the_request_what_is_not_found_is_unverified() -> None:
    # The request may have given the id: not seen is then not shown to be invented.
    facts = grounded(looked_up(ORDER), "Refund of $31.20 sent for order Q77.")
    assert (facts.ungrounded, facts.unverified) == ((), ("$31.20", "Q77"))


def test_the_agent_s_own_words_and_arguments_are_not_evidence() -> None:
    steps = [
        ASKED,
        {"thought": "It was $31.20", "message": "I see $31.20 due."},
        {"tool_calls": [{"name": "refund", "arguments": {"amount": 31.2}, "result": "ok"}]},
    ]
    assert grounded(steps, "Refunded $31.20.").ungrounded == ("$31.20",)


def test_tool_errors_and_given_messages_are_evidence() -> None:
    failed = [{"tool_calls": [{"name": "pay", "arguments": {}, "error": "limit is 500.00"}]}]
    system = [{"role": "system", "content": "Bags cost $35 each."}]
    result = "The limit is $500; each bag is $35."
    assert grounded([ASKED, *failed], result, messages=system).found == ("$500", "$35")


def test_no_facts_stated_is_no_share() -> None:
    assert grounded([ASKED], "Done, have a nice day!") == Grounding()
    assert Grounding().share is None


@given(
    st.lists(st.decimals(min_value=1, max_value=9999, places=2), min_size=1, max_size=8),
    st.lists(st.decimals(min_value=1, max_value=9999, places=2), max_size=8),
)
def test_the_share_is_in_0_1_and_every_fact_seen_is_found(
    seen: list[Decimal], invented: list[Decimal]
) -> None:
    said = " and ".join(f"${value:.2f}" for value in [*seen, *invented])
    facts = ground(f"Amounts: {said}.", [str([float(value) for value in seen])])
    assert facts.share is not None and 0.0 <= facts.share <= 1.0
    assert {f"${value:.2f}" for value in seen} <= set(facts.found)
    assert facts.stated == len({f"${value:.2f}" for value in [*seen, *invented]})


def test_the_evaluator_scores_the_share_and_names_what_is_ungrounded() -> None:
    scorer = Scorer(default_config())
    scored = scorer.score(
        make_record(
            steps=[ASKED, *looked_up(ORDER)],
            final_result="Refund of $31.20 sent for order W2378156 placed 2024-05-01.",
        )
    )
    score = scored.scores["grounding"]
    assert (score.value, score.reason) == (
        2 / 3,
        "Facts backed by what the run saw: 2/3. Ungrounded: $31.20.",
    )
    assert score.details == {
        "found": ["W2378156", "2024-05-01"],
        "derived": [],
        "unverified": [],
        "ungrounded": ["$31.20"],
    }
    assert scored.result.scores["grounding"] == 2 / 3
    quiet = scorer.score(make_record(steps=[ASKED], final_result="All done."))
    assert (quiet.scores["grounding"].value, quiet.scores["grounding"].reason) == (
        None,
        "The result states no numbers, dates, times, ids or codes.",
    )
    empty = scorer.score(make_record(steps=[ASKED]))
    assert empty.scores["grounding"].reason == "No final result to check."


def grounding_required() -> Scorer:
    config = default_config()
    grounding = config.evaluators.grounding.model_copy(update={"required": True})
    evaluators = config.evaluators.model_copy(update={"grounding": grounding})
    return Scorer(config.model_copy(update={"evaluators": evaluators}))


REFUND_TASK = {"expected_result": "Refund sent for order W2378156"}


def test_required_grounding_fails_a_run_that_invents_a_fact() -> None:
    steps = [ASKED, *looked_up(ORDER), {"message": "Done", "is_final": True}]
    invented = make_record(
        task=REFUND_TASK, steps=steps, final_result="Refund sent for order W2378156: $31.20."
    )
    result = grounding_required().score(invented).result
    assert (result.passed, result.failed_check, result.failure_shape, result.reason) == (
        False,
        "grounded",
        "hallucinated_result",
        "Result states facts the run never saw: $31.20.",
    )
    # Off by default: the same run passes, its grounding score tells.
    default = Scorer(default_config()).score(invented).result
    assert (default.passed, default.scores["grounding"]) == (True, 0.5)
    seen = invented.model_copy(update={"final_result": "Refund sent for order W2378156: $54.04."})
    assert grounding_required().score(seen).result.reason == (
        "Passed: completed, final step, outcome, grounded result."
    )


def test_a_failed_run_with_an_invented_fact_has_the_shape_hallucinated_result() -> None:
    steps = [ASKED, *looked_up(ORDER), {"message": "Done", "is_final": True}]
    task = {"expected_result": "Refund of $54.04 sent"}
    invented = make_record(task=task, steps=steps, final_result="Refund of $45.00 sent")
    assert Scorer(default_config()).score(invented).result.failure_shape == "hallucinated_result"
    drifted = make_record(task=task, steps=steps, final_result="Order W2378156 is on its way")
    assert Scorer(default_config()).score(drifted).result.failure_shape == "wrong_task_drift"
